/*
 * test_shards: the shards file of sok-server --shards (server/shards.h):
 * paths and "remote HOST:PORT" lines, comments and blank lines, names as
 * answers give them, bad lines refused with their line number; and a set
 * over two local databases opened as one, a shard left out and taken back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shards.h"
#include "sok_xapian.h"

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sok-test-shards-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_parse(void **state)
{
    (void)state;
    char *p = write_tmp("# shards\n\nremote   10.0.0.5:7001  # first\n"
                        "  /var/lib/sok/index/shard-1\nremote [::1]:7002\n");
    struct sok_shards *s = NULL;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_shards_load(p, 500, &s, &err), 0);
    assert_int_equal(sok_shards_count(s), 3);
    assert_string_equal(sok_shards_name(s, 0), "remote 10.0.0.5:7001");
    assert_string_equal(sok_shards_name(s, 1), "/var/lib/sok/index/shard-1");
    assert_string_equal(sok_shards_name(s, 2), "remote [::1]:7002");
    assert_int_equal(sok_shards_up(s, 0, NULL), 1);
    sok_shards_free(s);
    unlink(p);
}

static void test_bad_lines(void **state)
{
    (void)state;
    static const char *const bad[] = { "remote 10.0.0.5\n", "remote :7001\n",
                                       "ok\nremote h:0\n", "remote h:70000\n",
                                       "# nothing\n\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *p = write_tmp(bad[i]);
        struct sok_shards *s = NULL;
        struct sok_err err = SOK_ERR_INIT;
        assert_int_equal(sok_shards_load(p, 500, &s, &err), SOK_EINVAL);
        assert_null(s);
        if (i == 2)
            assert_non_null(strstr(err.msg, ":2:"));
        unlink(p);
    }
    struct sok_shards *s = NULL;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_shards_load("/nonexistent/shards", 500, &s, &err),
                     SOK_EIO);
}

/* A database of one document with term t, at a fresh path. */
static void make_db(char *path, const char *t)
{
    strcpy(path, "/tmp/sok-test-shardsdb-XXXXXX");
    assert_non_null(mkdtemp(path));
    struct sok_xw *w = NULL;
    struct sok_xdoc *d = NULL;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_xw_open(path, SOK_XW_CREATE, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    assert_int_equal(sok_xdoc_new(&d, &err), 0);
    assert_int_equal(sok_xdoc_add_term(d, t, strlen(t), 1, &err), 0);
    assert_int_equal(sok_xw_replace(w, "Qx", d, &err), 0);
    assert_int_equal(sok_xw_commit(w, &err), 0);
    sok_xdoc_free(d);
    sok_xw_free(w);
}

static void test_local_set(void **state)
{
    (void)state;
    char a[64], b[64], text[160];
    make_db(a, "apa");
    make_db(b, "bepa");
    snprintf(text, sizeof text, "%s\n%s\n", a, b);
    char *p = write_tmp(text);
    struct sok_shards *s = NULL;
    struct sok_xr *xr = NULL;
    struct sok_err err = SOK_ERR_INIT;
    unsigned epoch[SOK_SHARDS_MAX];
    unsigned long n = 0;
    assert_int_equal(sok_shards_load(p, 500, &s, &err), 0);
    assert_int_equal(sok_shards_open(s, &xr, epoch, &err), 0);
    assert_int_equal(sok_xr_doccount(xr, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sok_shards_note(s, xr, epoch), 0);
    assert_int_equal(sok_xr_shard_drop(xr, 1, &err), 0);
    assert_int_equal(sok_xr_doccount(xr, &n, &err), 0);
    assert_int_equal(n, 1);
    /* Left out by the reader while the set held it up: now down there. */
    assert_int_equal(sok_shards_note(s, xr, epoch), 2);
    assert_int_equal(sok_shards_up(s, 1, NULL), 0);
    assert_int_equal(sok_xr_shard_retry(xr, 1, &err), 0);
    assert_int_equal(sok_xr_doccount(xr, &n, &err), 0);
    assert_int_equal(n, 2);
    /* The last shard cannot go: a reader of none is refused. */
    assert_int_equal(sok_xr_shard_drop(xr, 0, &err), 0);
    assert_int_equal(sok_xr_shard_drop(xr, 1, &err), SOK_ENODB);
    sok_xr_free(xr);
    sok_shards_free(s);
    unlink(p);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", a, b);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_local_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
