/*
 * test_vocab: the staff's vocabulary (server/vocab.c, vocab_parse.c,
 * watch.c): synonym and best-bet lines, good and each kind of bad one
 * (named with its line number, the rest kept); terms normalised as the
 * query side does; lookups of one word, of a run of words (longest term
 * first), of a whole query; a file changed, removed and brought back while
 * readers hold older snapshots; readers on several threads while the file
 * keeps changing (the sanitizer build checks the references).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sok_clock.h"
#include "vocab.h"
#include "watch.h"

static struct sok_analyzer *g_an;
static char g_dir[64];

static int group_setup(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    strcpy(g_dir, "/tmp/sok_test_vocab_XXXXXX");
    if (mkdtemp(g_dir) == NULL)
        return -1;
    return sok_analyzer_new(&g_an, &err);
}

static int group_teardown(void **state)
{
    (void)state;
    sok_analyzer_free(g_an);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd);
}

/* Diagnostics into memory. */
struct diag {
    char *text;
    size_t len;
    FILE *f;
};

static void diag_open(struct diag *d)
{
    d->text = NULL;
    d->len = 0;
    d->f = open_memstream(&d->text, &d->len);
    assert_non_null(d->f);
}

static const char *diag_text(struct diag *d)
{
    fflush(d->f);
    return d->text ? d->text : "";
}

static void diag_close(struct diag *d)
{
    fclose(d->f);
    free(d->text);
}

/* Parses text as kind into view; returns the refused lines. */
static unsigned parse(enum sok_vocab_kind kind, const char *text,
                      struct sok_vocab_view *view, struct diag *d)
{
    struct sok_err err = SOK_ERR_INIT;
    unsigned bad = 0;
    assert_int_equal(sok_vocab_parse(kind, g_an, "f.txt", text, strlen(text),
                                     d ? d->f : NULL, view, &bad, &err), 0);
    return bad;
}

/* The synonyms of the words of q, as the plan would look them up. */
static const struct sok_vocab_syn *syn_of(const struct sok_vocab_view *v,
                                          const char *q, size_t *used)
{
    struct sok_vocab_norm nm;
    struct sok_err err = SOK_ERR_INIT;
    size_t ignore;
    assert_int_equal(sok_vocab_norm(g_an, q, strlen(q), &nm, &err), 0);
    return sok_vocab_synonyms(v, nm.w, nm.n, used ? used : &ignore);
}

/* Whether s expands to a term written text. */
static int has_exp(const struct sok_vocab_syn *s, const char *text)
{
    for (size_t i = 0; s != NULL && i < s->n; i++)
        if (strcmp(s->to[i].term->text, text) == 0)
            return 1;
    return 0;
}

static void test_synonym_lines(void **state)
{
    (void)state;
    struct sok_vocab_view v = { NULL, NULL };
    struct diag d;
    diag_open(&d);
    unsigned bad = parse(SOK_VOCAB_SYNONYMS,
                         "\xEF\xBB\xBF# staff's words\n"
                         "soptunna, avfallskärl, sopkärl  # both ways\r\n"
                         "\n"
                         "   \t\n"
                         "socialbidrag => ekonomiskt bistånd\n"
                         "ekonomiskt bistånd, försörjningsstöd\n"
                         "soptunna, avfallskärl\n"      /* again: no dupes */
                         "a#b, ab\n",                   /* '#' in a word */
                         &v, &d);
    assert_int_equal(bad, 0);
    /* both ways, every term to every other */
    const struct sok_vocab_syn *s = syn_of(&v, "avfallskärl", NULL);
    assert_non_null(s);
    assert_string_equal(s->from->text, "avfallskärl");
    assert_int_equal(s->n, 2);
    assert_true(has_exp(s, "soptunna") && has_exp(s, "sopkärl"));
    assert_true(s->to[0].weight > 0 && s->to[0].weight < 1);
    s = syn_of(&v, "soptunna", NULL);
    assert_int_equal(s->n, 2);              /* the repeated line adds none */
    /* normalised as queries are: case, and the stem ("soptunnor" and
     * "soptunna" share "soptun") */
    assert_ptr_equal(syn_of(&v, "SOPTUNNOR", NULL), s);
    /* one way: socialbidrag finds the phrase, not the other way round,
     * but the phrase has its own line */
    s = syn_of(&v, "Socialbidrag", NULL);
    assert_int_equal(s->n, 1);
    assert_string_equal(s->to[0].term->text, "ekonomiskt bistånd");
    assert_int_equal(s->to[0].term->n, 2);
    assert_string_equal(s->to[0].term->w[1].w, "bistånd");
    assert_string_equal(s->to[0].term->w[0].stem, "ekonomisk");
    size_t used = 0;
    s = syn_of(&v, "ekonomiska bistånd idag", &used);
    assert_int_equal(used, 2);              /* the longest term first */
    assert_int_equal(s->n, 1);
    assert_true(has_exp(s, "försörjningsstöd"));
    assert_false(has_exp(s, "socialbidrag"));
    assert_null(syn_of(&v, "bistånd", &used));
    assert_int_equal(used, 0);
    assert_non_null(syn_of(&v, "ab", NULL));
    /* one word, as the plan holds it: folded form and stem */
    struct sok_vocab_norm nm;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_vocab_norm(g_an, "Sopkärlen ekonomiskt", 21, &nm,
                                    &err), 0);
    assert_int_equal(nm.n, 2);
    assert_non_null(sok_vocab_word_synonyms(&v, nm.w[0].w, nm.w[0].wlen,
                                            nm.w[0].stem, nm.w[0].slen));
    assert_null(sok_vocab_word_synonyms(&v, nm.w[1].w, nm.w[1].wlen,
                                        nm.w[1].stem, nm.w[1].slen));
    assert_null(sok_vocab_word_synonyms(NULL, nm.w[0].w, nm.w[0].wlen, "",
                                        0));
    assert_int_equal(sok_vocab_rules(&v, SOK_VOCAB_SYNONYMS), 6 + 1 + 2 + 2);
    sok_vocab_view_release(&v);
    assert_null(v.syn);
    diag_close(&d);
}

static void test_synonym_bad_lines(void **state)
{
    (void)state;
    struct sok_vocab_view v = { NULL, NULL };
    struct diag d;
    diag_open(&d);
    char *text = malloc(20000);
    assert_non_null(text);
    strcpy(text, "soptunna, avfallskärl\n"          /* 1 good */
                 "ensam\n"                          /* 2 one term */
                 "a,, b\n"                          /* 3 empty term */
                 "a => b => c\n"                    /* 4 two arrows */
                 " => b\n"                          /* 5 empty side */
                 "!!!, ord\n"                       /* 6 no word */
                 "a b c d e f g h i, ord\n"         /* 7 nine words */
                 "Hus, hus\n"                       /* 8 the same */
                 "ord, \xC3\x28\n");                /* 9 bad UTF-8 */
    strcat(text, "x, ");                            /* 10 too many terms */
    for (int i = 0; i < 70; i++)
        strcat(text, i ? ", t" : "t");
    strcat(text, "\n");
    strcat(text, "y, ");                            /* 11 too long */
    for (int i = 0; i < 900; i++)
        strcat(text, "ordo ");
    strcat(text, "\nhund => hund\n");               /* 12 the same */
    strcat(text, "katt, kisse\n");                  /* 13 good */
    unsigned bad = parse(SOK_VOCAB_SYNONYMS, text, &v, &d);
    free(text);
    assert_int_equal(bad, 11);
    const char *out = diag_text(&d);
    static const char *const want[] = {
        "f.txt:2: a single term", "f.txt:3: an empty term",
        "f.txt:4: more than one '=>'", "f.txt:5: nothing on one side",
        "f.txt:6: a term without a word", "f.txt:7: a term of more than 8",
        "f.txt:8: its terms are the same", "f.txt:9: not valid UTF-8",
        "f.txt:10: more than 64 terms", "f.txt:11: longer than 4096",
        "f.txt:12: its terms are the same",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strstr(out, want[i]) == NULL)
            fail_msg("missing \"%s\" in:\n%s", want[i], out);
    assert_null(strstr(out, "f.txt:1:"));
    assert_null(strstr(out, "f.txt:13:"));
    assert_non_null(strstr(out, "lines refused 11"));
    /* the rest kept, a refused line left no trace */
    assert_non_null(syn_of(&v, "kisse", NULL));
    assert_non_null(syn_of(&v, "avfallskärl", NULL));
    assert_null(syn_of(&v, "a", NULL));
    assert_null(syn_of(&v, "ord", NULL));
    assert_int_equal(sok_vocab_rules(&v, SOK_VOCAB_SYNONYMS), 4);
    sok_vocab_view_release(&v);
    diag_close(&d);
}

static void test_normalise(void **state)
{
    (void)state;
    struct sok_vocab_norm nm;
    struct sok_err err = SOK_ERR_INIT;
    /* NFD "Å" folds to the NFC "å"; a hyphenated word is one word (its
     * parts are left out); punctuation goes */
    const char q[] = "S\xC3\xA5ngen  A\xCC\x8Aret, IOP-avtal!";
    assert_int_equal(sok_vocab_norm(g_an, q, strlen(q), &nm, &err), 0);
    assert_int_equal(nm.n, 3);
    assert_string_equal(nm.w[0].w, "sången");
    assert_string_equal(nm.w[1].w, "året");
    assert_string_equal(nm.w[2].w, "iop-avtal");
    assert_false(nm.too_many);
    assert_int_equal(sok_vocab_norm(g_an, "a b c d e f g h i", 17, &nm,
                                    &err), 0);
    assert_true(nm.too_many);
    assert_int_equal(nm.n, SOK_VOCAB_WORDS_MAX);
    assert_int_equal(sok_vocab_norm(g_an, "?!", 2, &nm, &err), 0);
    assert_int_equal(nm.n, 0);
    /* the file side the same: an NFD term found by an NFC query */
    struct sok_vocab_view v = { NULL, NULL };
    parse(SOK_VOCAB_SYNONYMS, "A\xCC\x8Aret, kalenderåret\n", &v, NULL);
    assert_non_null(syn_of(&v, "\xC3\x85RET", NULL));
    sok_vocab_view_release(&v);
}

static void test_best_bets(void **state)
{
    (void)state;
    struct sok_vocab_view v = { NULL, NULL };
    struct diag d;
    diag_open(&d);
    unsigned bad = parse(SOK_VOCAB_BEST_BETS,
                         "bostadsbidrag => 0123456789abcdef, /sida/bo#ansok\n"
                         "Ekonomiskt bistånd, försörjningsstöd => "
                         "https://x.se/a?b=1 /eko\n"
                         "bostadsbidrag => /mer, /sida/bo#ansok\n"
                         "fel => 0123456789ABCDEF\n"            /* 4 */
                         "fel => //host/x\n"                    /* 5 */
                         "fel => ftp://x\n"                     /* 6 */
                         "fel => /a\"b\n"                       /* 7 */
                         "inget\n"                              /* 8 */
                         "fel => \n"                            /* 9 */
                         "många => /1 /2 /3 /4 /5 /6\n"         /* 10 */
                         "fem => /1 /2 /3 /4\n"
                         "fem => /5, /6\n",                     /* 12 */
                         &v, &d);
    assert_int_equal(bad, 7);
    const char *out = diag_text(&d);
    static const char *const want[] = {
        "f.txt:4: a target that", "f.txt:5: a target that",
        "f.txt:6: a target that", "f.txt:7: a target that",
        "f.txt:8: no '=>'", "f.txt:9: nothing on one side",
        "f.txt:10: more than 5 targets", "f.txt:12: the query has more",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strstr(out, want[i]) == NULL)
            fail_msg("missing \"%s\" in:\n%s", want[i], out);
    const struct sok_vocab_bets *b = NULL;
    struct sok_err err = SOK_ERR_INIT;
    const char q[] = "  BOSTADSBIDRAG ";
    assert_int_equal(sok_vocab_best_bets_q(&v, g_an, q, strlen(q), &b, &err),
                     0);
    assert_non_null(b);
    assert_int_equal(b->n, 3);              /* two lines, one target twice */
    assert_string_equal(b->t[0].target, "0123456789abcdef");
    assert_true(b->t[0].section);
    assert_string_equal(b->t[1].target, "/sida/bo#ansok");
    assert_false(b->t[1].section);
    assert_string_equal(b->t[2].target, "/mer");
    const char q2[] = "ekonomiska bistånd";
    assert_int_equal(sok_vocab_best_bets_q(&v, g_an, q2, strlen(q2), &b,
                                           &err), 0);
    assert_int_equal(b->n, 2);
    assert_string_equal(b->t[0].target, "https://x.se/a?b=1");
    assert_string_equal(b->query->text, "Ekonomiskt bistånd");
    /* the whole query, not a part of it */
    const char q3[] = "ekonomiskt bistånd ansökan";
    assert_int_equal(sok_vocab_best_bets_q(&v, g_an, q3, strlen(q3), &b,
                                           &err), 0);
    assert_null(b);
    assert_int_equal(sok_vocab_best_bets_q(&v, g_an, "fem", 3, &b, &err), 0);
    assert_int_equal(b->n, 5);
    assert_int_equal(sok_vocab_best_bets_q(NULL, g_an, "fem", 3, &b, &err),
                     0);
    assert_null(b);
    sok_vocab_view_release(&v);
    diag_close(&d);
}

/* Writes text to path (in place, or through a new file renamed over it). */
static void write_file(const char *path, const char *text, int rename_over)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    FILE *f = fopen(rename_over ? tmp : path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    if (rename_over)
        assert_int_equal(rename(tmp, path), 0);
}

/* Moves path's modification time t seconds on (an edit within the
 * clock's granularity would otherwise look the same, size permitting). */
static void bump_mtime(const char *path, long t)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    struct timespec ts[2] = { st.st_atim, st.st_mtim };
    ts[1].tv_sec += t;
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void test_reload(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/syn.txt", g_dir);
    write_file(path, "soptunna, avfallskärl\n", 0);
    struct diag d;
    diag_open(&d);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_vocab *voc = NULL;
    assert_int_equal(sok_vocab_new(path, NULL, d.f, &voc, &err), 0);
    struct sok_vocab_view old = { NULL, NULL }, cur = { NULL, NULL };
    sok_vocab_refresh(voc, &old);
    assert_non_null(syn_of(&old, "soptunna", NULL));
    assert_null(old.bets);                  /* that file is not used */

    /* Same size, new words, the mtime moved: a new snapshot, while the old
     * one stays readable for whoever holds it. */
    write_file(path, "sopkärl, hushållsavfall\n", 0);
    bump_mtime(path, 5);
    sok_vocab_refresh(voc, &cur);
    assert_ptr_equal(cur.syn, old.syn);     /* within the second: as was */
    sleep(1);
    usleep(100 * 1000);
    sok_vocab_refresh(voc, &cur);
    assert_ptr_not_equal(cur.syn, old.syn);
    assert_null(syn_of(&cur, "soptunna", NULL));
    assert_non_null(syn_of(&cur, "hushållsavfall", NULL));
    assert_non_null(syn_of(&old, "soptunna", NULL));
    sok_vocab_view_release(&old);

    /* Removed: an empty vocabulary, said once; back: read again. */
    assert_int_equal(unlink(path), 0);
    sleep(1);
    usleep(100 * 1000);
    sok_vocab_refresh(voc, &cur);
    assert_null(syn_of(&cur, "sopkärl", NULL));
    assert_non_null(strstr(diag_text(&d), "syn.txt: not found"));
    write_file(path, "hund, vovve\nbad\n", 1);
    sleep(1);
    usleep(100 * 1000);
    sok_vocab_refresh(voc, &cur);
    assert_non_null(syn_of(&cur, "vovve", NULL));
    assert_non_null(strstr(diag_text(&d), "syn.txt:2: a single term"));
    sok_vocab_view_release(&cur);
    sok_vocab_free(voc);
    sok_vocab_free(NULL);
    diag_close(&d);
}

static void dummy_free(struct sok_snap *s)
{
    free(s);
}

static int dummy_load(void *ctx, const char *path, const char *text,
                      size_t len, FILE *diag, struct sok_snap **out,
                      struct sok_err *err)
{
    (void)ctx; (void)path; (void)text; (void)len; (void)diag; (void)err;
    *out = malloc(sizeof **out);
    assert_non_null(*out);
    sok_snap_init(*out, dummy_free);
    return 0;
}

/* The watch alone, on a clock of the test's own. */
static void test_watch_period(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/w.txt", g_dir);
    write_file(path, "one\n", 0);
    struct sok_watch *w = NULL;
    struct sok_err err = SOK_ERR_INIT;
    long long t0 = sok_clock_us() / 1000;
    assert_int_equal(sok_watch_new(path, "test", dummy_load, NULL, NULL, &w,
                                   &err), 0);
    assert_int_equal(sok_watch_loads(w), 1);
    struct sok_snap *s = sok_watch_get(w, NULL);
    assert_ptr_equal(sok_watch_get(w, s), s);   /* unchanged: itself */
    write_file(path, "two, longer\n", 0);
    assert_int_equal(sok_watch_poll(w, t0 + 500), 0);   /* not yet due */
    assert_int_equal(sok_watch_poll(w, t0 + 1500), 1);
    assert_int_equal(sok_watch_poll(w, t0 + 1600), 0);  /* checked */
    assert_int_equal(sok_watch_poll(w, t0 + 2600), 0);  /* unchanged */
    s = sok_watch_get(w, s);
    assert_int_equal(sok_watch_loads(w), 2);
    bump_mtime(path, 3);                    /* only the time moved */
    assert_int_equal(sok_watch_check(w), 1);
    assert_int_equal(sok_watch_check(w), 0);
    sok_watch_free(w);                      /* s outlives the watch */
    sok_snap_release(s);
}

struct reader {
    struct sok_vocab *voc;
    atomic_int *stop;
    unsigned long lookups, wrong;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    struct sok_vocab_view v = { NULL, NULL };
    while (!atomic_load(r->stop)) {
        sok_vocab_refresh(r->voc, &v);
        size_t used;
        struct sok_vocab_word w = { "hund", 4, "hund", 4 };
        const struct sok_vocab_syn *s = sok_vocab_synonyms(&v, &w, 1, &used);
        /* never anything but what was written */
        if (s == NULL || strcmp(s->to[0].term->text, "vovve") != 0)
            r->wrong++;
        r->lookups++;
    }
    sok_vocab_view_release(&v);
    return NULL;
}

/* Readers on four threads while the file is rewritten: every snapshot
 * freed once, none used after (ASan). */
static void test_readers_while_reloading(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/busy.txt", g_dir);
    write_file(path, "hund, vovve\n", 0);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_vocab *voc = NULL;
    struct diag d;
    diag_open(&d);
    assert_int_equal(sok_vocab_new(path, NULL, d.f, &voc, &err), 0);
    atomic_int stop = 0;
    struct reader r[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (struct reader){ voc, &stop, 0, 0 };
        assert_int_equal(pthread_create(&t[i], NULL, reader_main, &r[i]), 0);
    }
    long long end = sok_clock_us() + 2300 * 1000;
    for (int k = 0; sok_clock_us() < end; k++) {
        write_file(path, k % 2 ? "hund, vovve\n" : "hund, vovve\nx, y\n", 1);
        usleep(50 * 1000);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_true(r[i].lookups > 0);
        assert_int_equal(r[i].wrong, 0);
    }
    sok_vocab_free(voc);
    diag_close(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synonym_lines),
        cmocka_unit_test(test_synonym_bad_lines),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_best_bets),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_watch_period),
        cmocka_unit_test(test_readers_while_reloading),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
