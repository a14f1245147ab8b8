/*
 * shards: the shared state of sok-server's shards.  See shards.h.
 */
#include "shards.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sok_clock.h"
#include "sok_terms.h"

struct shard {
    char name[256];            /* the line of FILE */
    char path[4096];           /* local path, or the host */
    struct sok_xshard spec;
    atomic_int up;
    atomic_uint epoch;         /* bumped when it comes back or moves on */
    _Atomic double since;      /* when up last changed (wall clock) */
    int64_t next_us;           /* the thread's next look at it */
    char rev[32];              /* the revision it last served ("sok:revision") */
};

struct sok_shards {
    size_t n;
    struct shard v[SOK_SHARDS_MAX];
    unsigned timeout_ms;
    pthread_t th;
    int started;
    pthread_mutex_t mu;        /* with cv: wakes the thread to stop */
    pthread_cond_t cv;
    int stop;
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parses "remote HOST:PORT" or a path into sh; 0 or SOK_EINVAL. */
static int parse_line(struct shard *sh, const char *line)
{
    snprintf(sh->name, sizeof sh->name, "%.*s", (int)sizeof sh->name - 1, line);
    if (strncmp(line, "remote", 6) == 0 && isspace((unsigned char)line[6])) {
        const char *h = line + 6;
        while (isspace((unsigned char)*h))
            h++;
        const char *colon = strrchr(h, ':');
        char *end = NULL;
        unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
        if (colon == NULL || colon == h || end == colon + 1 || *end != '\0' ||
            port == 0 || port > 65535 || (size_t)(colon - h) >= sizeof sh->path)
            return SOK_EINVAL;
        snprintf(sh->path, sizeof sh->path, "%.*s", (int)(colon - h), h);
        sh->spec.host = sh->path;
        sh->spec.port = (unsigned)port;
        /* "remote HOST:PORT" with single spaces, however it was typed */
        snprintf(sh->name, sizeof sh->name, "remote %.*s:%lu",
                 (int)(colon - h), h, port);
    } else {
        size_t n = strlen(line);
        if (n >= sizeof sh->path)
            return SOK_EINVAL;
        memcpy(sh->path, line, n + 1);
        sh->spec.path = sh->path;
    }
    return 0;
}

int sok_shards_load(const char *file, unsigned timeout_ms,
                    struct sok_shards **out, struct sok_err *err)
{
    *out = NULL;
    FILE *f = fopen(file, "re");
    if (f == NULL)
        return sok_err_set(err, SOK_EIO, "cannot read the shards file %s: %s",
                           file, strerror(errno));
    struct sok_shards *s = calloc(1, sizeof *s);
    if (s == NULL) {
        fclose(f);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    s->timeout_ms = timeout_ms;
    char line[4096];
    unsigned lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        lineno++;
        char *p = line, *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        while (isspace((unsigned char)*p))
            p++;
        size_t len = strlen(p);
        while (len > 0 && isspace((unsigned char)p[len - 1]))
            p[--len] = '\0';
        if (len == 0)
            continue;
        if (s->n == SOK_SHARDS_MAX || parse_line(&s->v[s->n], p) != 0)
            rc = sok_err_set(err, SOK_EINVAL, "%s:%u: expected a database "
                             "path or \"remote HOST:PORT\" (at most %d "
                             "shards)", file, lineno, SOK_SHARDS_MAX);
        else
            atomic_init(&s->v[s->n++].up, 1);
    }
    fclose(f);
    if (rc == 0 && s->n == 0)
        rc = sok_err_set(err, SOK_EINVAL, "%s names no shard", file);
    if (rc != 0) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    for (size_t i = 0; i < s->n; i++)
        s->v[i].since = wall_now();
    *out = s;
    return 0;
}

static void set_state(struct sok_shards *s, size_t i, int up, const char *why)
{
    struct shard *sh = &s->v[i];
    if (atomic_exchange(&sh->up, up) == up)
        return;
    sh->since = wall_now();
    atomic_fetch_add(&sh->epoch, 1);
    fprintf(stderr, "sok-server: shard %s is %s%s%s\n", sh->name,
            up ? "back" : "down", why ? ": " : "", why ? why : "");
}

/* Opens shard i alone and reads the revision it serves into rev. */
static int look(struct sok_shards *s, size_t i, char *rev, size_t cap,
                struct sok_err *err)
{
    struct sok_xr *xr = NULL;
    char *val = NULL;
    size_t len = 0;
    int rc = sok_xr_open_shards(&s->v[i].spec, 1, s->timeout_ms, NULL, &xr,
                                err);
    if (rc == 0)
        rc = sok_xr_get_metadata(xr, SOK_META_REVISION, &val, &len, err);
    if (rc == 0)
        snprintf(rev, cap, "%s", val);
    free(val);
    sok_xr_free(xr);
    return rc;
}

static void probe_one(struct sok_shards *s, size_t i, int64_t now)
{
    struct shard *sh = &s->v[i];
    int up = atomic_load(&sh->up);
    char rev[32] = "";
    struct sok_err err = SOK_ERR_INIT;
    int rc = look(s, i, rev, sizeof rev, &err);
    /* Read the clock again: a stalled shard took the timeout. */
    now = sok_clock_us();
    if (rc != 0) {
        set_state(s, i, 0, up ? err.msg : NULL);
        sh->next_us = now + SOK_SHARDS_PROBE_S * 1000000LL;
        return;
    }
    if (!up)
        set_state(s, i, 1, NULL);
    else if (strcmp(rev, sh->rev) != 0 && sh->rev[0] != '\0')
        atomic_fetch_add(&sh->epoch, 1);   /* a new generation */
    snprintf(sh->rev, sizeof sh->rev, "%s", rev);
    sh->next_us = now + (up ? SOK_SHARDS_CHECK_S : SOK_SHARDS_PROBE_S) *
                        1000000LL;
}

static void *prober(void *arg)
{
    struct sok_shards *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        pthread_mutex_unlock(&s->mu);
        int64_t now = sok_clock_us();
        for (size_t i = 0; i < s->n; i++) {
            /* A shard some engine marked down is probed soon, not at its
             * next revision check. */
            if (!atomic_load(&s->v[i].up) &&
                s->v[i].next_us > now + SOK_SHARDS_PROBE_S * 1000000LL)
                s->v[i].next_us = now + SOK_SHARDS_PROBE_S * 1000000LL;
            if (now >= s->v[i].next_us)
                probe_one(s, i, now);
        }
        pthread_mutex_lock(&s->mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        if (!s->stop)
            pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int sok_shards_start(struct sok_shards *s, struct sok_err *err)
{
    int64_t first = sok_clock_us() + SOK_SHARDS_CHECK_S * 1000000LL;
    for (size_t i = 0; i < s->n; i++)
        s->v[i].next_us = atomic_load(&s->v[i].up) ? 0 : first;
    if (pthread_create(&s->th, NULL, prober, s) != 0)
        return sok_err_set(err, SOK_EINTERNAL, "cannot start the shard "
                           "probing thread");
    s->started = 1;
    return 0;
}

void sok_shards_free(struct sok_shards *s)
{
    if (s == NULL)
        return;
    if (s->started) {
        pthread_mutex_lock(&s->mu);
        s->stop = 1;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->th, NULL);
    }
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

size_t sok_shards_count(const struct sok_shards *s)
{
    return s->n;
}

const char *sok_shards_name(const struct sok_shards *s, size_t i)
{
    return s->v[i].name;
}

int sok_shards_up(const struct sok_shards *s, size_t i, double *since)
{
    if (since)
        *since = s->v[i].since;
    return atomic_load(&s->v[i].up);
}

int sok_shards_open(struct sok_shards *s, struct sok_xr **out,
                    unsigned *epoch, struct sok_err *err)
{
    struct sok_xshard v[SOK_SHARDS_MAX];
    unsigned char skip[SOK_SHARDS_MAX];
    for (size_t i = 0; i < s->n; i++) {
        v[i] = s->v[i].spec;
        epoch[i] = atomic_load(&s->v[i].epoch);
        skip[i] = !atomic_load(&s->v[i].up);
    }
    int rc = sok_xr_open_shards(v, s->n, s->timeout_ms, skip, out, err);
    if (rc == 0)
        sok_shards_note(s, *out, epoch);
    return rc;
}

int sok_shards_sync(struct sok_shards *s, struct sok_xr *xr, unsigned *epoch)
{
    int changed = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct sok_err err = SOK_ERR_INIT;
        unsigned now = atomic_load(&s->v[i].epoch);
        int up = atomic_load(&s->v[i].up);
        int down_here = sok_xr_shard_down(xr, i);
        if (!up && !down_here) {
            changed |= sok_xr_shard_drop(xr, i, &err) == 0;
        } else if (up && (down_here || now != epoch[i])) {
            /* Back, or a new generation: a fresh connection.  A failure
             * leaves it out of this reader; sok_shards_note tells. */
            sok_xr_shard_retry(xr, i, &err);
            changed = 1;
        }
        epoch[i] = now;
    }
    return changed;
}

uint64_t sok_shards_note(struct sok_shards *s, struct sok_xr *xr,
                         const unsigned *epoch)
{
    uint64_t mask = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!sok_xr_shard_down(xr, i))
            continue;
        mask |= (uint64_t)1 << i;
        if (atomic_load(&s->v[i].epoch) == epoch[i])
            set_state(s, i, 0, "it failed or timed out during a request");
    }
    return mask;
}
