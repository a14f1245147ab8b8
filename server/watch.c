/*
 * watch: a re-read file and its reference-counted snapshots (see watch.h).
 *
 * Why it is safe: a reference is only ever taken under mu, from cur, which
 * itself holds one, so a count never rises from zero; the swap changes cur
 * under mu and only then gives the watch's reference to the old snapshot
 * back.  gen is stored after cur changes (release) and read before
 * comparing (acquire); a reader that sees an old gen merely keeps its
 * snapshot one request longer.  Everything about the file (its identity,
 * what was said) is only touched under load_mu.
 */
#include "watch.h"
#include "sok_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum said { SAID_NOTHING, SAID_MISSING, SAID_UNREADABLE, SAID_TOO_BIG,
            SAID_FAILED };

struct file_id {
    int exists;                 /* -1: never looked at */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

struct sok_watch {
    char *path;                 /* owned */
    const char *what;
    sok_watch_load_fn load;
    void *ctx;
    FILE *diag;
    pthread_mutex_t mu;         /* guards cur */
    struct sok_snap *cur;       /* never NULL once made */
    atomic_ulong gen;           /* cur->gen */
    pthread_mutex_t load_mu;    /* one check at a time; guards what follows */
    atomic_llong checked_ms;
    struct file_id id;          /* of the file cur was made from */
    atomic_ulong loads;
    enum said said;
};

void sok_snap_init(struct sok_snap *s, void (*free_fn)(struct sok_snap *))
{
    atomic_init(&s->refs, 1);
    s->gen = 0;
    s->free_fn = free_fn;
}

void sok_snap_release(struct sok_snap *s)
{
    if (s != NULL &&
        atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        s->free_fn(s);
}

static struct file_id id_of(const struct stat *st)
{
    struct file_id id = { 1, st->st_dev, st->st_ino, st->st_size,
                          st->st_mtim };
    return id;
}

static int same_id(const struct file_id *a, const struct file_id *b)
{
    if (a->exists != b->exists)
        return 0;
    return !a->exists ||
           (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
            a->mtime.tv_sec == b->mtime.tv_sec &&
            a->mtime.tv_nsec == b->mtime.tv_nsec);
}

/* Says state s on diag unless it was the last thing said. */
static void say(struct sok_watch *w, enum said s, const char *detail)
{
    if (w->said == s)
        return;
    w->said = s;
    switch (s) {
    case SAID_MISSING:
        fprintf(w->diag, "sok-server: %s %s: not found, none in use\n",
                w->what, w->path);
        break;
    case SAID_UNREADABLE:
        fprintf(w->diag, "sok-server: %s %s: cannot read it (%s), keeping "
                "what was read before\n", w->what, w->path, detail);
        break;
    case SAID_TOO_BIG:
        fprintf(w->diag, "sok-server: %s %s: larger than %u bytes, keeping "
                "what was read before\n", w->what, w->path,
                SOK_WATCH_MAX_BYTES);
        break;
    case SAID_FAILED:
        fprintf(w->diag, "sok-server: %s %s: not loaded (%s), keeping what "
                "was read before\n", w->what, w->path, detail);
        break;
    case SAID_NOTHING:
        break;
    }
}

static void install(struct sok_watch *w, struct sok_snap *s)
{
    s->gen = atomic_load_explicit(&w->gen, memory_order_relaxed) + 1;
    pthread_mutex_lock(&w->mu);
    struct sok_snap *old = w->cur;
    w->cur = s;
    atomic_store_explicit(&w->gen, s->gen, memory_order_release);
    pthread_mutex_unlock(&w->mu);
    sok_snap_release(old);
    atomic_fetch_add_explicit(&w->loads, 1, memory_order_relaxed);
}

/* The whole file into *text (malloc()ed) and its identity; 0, or an errno
 * (EFBIG: over SOK_WATCH_MAX_BYTES). */
static int read_file(const char *path, char **text, size_t *len,
                     struct file_id *id)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    int e = 0;
    char *buf = NULL;
    size_t n = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = EISDIR;
    else if ((unsigned long long)st.st_size > SOK_WATCH_MAX_BYTES)
        e = EFBIG;
    else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
        e = ENOMEM;
    /* Read to the end, not to st_size: a file being written may grow. */
    while (e == 0 && n < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + n, (size_t)st.st_size - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            e = errno;
        else if (k == 0)
            break;
        else
            n += (size_t)k;
    }
    close(fd);
    if (e != 0) {
        free(buf);
        return e;
    }
    *id = id_of(&st);
    id->size = (off_t)n;
    *text = buf;
    *len = n;
    return 0;
}

/* Under load_mu: reloads the file when it changed.  1: a new snapshot;
 * 0: none; negative: the loader failed (said on diag too). */
static int check_locked(struct sok_watch *w, struct sok_err *err)
{
    struct stat st;
    struct file_id now = { 0, 0, 0, 0, { 0, 0 } };
    if (stat(w->path, &st) == 0) {
        now = id_of(&st);
    } else if (errno != ENOENT && errno != ENOTDIR) {
        say(w, SAID_UNREADABLE, strerror(errno));
        return 0;
    }
    if (same_id(&now, &w->id))
        return 0;
    char *text = NULL;
    size_t len = 0;
    if (now.exists) {
        int e = read_file(w->path, &text, &len, &now);
        if (e == EFBIG) {
            say(w, SAID_TOO_BIG, NULL);
            return 0;
        }
        if (e == ENOENT) {
            now.exists = 0;         /* gone between stat and open */
        } else if (e != 0) {
            say(w, SAID_UNREADABLE, strerror(e));
            return 0;
        }
    }
    struct sok_snap *s = NULL;
    struct sok_err lerr = SOK_ERR_INIT;
    int rc = w->load(w->ctx, w->path, text, len, w->diag, &s, &lerr);
    free(text);
    if (rc != 0) {
        say(w, SAID_FAILED, lerr.msg);
        return sok_err_set(err, rc, "%s", lerr.msg);
    }
    install(w, s);
    w->id = now;
    w->said = SAID_NOTHING;
    if (!now.exists)
        say(w, SAID_MISSING, NULL);
    return 1;
}

int sok_watch_new(const char *path, const char *what, sok_watch_load_fn load,
                  void *ctx, FILE *diag, struct sok_watch **out,
                  struct sok_err *err)
{
    *out = NULL;
    struct sok_watch *w = calloc(1, sizeof *w);
    if (w == NULL || (w->path = strdup(path)) == NULL) {
        free(w);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    w->what = what;
    w->load = load;
    w->ctx = ctx;
    w->diag = diag ? diag : stderr;
    w->id.exists = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_mutex_init(&w->load_mu, NULL);
    atomic_init(&w->gen, 0);
    atomic_init(&w->loads, 0);
    atomic_init(&w->checked_ms, sok_clock_us() / 1000);
    int rc = check_locked(w, err);
    if (rc == 0 && w->cur == NULL) {
        /* Unreadable or too big: nothing until it can be read. */
        struct sok_snap *s = NULL;
        rc = load(ctx, w->path, NULL, 0, w->diag, &s, err);
        if (rc == 0)
            install(w, s);
    }
    if (rc < 0) {
        sok_watch_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void sok_watch_free(struct sok_watch *w)
{
    if (w == NULL)
        return;
    sok_snap_release(w->cur);
    pthread_mutex_destroy(&w->mu);
    pthread_mutex_destroy(&w->load_mu);
    free(w->path);
    free(w);
}

int sok_watch_poll(struct sok_watch *w, long long now_ms)
{
    long long last = atomic_load_explicit(&w->checked_ms,
                                          memory_order_relaxed);
    if (now_ms - last < SOK_WATCH_PERIOD_MS && now_ms >= last)
        return 0;
    /* One caller per period wins; the others do not even try the lock. */
    if (!atomic_compare_exchange_strong_explicit(&w->checked_ms, &last,
                                                 now_ms,
                                                 memory_order_relaxed,
                                                 memory_order_relaxed))
        return 0;
    if (pthread_mutex_trylock(&w->load_mu) != 0)
        return 0;
    struct sok_err ignore = SOK_ERR_INIT;   /* said on diag */
    int rc = check_locked(w, &ignore);
    pthread_mutex_unlock(&w->load_mu);
    return rc > 0;
}

int sok_watch_check(struct sok_watch *w)
{
    pthread_mutex_lock(&w->load_mu);
    struct sok_err ignore = SOK_ERR_INIT;
    int rc = check_locked(w, &ignore);
    pthread_mutex_unlock(&w->load_mu);
    return rc > 0;
}

struct sok_snap *sok_watch_get(struct sok_watch *w, struct sok_snap *held)
{
    unsigned long g = atomic_load_explicit(&w->gen, memory_order_acquire);
    if (held != NULL && held->gen == g)
        return held;
    pthread_mutex_lock(&w->mu);
    struct sok_snap *s = w->cur;
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&w->mu);
    sok_snap_release(held);
    return s;
}

unsigned long sok_watch_loads(struct sok_watch *w)
{
    return atomic_load_explicit(&w->loads, memory_order_relaxed);
}
