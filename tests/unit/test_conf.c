/*
 * test_conf: the config file reader (common/sok_conf.h): key lines, bare
 * switches, comments, white space, bad lines with their line numbers, a
 * missing file, NUL bytes; the switch values; key lookup in an option
 * table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sok_conf.h"

struct seen {
    char lines[8][96];
    size_t n;
};

static int collect(void *ctx, const char *key, const char *value,
                   unsigned line, struct sok_err *err)
{
    struct seen *s = ctx;
    if (strcmp(key, "stop") == 0)
        return sok_err_set(err, SOK_EINVAL, "stopped at %u", line);
    if (s->n < 8)
        snprintf(s->lines[s->n++], 96, "%u:%s=%s", line, key,
                 value ? value : "(none)");
    return 0;
}

static char *write_tmp(const char *text, size_t len)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sok-test-conf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_read_lines(void **state)
{
    (void)state;
    static const char text[] =
        "# a comment\n"
        "\n"
        "db = /var/lib/sok/index\n"
        "  listen=127.0.0.1:8080   # where\n"
        "quiet\n"
        "path = /srv/a b#c\r\n"
        "staff-allow =\n";
    char *p = write_tmp(text, sizeof text - 1);
    struct seen s = { .n = 0 };
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_conf_read(p, collect, &s, &err), 0);
    assert_int_equal(s.n, 5);
    assert_string_equal(s.lines[0], "3:db=/var/lib/sok/index");
    assert_string_equal(s.lines[1], "4:listen=127.0.0.1:8080");
    assert_string_equal(s.lines[2], "5:quiet=(none)");
    /* '#' inside a value is kept, a space inside too */
    assert_string_equal(s.lines[3], "6:path=/srv/a b#c");
    assert_string_equal(s.lines[4], "7:staff-allow=");
    unlink(p);
}

static void test_bad_lines(void **state)
{
    (void)state;
    struct seen s = { .n = 0 };
    struct sok_err err = SOK_ERR_INIT;
    char *p = write_tmp("db = x\nnot a key = y\n", 20);
    assert_int_equal(sok_conf_read(p, collect, &s, &err), SOK_EINVAL);
    assert_non_null(strstr(err.msg, ":2: expected"));
    unlink(p);

    sok_err_clear(&err);
    p = write_tmp("a = 1\nstop\nb = 2\n", 18);
    assert_int_equal(sok_conf_read(p, collect, &s, &err), SOK_EINVAL);
    assert_string_equal(err.msg, "stopped at 2");
    unlink(p);

    sok_err_clear(&err);
    p = write_tmp("a = 1\0x\n", 8);
    assert_int_equal(sok_conf_read(p, collect, &s, &err), SOK_EINVAL);
    assert_non_null(strstr(err.msg, ":1: a NUL byte"));
    unlink(p);

    sok_err_clear(&err);
    assert_int_equal(sok_conf_read("/nonexistent/sok.conf", collect, &s,
                                   &err), SOK_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/sok.conf"));
}

static void test_bool(void **state)
{
    (void)state;
    assert_int_equal(sok_conf_bool(NULL), 1);
    assert_int_equal(sok_conf_bool("yes"), 1);
    assert_int_equal(sok_conf_bool("TRUE"), 1);
    assert_int_equal(sok_conf_bool("on"), 1);
    assert_int_equal(sok_conf_bool("1"), 1);
    assert_int_equal(sok_conf_bool("no"), 0);
    assert_int_equal(sok_conf_bool("Off"), 0);
    assert_int_equal(sok_conf_bool("0"), 0);
    assert_int_equal(sok_conf_bool("maybe"), -1);
    assert_int_equal(sok_conf_bool(""), -1);
}

static void test_option(void **state)
{
    (void)state;
    static const struct option opts[] = {
        { "db", required_argument, NULL, 1 },
        { "quiet", no_argument, NULL, 2 },
        { "config", required_argument, NULL, 3 },
        { NULL, 0, NULL, 0 },
    };
    const struct option *o = NULL;
    int on = -5;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_conf_option(opts, 3, "f", "db", "x", 1, &o, &on,
                                     &err), 0);
    assert_int_equal(o->val, 1);
    assert_int_equal(on, 1);
    assert_int_equal(sok_conf_option(opts, 3, "f", "quiet", "no", 2, &o, &on,
                                     &err), 0);
    assert_int_equal(o->val, 2);
    assert_int_equal(on, 0);
    assert_int_equal(sok_conf_option(opts, 3, "f", "quiet", "perhaps", 3, &o,
                                     &on, &err), SOK_EINVAL);
    assert_non_null(strstr(err.msg, "f:3: quiet takes yes or no"));
    sok_err_clear(&err);
    assert_int_equal(sok_conf_option(opts, 3, "f", "db", "", 4, &o, &on,
                                     &err), SOK_EINVAL);
    assert_non_null(strstr(err.msg, "f:4: db needs a value"));
    sok_err_clear(&err);
    /* the command line's own option is no key */
    assert_int_equal(sok_conf_option(opts, 3, "f", "config", "y", 5, &o, &on,
                                     &err), SOK_EINVAL);
    assert_non_null(strstr(err.msg, "f:5: unknown key config"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_lines),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
