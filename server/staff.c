/*
 * staff: the allow list and the zero-hit views (see staff.h).
 */
#include "staff.h"
#include "render.h"
#include "zerolog.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int sok_acl_add(struct sok_acl *a, const char *spec, struct sok_err *err)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(spec, '/');
    size_t hl = slash ? (size_t)(slash - spec) : strlen(spec);
    struct sok_acl_range r;
    memset(&r, 0, sizeof r);
    unsigned max = 0;
    if (hl > 0 && hl < sizeof host) {
        memcpy(host, spec, hl);
        host[hl] = '\0';
        if (inet_pton(AF_INET, host, r.addr) == 1) {
            r.family = AF_INET;
            max = 32;
        } else if (inet_pton(AF_INET6, host, r.addr) == 1) {
            r.family = AF_INET6;
            max = 128;
        }
    }
    r.bits = max;
    if (max != 0 && slash != NULL) {
        char *end = NULL;
        unsigned long bits = slash[1] >= '0' && slash[1] <= '9'
                                 ? strtoul(slash + 1, &end, 10) : max + 1ul;
        r.bits = end != NULL && *end == '\0' && bits <= max ? (unsigned)bits
                                                             : max + 1;
    }
    if (max == 0 || r.bits > max)
        return sok_err_set(err, SOK_EINVAL, "--staff-allow %s: not an "
                           "address or ADDRESS/BITS", spec);
    if (a->n == SOK_ACL_MAX)
        return sok_err_set(err, SOK_EINVAL, "--staff-allow: more than %d "
                           "ranges", SOK_ACL_MAX);
    /* Masked, so that matching compares whole bytes and one last part. */
    for (unsigned i = 0; i < 16; i++) {
        unsigned keep = r.bits > i * 8 ? r.bits - i * 8 : 0;
        if (keep < 8)
            r.addr[i] &= (unsigned char)(0xFF00u >> keep);
    }
    a->r[a->n++] = r;
    return 0;
}

static int in_range(const struct sok_acl_range *r, int family,
                    const unsigned char *addr)
{
    if (r->family != family)
        return 0;
    unsigned whole = r->bits / 8, rest = r->bits % 8;
    if (memcmp(r->addr, addr, whole) != 0)
        return 0;
    return rest == 0 ||
           (addr[whole] & (unsigned char)(0xFF00u >> rest)) == r->addr[whole];
}

int sok_acl_allows(const struct sok_acl *a, const struct sockaddr *sa)
{
    unsigned char addr[16];
    int family;
    if (sa == NULL)
        return 0;
    if (sa->sa_family == AF_INET) {
        family = AF_INET;
        memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        const struct in6_addr *a6 = &s6->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            family = AF_INET;
            memcpy(addr, a6->s6_addr + 12, 4);
        } else {
            family = AF_INET6;
            memcpy(addr, a6->s6_addr, 16);
        }
    } else {
        return 0;
    }
    if (a->n == 0)
        return family == AF_INET ? addr[0] == 127
                                 : memcmp(addr, &in6addr_loopback, 16) == 0;
    for (size_t i = 0; i < a->n; i++)
        if (in_range(&a->r[i], family, addr))
            return 1;
    return 0;
}

void sok_staff_json(struct sok_buf *b, const struct sok_zerolog_row *rows,
                    size_t n, int *rc)
{
    sok_buf_puts(b, "{\"queries\":[", rc);
    for (size_t i = 0; i < n; i++) {
        char first[11], last[11];
        sok_zerolog_date(rows[i].first_day, first);
        sok_zerolog_date(rows[i].last_day, last);
        sok_buf_puts(b, i ? ",{\"query\":" : "{\"query\":", rc);
        sok_buf_json_qstr(b, rows[i].query, rc);
        sok_buf_printf(b, rc, ",\"count\":%lu,\"total\":%lu,\"first_seen\":"
                       "\"%s\",\"last_seen\":\"%s\"}", rows[i].count,
                       rows[i].total, first, last);
    }
    sok_buf_printf(b, rc, "],\"days\":%d}\n", SOK_ZEROLOG_DAYS);
}

void sok_staff_html(struct sok_buf *b, const struct sok_zerolog_row *rows,
                    size_t n, int *rc)
{
    sok_buf_printf(b, rc,
                   "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, "
                   "initial-scale=1\">\n"
                   "<meta name=\"robots\" content=\"noindex\">\n"
                   "<title>Sökningar utan träffar</title>\n"
                   "<link rel=\"stylesheet\" href=\"/assets/style.css\">\n"
                   "</head>\n<body>\n<main id=\"main\" class=\"wrap\">\n"
                   "<h1>Sökningar utan träffar</h1>\n"
                   "<p>De senaste %d dagarna, de vanligaste först. Bara "
                   "sökorden sparas, aldrig vem som sökte. "
                   "<a href=\"/staff/zero-hits\">Som JSON</a>.</p>\n",
                   SOK_ZEROLOG_DAYS);
    if (n == 0) {
        sok_buf_puts(b, "<p>Inga sökningar utan träffar.</p>\n", rc);
    } else {
        sok_buf_puts(b, "<table>\n<thead><tr><th scope=\"col\">Sökning</th>"
                        "<th scope=\"col\">Antal</th>"
                        "<th scope=\"col\">Totalt</th>"
                        "<th scope=\"col\">Först</th>"
                        "<th scope=\"col\">Senast</th></tr></thead>\n"
                        "<tbody>\n", rc);
        for (size_t i = 0; i < n; i++) {
            char first[11], last[11];
            size_t ql = strlen(rows[i].query);
            sok_zerolog_date(rows[i].first_day, first);
            sok_zerolog_date(rows[i].last_day, last);
            sok_buf_puts(b, "<tr><td><a href=\"/?q=", rc);
            sok_render_urlenc(b, rows[i].query, ql, rc);
            sok_buf_puts(b, "\">", rc);
            sok_buf_html(b, rows[i].query, ql, rc);
            sok_buf_printf(b, rc, "</a></td><td>%lu</td><td>%lu</td>"
                           "<td>%s</td><td>%s</td></tr>\n", rows[i].count,
                           rows[i].total, first, last);
        }
        sok_buf_puts(b, "</tbody>\n</table>\n", rc);
    }
    sok_buf_puts(b, "</main>\n</body>\n</html>\n", rc);
}
