/*
 * live: the settings a running sok-server can change on SIGHUP (see
 * options.h).  The server publishes a struct sok_live whole and never
 * modifies it after, so a request reads it without a lock.
 */
#ifndef SOK_LIVE_H
#define SOK_LIVE_H

#include <stddef.h>
#include "staff.h"

#define SOK_CORS_MAX 16         /* cors-origin lines */
#define SOK_ORIGIN_MAX 256      /* bytes of one origin */
#define SOK_BASE_MAX 128        /* bytes of --base-path */
#define SOK_MAX_AGE_DEF 60      /* seconds an answer may be reused */

/* log-query: what the access log keeps of a request's q parameter. */
enum sok_logq {
    SOK_LOGQ_KEEP,              /* the query as sent */
    SOK_LOGQ_MASK,              /* q=- : that there was one, not what */
    SOK_LOGQ_DROP               /* the parameter left out */
};

struct sok_live {
    int access_log;             /* 0: none (--quiet) */
    enum sok_logq log_query;
    unsigned max_age;           /* Cache-Control max-age of answers */
    struct sok_acl staff_allow; /* n 0: loopback only */
    struct sok_acl trusted;     /* proxies whose X-Forwarded-For is taken
                                   as the client's address; n 0: none */
    size_t ncors;               /* origins allowed to call /api/ */
    char cors[SOK_CORS_MAX][SOK_ORIGIN_MAX];    /* "*": any */
};

#endif /* SOK_LIVE_H */
