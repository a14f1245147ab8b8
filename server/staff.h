/*
 * staff: what only the site's staff may see (GET /staff/zero-hits, the
 * searches that found nothing, as JSON, and GET /staff/, the same as a
 * page), and who counts as staff: the clients whose address is in the
 * allow list (sok-server --staff-allow ADDR[/BITS], repeatable), by
 * default loopback only (127.0.0.0/8, ::1).  Behind the site's reverse
 * proxy every client is the proxy's address, so a request carrying a
 * proxy's header (Forwarded, X-Forwarded-For, X-Real-IP) is never staff's:
 * staff reach the server directly (on the host, or through a tunnel).
 */
#ifndef SOK_STAFF_H
#define SOK_STAFF_H

#include <stddef.h>
#include "sok_err.h"
#include "sok_buf.h"

#define SOK_ACL_MAX 32              /* --staff-allow ranges */
#define SOK_STAFF_LIMIT_DEF 100     /* queries listed unless ?limit= */

struct sockaddr;
struct sok_zerolog_row;

struct sok_acl_range {
    int family;                     /* AF_INET or AF_INET6 */
    unsigned char addr[16];         /* network byte order, masked */
    unsigned bits;
};

struct sok_acl {                    /* zeroed: loopback only */
    size_t n;
    struct sok_acl_range r[SOK_ACL_MAX];
};

/* Adds "ADDR" or "ADDR/BITS" (IPv4 or IPv6; no BITS: the one address) to
 * a.  SOK_EINVAL with a message naming spec when it is not one, or when
 * a holds SOK_ACL_MAX ranges already. */
int sok_acl_add(struct sok_acl *a, const char *spec, struct sok_err *err);

/* Whether the client at sa (NULL: unknown, never allowed) is in a (a->n
 * 0: whether it is loopback).  An IPv4 address mapped into IPv6
 * (::ffff:a.b.c.d) is taken as the IPv4 address. */
int sok_acl_allows(const struct sok_acl *a, const struct sockaddr *sa);

/* {"queries":[{"query","count","total","first_seen","last_seen"}],
 * "days":N} for rows[0..n) (dates YYYY-MM-DD, UTC). */
void sok_staff_json(struct sok_buf *b, const struct sok_zerolog_row *rows,
                    size_t n, int *rc);

/* The same as an HTML page (Swedish), each query a link to its search. */
void sok_staff_html(struct sok_buf *b, const struct sok_zerolog_row *rows,
                    size_t n, int *rc);

#endif /* SOK_STAFF_H */
