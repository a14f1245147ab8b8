/*
 * test_spell: the deletion index behind sok_spell_near (server/spell.c) on
 * a real glass database: an engine without a shared one builds its own;
 * engines sharing one see a new revision's words once the background
 * rebuild is in, the previous revision's index serving meanwhile; freeing
 * the engines and then the shared object, even with a rebuild just
 * started, leaves nothing behind (the sanitizer build checks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "engine.h"
#include "spell.h"

static char g_root[64];
static char g_db[128];

static int rm_entry(const char *path, const struct stat *sb, int type,
                    struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
}

/* Adds one document holding word, as its own revision. */
static void commit_word(const char *word, int create)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xw *w = NULL;
    struct sok_xdoc *d = NULL;
    assert_int_equal(sok_xw_open(g_db, create ? SOK_XW_CREATE : SOK_XW_OPEN,
                                 &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    assert_int_equal(sok_xdoc_new(&d, &err), 0);
    assert_int_equal(sok_xdoc_add_posting(d, word, strlen(word), 1, 1, &err),
                     0);
    char q[64];
    snprintf(q, sizeof q, "Q%s", word);
    assert_int_equal(sok_xw_replace(w, q, d, &err), 0);
    sok_xdoc_free(d);
    assert_int_equal(sok_xw_commit(w, &err), 0);
    sok_xw_free(w);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(g_root, "/tmp/sok_test_spell_XXXXXX");
    if (mkdtemp(g_root) == NULL)
        return -1;
    snprintf(g_db, sizeof g_db, "%s/db", g_root);
    commit_word("zorbulvexi", 1);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return nftw(g_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct sok_engine *engine(struct sok_spell_shared *s)
{
    struct sok_engine_opts o = SOK_ENGINE_OPTS_INIT;
    struct sok_engine *e = NULL;
    struct sok_err err = SOK_ERR_INIT;
    o.spell = s;
    assert_int_equal(sok_engine_new(g_db, &o, &e, &err), 0);
    return e;
}

/* How many words sok_spell_near offers for "zorbulvexu" (all of the
 * test's words are one substitution away from it). */
static size_t near(struct sok_engine *e)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_alts al;
    assert_int_equal(sok_engine_refresh(e, &err), 0);
    sok_spell_near(e, "zorbulvexu", 10, &al);
    return al.n;
}

/* near(e) once it reaches want, polling while the rebuild runs. */
static size_t near_eventually(struct sok_engine *e, size_t want)
{
    size_t n = near(e);
    for (int i = 0; i < 1000 && n != want; i++) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        n = near(e);
    }
    return n;
}

static void test_own_index(void **state)
{
    (void)state;
    struct sok_engine *e = engine(NULL);
    struct sok_alts al;
    sok_spell_near(e, "zorbulvexu", 10, &al);
    assert_int_equal(al.n, 1);
    assert_string_equal(al.a[0].w, "zorbulvexi");
    sok_spell_near(e, "zorbulvexi", 10, &al);
    assert_int_equal(al.n, 0);          /* never the word itself */
    sok_engine_free(e);
}

static void test_shared_rebuild(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_spell_shared *s = NULL;
    assert_int_equal(sok_spell_shared_new(g_db, &s, &err), 0);
    struct sok_engine *a = engine(s), *b = engine(s);
    sok_spell_prepare(a);
    size_t before = near(a);
    assert_int_equal(near(b), before);
    commit_word("zorbulvexa", 0);
    assert_int_equal(near_eventually(a, before + 1), before + 1);
    assert_int_equal(near(b), before + 1);  /* the same rebuild */
    sok_engine_free(b);                     /* one holder gone: still held */
    assert_int_equal(near(a), before + 1);
    sok_engine_free(a);
    sok_spell_shared_free(s);
}

static void test_free_during_rebuild(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_spell_shared *s = NULL;
    assert_int_equal(sok_spell_shared_new(g_db, &s, &err), 0);
    struct sok_engine *a = engine(s);
    size_t before = near(a);                /* built here: nothing to
                                               fall back on */
    commit_word("zorbulvexo", 0);
    assert_int_equal(near(a), before);      /* starts the rebuild */
    sok_engine_free(a);
    sok_spell_shared_free(s);               /* stops and joins it */
    sok_spell_shared_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_index),
        cmocka_unit_test(test_shared_rebuild),
        cmocka_unit_test(test_free_during_rebuild),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
