/*
 * zerolog: the table of searches that found nothing (see zerolog.h).  A
 * fixed array of entries, found by a linear scan of their 64-bit hashes (a
 * thousand compares, under the mutex, only on a search that found
 * nothing); each entry counts its searches per day in a ring of
 * SOK_ZEROLOG_DAYS slots, day d in slot d % SOK_ZEROLOG_DAYS, valid for the
 * days last_day - SOK_ZEROLOG_DAYS + 1 .. last_day.
 *
 * The file is JSON: {"format": "sok-zero-hits", "version": 1, "queries":
 * [{"query", "total", "first_day", "last_day", "days": [[day, count],
 * ...]}]}, days counted from 1970-01-01 (UTC).
 */
#include "zerolog.h"
#include "sok_text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define DAYS SOK_ZEROLOG_DAYS
#define FORMAT "sok-zero-hits"
#define VERSION 1
#define PERSONAL_DIGITS 6           /* digits in one run that are not kept */

struct zent {
    uint64_t hash;
    size_t klen;                    /* 0: a free slot */
    long first_day, last_day;
    unsigned long total;
    uint32_t day[DAYS];
    char key[SOK_ZEROLOG_KEY_MAX + 1];
};

struct sok_zerolog {
    pthread_mutex_t mu;             /* guards tab and dirty */
    struct zent *tab;
    size_t cap;
    int dirty;                      /* changed since the last save */

    char *path;                     /* owned; NULL: memory only */
    FILE *diag;
    unsigned save_s;
    pthread_mutex_t save_mu;        /* one save at a time */
    int save_failing;               /* said once per run of failures */

    pthread_mutex_t stop_mu;        /* guards stop, with stop_cv */
    pthread_cond_t stop_cv;
    int stop;
    pthread_t saver;
    int have_saver;
};

/* ------------------------------------------------------------------ key */

static long day_of(time_t t)
{
    return t <= 0 ? 0 : (long)(t / 86400);
}

/* White space a person may type or paste, or an invisible space. */
static int is_space(int32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 ||
           cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000 || cp == 0xFEFF;
}

/* An '@' (an e-mail address), or PERSONAL_DIGITS digits in one run where
 * single spaces, dashes and pluses between digits do not end the run. */
static int looks_personal(const char *s, size_t len)
{
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '@')
            return 1;
        if (c >= '0' && c <= '9') {
            if (++digits >= PERSONAL_DIGITS)
                return 1;
        } else if (!((c == ' ' || c == '-' || c == '+') && digits > 0 &&
                     i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')) {
            digits = 0;
        }
    }
    return 0;
}

size_t sok_zerolog_key(const char *q, size_t len, char *out, size_t cap)
{
    char *f = NULL;
    size_t flen = 0, n = 0;
    struct sok_err ignore = SOK_ERR_INIT;
    if (cap == 0)
        return 0;
    out[0] = '\0';
    if (q == NULL || len == 0 || !sok_text_utf8_valid(q, len) ||
        sok_text_fold(q, len, &f, &flen, &ignore) != 0)
        return 0;
    int pending = 0;                /* a space is owed before the next */
    for (size_t i = 0; i < flen;) {
        int32_t cp = 0;
        size_t k = sok_utf8_decode(f + i, flen - i, &cp);
        if (k == 0)
            k = 1;                  /* cannot happen after fold */
        if (is_space(cp)) {
            pending = n > 0;
        } else {
            if (n + pending + k >= cap || n + pending + k >
                SOK_ZEROLOG_KEY_MAX)
                break;              /* cut at a character */
            if (pending)
                out[n++] = ' ';
            pending = 0;
            memcpy(out + n, f + i, k);
            n += k;
        }
        i += k;
    }
    free(f);
    out[n] = '\0';
    if (looks_personal(out, n)) {
        out[0] = '\0';
        return 0;
    }
    return n;
}

void sok_zerolog_date(long day, char out[11])
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---------------------------------------------------------------- table */

/* Searches of e in the window of days today - DAYS + 1 .. today. */
static unsigned long window_count(const struct zent *e, long today)
{
    if (e->klen == 0 || e->last_day < today - DAYS + 1)
        return 0;
    long lo = e->last_day - DAYS + 1;
    if (lo < today - DAYS + 1)
        lo = today - DAYS + 1;
    if (lo < 0)
        lo = 0;                     /* days are never before 1970 */
    unsigned long s = 0;
    for (long d = lo; d <= e->last_day; d++)
        s += e->day[d % DAYS];
    return s;
}

/* Whether a is worth less than b (a is evicted before b). */
static int less_valuable(const struct zent *a, const struct zent *b,
                         long today)
{
    unsigned long ca = window_count(a, today), cb = window_count(b, today);
    if (ca != cb)
        return ca < cb;
    if (a->last_day != b->last_day)
        return a->last_day < b->last_day;
    return a->total < b->total;
}

/* The entry for key, or a slot claimed for it (empty, or taken from the
 * least valuable entry), reset to hold key with no searches. */
/* The entry holding key (hash h), or NULL with *free_slot the first empty
 * slot (NULL: none) and *victim the least valuable entry. */
static struct zent *find(struct sok_zerolog *z, uint64_t h, const char *key,
                         size_t klen, long today, struct zent **free_slot,
                         struct zent **victim)
{
    *free_slot = *victim = NULL;
    for (size_t i = 0; i < z->cap; i++) {
        struct zent *e = &z->tab[i];
        if (e->klen == 0) {
            if (*free_slot == NULL)
                *free_slot = e;
        } else if (e->hash == h && e->klen == klen &&
                   memcmp(e->key, key, klen) == 0) {
            return e;
        } else if (*victim == NULL || less_valuable(e, *victim, today)) {
            *victim = e;
        }
    }
    return NULL;
}

static struct zent *slot_for(struct sok_zerolog *z, const char *key,
                             size_t klen, long today)
{
    uint64_t h = XXH3_64bits(key, klen);
    struct zent *free_slot, *victim;
    struct zent *e = find(z, h, key, klen, today, &free_slot, &victim);
    if (e != NULL)
        return e;
    e = free_slot ? free_slot : victim;
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->klen = klen;
    memcpy(e->key, key, klen);
    e->first_day = e->last_day = today;
    return e;
}

/* Moves e's window on to end at day (days between are cleared). */
static void advance(struct zent *e, long day)
{
    if (day <= e->last_day)
        return;
    long from = e->last_day + 1;
    if (day - from >= DAYS)
        from = day - DAYS + 1;
    for (long d = from; d <= day; d++)
        e->day[d % DAYS] = 0;
    e->last_day = day;
}

/* Adds count searches made on day to e. */
static void add(struct zent *e, long day, unsigned long count)
{
    advance(e, day);
    if (day > e->last_day - DAYS) {
        uint64_t v = (uint64_t)e->day[day % DAYS] + count;
        e->day[day % DAYS] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
    e->total = e->total + count < e->total ? ULONG_MAX : e->total + count;
    if (day < e->first_day)
        e->first_day = day;
}

void sok_zerolog_note(struct sok_zerolog *z, const char *q, size_t len,
                      time_t now)
{
    char key[SOK_ZEROLOG_KEY_MAX + 1];
    if (z == NULL)
        return;
    size_t klen = sok_zerolog_key(q, len, key, sizeof key);
    if (klen == 0)
        return;
    long today = day_of(now);
    pthread_mutex_lock(&z->mu);
    add(slot_for(z, key, klen, today), today, 1);
    z->dirty = 1;
    pthread_mutex_unlock(&z->mu);
}

static int row_cmp(const void *pa, const void *pb)
{
    const struct sok_zerolog_row *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->last_day != b->last_day)
        return a->last_day > b->last_day ? -1 : 1;
    return strcmp(a->query, b->query);
}

int sok_zerolog_top(struct sok_zerolog *z, time_t now, size_t max,
                    struct sok_zerolog_row **rows, size_t *n,
                    struct sok_err *err)
{
    *rows = NULL;
    *n = 0;
    if (z == NULL)
        return 0;
    struct sok_zerolog_row *r = malloc(z->cap * sizeof *r);
    if (r == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    long today = day_of(now);
    size_t k = 0;
    pthread_mutex_lock(&z->mu);
    for (size_t i = 0; i < z->cap; i++) {
        const struct zent *e = &z->tab[i];
        unsigned long c = window_count(e, today);
        if (c == 0)
            continue;
        memcpy(r[k].query, e->key, e->klen + 1);
        r[k].count = c;
        r[k].total = e->total;
        r[k].first_day = e->first_day;
        r[k].last_day = e->last_day;
        k++;
    }
    pthread_mutex_unlock(&z->mu);
    qsort(r, k, sizeof *r, row_cmp);
    if (max != 0 && k > max)
        k = max;
    if (k == 0) {
        free(r);
        r = NULL;
    }
    *rows = r;
    *n = k;
    return 0;
}

/* --------------------------------------------------------------- saving */

static json_t *entry_json(const struct zent *e)
{
    json_t *days = json_array();
    long lo = e->last_day - DAYS + 1 < 0 ? 0 : e->last_day - DAYS + 1;
    for (long d = lo; days && d <= e->last_day; d++) {
        json_int_t c = e->day[d % DAYS];
        if (c != 0)
            json_array_append_new(days, json_pack("[II]", (json_int_t)d, c));
    }
    return json_pack("{s:s%,s:I,s:I,s:I,s:o*}", "query", e->key, e->klen,
                     "total", (json_int_t)e->total,
                     "first_day", (json_int_t)e->first_day,
                     "last_day", (json_int_t)e->last_day, "days", days);
}

/* Writes root to path atomically: path.tmp, flushed, renamed over path,
 * and the directory flushed so the rename survives a crash. */
static int write_atomic(const char *path, json_t *root, struct sok_err *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (tmp == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL || json_dumpf(root, f, JSON_COMPACT) != 0 ||
        fputc('\n', f) == EOF || fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = sok_err_set(err, SOK_EIO, "cannot write the zero-hit log %s: "
                         "%s", tmp, strerror(errno));
    if (f != NULL) {
        if (fclose(f) != 0 && rc == 0)
            rc = sok_err_set(err, SOK_EIO, "cannot close %s: %s", tmp,
                             strerror(errno));
    } else if (fd >= 0) {
        close(fd);
    }
    if (rc == 0 && rename(tmp, path) != 0)
        rc = sok_err_set(err, SOK_EIO, "cannot rename %s to %s: %s", tmp,
                         path, strerror(errno));
    if (rc != 0) {
        unlink(tmp);
    } else {
        char *slash = strrchr(tmp, '/');
        if (slash != NULL)
            *(slash == tmp ? slash + 1 : slash) = '\0';
        int dfd = open(slash ? tmp : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    free(tmp);
    return rc;
}

int sok_zerolog_save(struct sok_zerolog *z, struct sok_err *err)
{
    if (z == NULL || z->path == NULL)
        return 0;
    pthread_mutex_lock(&z->save_mu);
    /* Copy under the lock, write without it: a search that finds nothing
     * never waits for the disk. */
    struct zent *copy = malloc(z->cap * sizeof *copy);
    int rc = copy ? 0 : sok_err_set(err, SOK_ENOMEM, NULL);
    pthread_mutex_lock(&z->mu);
    if (copy != NULL) {
        memcpy(copy, z->tab, z->cap * sizeof *copy);
        z->dirty = 0;
    }
    pthread_mutex_unlock(&z->mu);
    json_t *list = rc == 0 ? json_array() : NULL;
    for (size_t i = 0; list != NULL && i < z->cap; i++)
        if (copy[i].klen != 0 &&
            json_array_append_new(list, entry_json(&copy[i])) != 0)
            break;
    json_t *root = json_pack("{s:s,s:i,s:o*}", "format", FORMAT, "version",
                             VERSION, "queries", list);
    if (rc == 0 && root == NULL)
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
    if (rc == 0)
        rc = write_atomic(z->path, root, err);
    json_decref(root);
    free(copy);
    if (rc != 0) {
        pthread_mutex_lock(&z->mu);
        z->dirty = 1;               /* try again next time */
        pthread_mutex_unlock(&z->mu);
    }
    pthread_mutex_unlock(&z->save_mu);
    return rc;
}

/* Saves when anything changed, saying a failure once per run of them. */
static void save_if_dirty(struct sok_zerolog *z)
{
    pthread_mutex_lock(&z->mu);
    int dirty = z->dirty;
    pthread_mutex_unlock(&z->mu);
    if (!dirty)
        return;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_zerolog_save(z, &err) != 0) {
        if (!z->save_failing)
            fprintf(z->diag, "sok-server: %s (tried again later)\n",
                    err.msg);
        z->save_failing = 1;
    } else {
        z->save_failing = 0;
    }
}

static void *saver_main(void *arg)
{
    struct sok_zerolog *z = arg;
    pthread_mutex_lock(&z->stop_mu);
    while (!z->stop) {
        struct timespec at;
        clock_gettime(CLOCK_MONOTONIC, &at);
        at.tv_sec += z->save_s;
        while (!z->stop &&
               pthread_cond_timedwait(&z->stop_cv, &z->stop_mu, &at) == 0)
            ;
        if (z->stop)
            break;
        pthread_mutex_unlock(&z->stop_mu);
        save_if_dirty(z);
        pthread_mutex_lock(&z->stop_mu);
    }
    pthread_mutex_unlock(&z->stop_mu);
    return NULL;
}

/* -------------------------------------------------------------- loading */

/* Adds src's searches to e (the same query). */
static void merge(struct zent *e, const struct zent *src)
{
    unsigned long sum = 0;
    for (long d = src->last_day - DAYS + 1; d <= src->last_day; d++)
        if (d >= 0 && src->day[d % DAYS] != 0) {
            add(e, d, src->day[d % DAYS]);
            sum += src->day[d % DAYS];
        }
    add(e, src->last_day, 0);
    add(e, src->first_day, 0);
    e->total += src->total - sum;
}

/* Puts the loaded entry src in z: merged into the same query's, in a free
 * slot, or over the least valuable entry when src is worth more (a file
 * from a bigger table keeps its best). */
static void put_loaded(struct sok_zerolog *z, const struct zent *src,
                       long today)
{
    struct zent *free_slot, *victim;
    struct zent *e = find(z, src->hash, src->key, src->klen, today,
                          &free_slot, &victim);
    if (e != NULL)
        merge(e, src);
    else if (free_slot != NULL)
        *free_slot = *src;
    else if (less_valuable(victim, src, today))
        *victim = *src;
}

/* Adds one saved entry; a message for what is wrong with it, or NULL. */
static const char *load_entry(struct sok_zerolog *z, json_t *o, long today)
{
    const char *q = NULL;
    size_t qlen = 0;
    json_int_t total = 0, first = 0, last = 0;
    json_t *days = NULL;
    if (json_unpack(o, "{s:s%,s:I,s:I,s:I,s:o}", "query", &q, &qlen,
                    "total", &total, "first_day", &first, "last_day", &last,
                    "days", &days) != 0 || !json_is_array(days))
        return "an entry without query, total, first_day, last_day, days";
    if (total < 0 || first < 0 || first > last || last > 10000000)
        return "an entry with impossible counts or days";
    struct zent e;
    memset(&e, 0, sizeof e);
    e.klen = sok_zerolog_key(q, qlen, e.key, sizeof e.key);
    e.hash = XXH3_64bits(e.key, e.klen);
    e.first_day = (long)first;
    e.last_day = (long)last;
    size_t i;
    json_t *d;
    json_array_foreach(days, i, d) {
        json_int_t day = 0, count = 0;
        if (json_unpack(d, "[II]", &day, &count) != 0 || count < 0 ||
            count > UINT32_MAX || day < 0 || day < last - DAYS + 1 ||
            day > last)
            return "a day outside its entry's window";
        add(&e, (long)day, (unsigned long)count);
    }
    if (e.total > (unsigned long)total)
        return "an entry whose days add up to more than its total";
    e.total = (unsigned long)total;
    if (e.klen != 0)                /* else nothing to keep (any more) */
        put_loaded(z, &e, today);
    return NULL;
}

/* Reads the file back; one that is not a zero-hit log is said and
 * ignored (the table stays empty).  A missing file is the first start. */
static void load(struct sok_zerolog *z)
{
    struct stat st;
    if (stat(z->path, &st) != 0 && errno == ENOENT)
        return;
    json_error_t je;
    json_t *root = json_load_file(z->path, 0, &je);
    const char *why = NULL;
    const char *fmt = NULL;
    json_int_t version = 0;
    json_t *list = NULL;
    if (root == NULL)
        why = je.text;
    else if (json_unpack(root, "{s:s,s:I,s:o}", "format", &fmt, "version",
                         &version, "queries", &list) != 0 ||
             strcmp(fmt, FORMAT) != 0 || version != VERSION ||
             !json_is_array(list))
        why = "not a zero-hit log of this version";
    size_t i;
    json_t *o;
    long today = day_of(time(NULL));
    if (why == NULL)
        json_array_foreach(list, i, o)
            if ((why = load_entry(z, o, today)) != NULL)
                break;
    if (why != NULL) {
        fprintf(z->diag, "sok-server: zero-hit log %s ignored (%s); it is "
                         "replaced at the next save\n", z->path, why);
        memset(z->tab, 0, z->cap * sizeof *z->tab);
        z->dirty = 1;
    }
    json_decref(root);
}

/* ------------------------------------------------------------ lifecycle */

int sok_zerolog_new(const struct sok_zerolog_cfg *cfg,
                    struct sok_zerolog **out, struct sok_err *err)
{
    *out = NULL;
    struct sok_zerolog *z = calloc(1, sizeof *z);
    if (z == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    z->cap = cfg->entries ? cfg->entries : SOK_ZEROLOG_ENTRIES;
    z->save_s = cfg->save_s ? cfg->save_s : SOK_ZEROLOG_SAVE_S;
    z->diag = cfg->diag ? cfg->diag : stderr;
    z->tab = calloc(z->cap, sizeof *z->tab);
    if (cfg->path != NULL)
        z->path = strdup(cfg->path);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&z->mu, NULL);
    pthread_mutex_init(&z->save_mu, NULL);
    pthread_mutex_init(&z->stop_mu, NULL);
    pthread_cond_init(&z->stop_cv, &ca);
    pthread_condattr_destroy(&ca);
    if (z->tab == NULL || (cfg->path != NULL && z->path == NULL)) {
        sok_zerolog_free(z);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    if (z->path != NULL) {
        load(z);
        if (pthread_create(&z->saver, NULL, saver_main, z) != 0) {
            sok_zerolog_free(z);
            return sok_err_set(err, SOK_EINTERNAL,
                               "cannot start the zero-hit log's thread");
        }
        z->have_saver = 1;
    }
    *out = z;
    return 0;
}

void sok_zerolog_free(struct sok_zerolog *z)
{
    if (z == NULL)
        return;
    if (z->have_saver) {
        pthread_mutex_lock(&z->stop_mu);
        z->stop = 1;
        pthread_cond_signal(&z->stop_cv);
        pthread_mutex_unlock(&z->stop_mu);
        pthread_join(z->saver, NULL);
        save_if_dirty(z);
    }
    pthread_cond_destroy(&z->stop_cv);
    pthread_mutex_destroy(&z->stop_mu);
    pthread_mutex_destroy(&z->save_mu);
    pthread_mutex_destroy(&z->mu);
    free(z->path);
    free(z->tab);
    free(z);
}
