/*
 * test_zerolog: the table of searches that found nothing
 * (server/zerolog.c): the key (folded, white space collapsed, cut at a
 * character, personal-looking queries never kept); counts per day over
 * the 30-day window; the least valuable entry evicted from a full table
 * (expired ones first); the file written and read back (a round trip, a
 * corrupt or foreign file ignored and replaced); notes from several
 * threads at once.  Also the staff allow list and views (server/staff.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sok_text.h"
#include "staff.h"
#include "zerolog.h"

#define DAY 86400
#define T(d) ((time_t)(20000 + (d)) * DAY + 3600)  /* day d of the test */

static char g_dir[64];

static int group_setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/sok_test_zerolog_XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd);
}

static const char *key(const char *q)
{
    static char k[SOK_ZEROLOG_KEY_MAX + 1];
    sok_zerolog_key(q, strlen(q), k, sizeof k);
    return k;
}

static void test_key(void **state)
{
    (void)state;
    assert_string_equal(key("  Hej \t\n  DÅ  "), "hej då");
    assert_string_equal(key("A\xCC\x8A" "ke"), "\xC3\xA5ke");    /* NFC */
    assert_string_equal(key("ett\xC2\xA0tv\xC3\xA5"), "ett två"); /* NBSP */
    assert_string_equal(key("STRASSE"), "strasse");
    assert_string_equal(key("   "), "");
    /* personal-looking: never kept */
    assert_string_equal(key("personnummer 850101-1234"), "");
    assert_string_equal(key("ring 042-10 50 00"), "");
    assert_string_equal(key("anna@example.se"), "");
    assert_string_equal(key("0701234567"), "");
    /* numbers that are not */
    assert_string_equal(key("postnummer 252 25"), "postnummer 252 25");
    assert_string_equal(key("budget 2017 och 2018"), "budget 2017 och 2018");
    assert_string_equal(key("dnr 2017/123"), "dnr 2017/123");
    /* cut at a character, within the bound */
    char q[400] = "";
    for (int i = 0; i < 150; i++)
        strcat(q, "\xC3\xA5");              /* 300 bytes of "å" */
    size_t n = sok_zerolog_key(q, strlen(q), (char[SOK_ZEROLOG_KEY_MAX + 1]){0},
                               SOK_ZEROLOG_KEY_MAX + 1);
    assert_int_equal(n, SOK_ZEROLOG_KEY_MAX);
    assert_true(sok_text_utf8_valid(key(q), strlen(key(q))));
    char small[8];
    assert_int_equal(sok_zerolog_key("abcdefghij", 10, small, sizeof small),
                     7);
    assert_string_equal(small, "abcdefg");
}

static struct sok_zerolog *open_log(const char *path, size_t entries,
                                    FILE *diag)
{
    struct sok_zerolog_cfg cfg = SOK_ZEROLOG_CFG_INIT;
    cfg.path = path;
    cfg.entries = entries;
    cfg.diag = diag;
    struct sok_zerolog *z = NULL;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_zerolog_new(&cfg, &z, &err), 0);
    return z;
}

static void note(struct sok_zerolog *z, const char *q, int times, time_t t)
{
    for (int i = 0; i < times; i++)
        sok_zerolog_note(z, q, strlen(q), t);
}

/* Rows at t, asserted to be n. */
static struct sok_zerolog_row *top(struct sok_zerolog *z, time_t t,
                                   size_t want)
{
    struct sok_zerolog_row *rows = NULL;
    size_t n = 99;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_zerolog_top(z, t, 0, &rows, &n, &err), 0);
    assert_int_equal(n, want);
    return rows;
}

static void test_counts_and_window(void **state)
{
    (void)state;
    struct sok_zerolog *z = open_log(NULL, 0, NULL);
    note(z, "Bostadsbidrag", 2, T(0));
    note(z, "bostadsbidrag  ", 1, T(10));
    note(z, "Fritidskort", 1, T(5));
    note(z, "", 3, T(5));                   /* nothing to keep */
    note(z, "850101-1234", 3, T(5));
    struct sok_zerolog_row *r = top(z, T(10), 2);
    assert_string_equal(r[0].query, "bostadsbidrag");
    assert_int_equal(r[0].count, 3);
    assert_int_equal(r[0].total, 3);
    assert_int_equal(r[0].first_day, 20000);
    assert_int_equal(r[0].last_day, 20010);
    assert_string_equal(r[1].query, "fritidskort");
    free(r);
    /* day 29 after day 0 is still in the window, day 30 is not */
    r = top(z, T(29), 2);
    assert_int_equal(r[0].count, 3);
    free(r);
    r = top(z, T(30), 2);
    assert_string_equal(r[0].query, "bostadsbidrag");
    assert_int_equal(r[0].count, 1);        /* day 10's only */
    assert_int_equal(r[0].total, 3);
    assert_int_equal(r[1].count, 1);
    free(r);
    r = top(z, T(40), 0);                   /* all out of the window */
    assert_null(r);
    /* a search long after: the old days are not counted again */
    note(z, "fritidskort", 1, T(100));
    r = top(z, T(100), 1);
    assert_int_equal(r[0].count, 1);
    assert_int_equal(r[0].total, 2);
    assert_int_equal(r[0].first_day, 20005);
    free(r);
    struct sok_zerolog_row *none = NULL;
    size_t n = 5;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_zerolog_top(NULL, T(0), 0, &none, &n, &err), 0);
    assert_int_equal(n, 0);
    sok_zerolog_note(NULL, "x", 1, T(0));
    sok_zerolog_free(z);
    sok_zerolog_free(NULL);
}

static void test_eviction(void **state)
{
    (void)state;
    struct sok_zerolog *z = open_log(NULL, 4, NULL);
    note(z, "a", 3, T(0));
    note(z, "b", 2, T(0));
    note(z, "c", 1, T(0));
    note(z, "d", 1, T(1));
    note(z, "e", 1, T(1));                  /* evicts c: one, seen first */
    struct sok_zerolog_row *r = top(z, T(1), 4);
    assert_string_equal(r[0].query, "a");
    assert_string_equal(r[1].query, "b");
    assert_string_equal(r[2].query, "d");   /* then by bytes */
    assert_string_equal(r[3].query, "e");
    free(r);
    /* expired entries go first, whatever they once counted */
    note(z, "a", 100, T(0));
    note(z, "f", 1, T(40));
    note(z, "g", 1, T(40));
    note(z, "h", 1, T(40));
    note(z, "i", 1, T(40));
    r = top(z, T(40), 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r[i].count, 1);
    assert_string_equal(r[0].query, "f");
    free(r);
    /* the most frequent stays while newcomers come and go */
    note(z, "i", 5, T(41));
    for (char c = 'j'; c <= 'z'; c++)
        note(z, (char[2]){ c, 0 }, 1, T(41));
    r = top(z, T(41), 4);
    assert_string_equal(r[0].query, "i");
    assert_int_equal(r[0].count, 6);
    assert_string_equal(r[3].query, "z");   /* the newest always gets in */
    free(r);
    sok_zerolog_free(z);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_persistence(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/zero.json", g_dir);
    struct sok_zerolog *z = open_log(path, 0, NULL);
    note(z, "hemtjänst kväll", 4, T(3));
    note(z, "hemtjänst kväll", 1, T(20));
    note(z, "färdtjänst \"buss\"", 2, T(19));
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_zerolog_save(z, &err), 0);
    assert_int_equal(access(path, R_OK), 0);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(access(tmp, F_OK), 0);     /* renamed away */
    note(z, "ny", 1, T(20));
    sok_zerolog_free(z);                    /* saves what changed */

    z = open_log(path, 0, NULL);
    struct sok_zerolog_row *r = top(z, T(20), 3);
    assert_string_equal(r[0].query, "hemtjänst kväll");
    assert_int_equal(r[0].count, 5);
    assert_int_equal(r[0].total, 5);
    assert_int_equal(r[0].first_day, 20003);
    assert_int_equal(r[0].last_day, 20020);
    assert_string_equal(r[1].query, "färdtjänst \"buss\"");
    assert_int_equal(r[1].count, 2);
    assert_string_equal(r[2].query, "ny");
    free(r);
    r = top(z, T(33), 3);                   /* day 3 has left the window */
    assert_string_equal(r[0].query, "färdtjänst \"buss\"");
    assert_int_equal(r[0].count, 2);
    assert_string_equal(r[1].query, "hemtjänst kväll");
    assert_int_equal(r[1].count, 1);
    free(r);
    sok_zerolog_free(z);
    /* a table smaller than the file: the most valuable are kept */
    z = open_log(path, 1, NULL);
    r = top(z, T(20), 1);
    assert_string_equal(r[0].query, "hemtjänst kväll");
    free(r);
    sok_zerolog_free(z);
}

static void test_corrupt_file(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{not json",
        "{\"format\":\"something else\",\"version\":1,\"queries\":[]}",
        "{\"format\":\"sok-zero-hits\",\"version\":2,\"queries\":[]}",
        "{\"format\":\"sok-zero-hits\",\"version\":1,\"queries\":[{\"query\":"
        "\"x\",\"total\":1,\"first_day\":5,\"last_day\":9,\"days\":[[50,1]]}]}",
        "{\"format\":\"sok-zero-hits\",\"version\":1,\"queries\":[{\"query\":"
        "\"x\",\"total\":1,\"first_day\":5,\"last_day\":9,\"days\":[[9,7]]}]}",
        "{\"format\":\"sok-zero-hits\",\"version\":1,\"queries\":[{\"q\":1}]}",
        "{\"format\":\"sok-zero-hits\",\"version\":1,\"queries\":[{\"query\":"
        "\"x\",\"total\":1,\"first_day\":0,\"last_day\":9,\"days\":[[-5,1]]}]}",
    };
    char path[128];
    snprintf(path, sizeof path, "%s/bad.json", g_dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path, bad[i]);
        char *text = NULL;
        size_t len = 0;
        FILE *diag = open_memstream(&text, &len);
        struct sok_zerolog *z = open_log(path, 0, diag);
        fflush(diag);
        if (text == NULL || strstr(text, "bad.json ignored") == NULL)
            fail_msg("file %zu not reported: %s", i, text ? text : "");
        struct sok_zerolog_row *r = top(z, T(0), 0);
        assert_null(r);
        note(z, "efter", 1, T(0));
        sok_zerolog_free(z);                /* replaced by a good one */
        fclose(diag);
        free(text);
        z = open_log(path, 0, NULL);
        r = top(z, T(0), 1);
        assert_string_equal(r[0].query, "efter");
        free(r);
        sok_zerolog_free(z);
    }
}

struct noter {
    struct sok_zerolog *z;
    int id;
};

static void *noter_main(void *arg)
{
    struct noter *n = arg;
    char q[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(q, sizeof q, "ord %d", i % 50);
        sok_zerolog_note(n->z, q, strlen(q), T(n->id));
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/threads.json", g_dir);
    struct sok_zerolog *z = open_log(path, 40, NULL);
    pthread_t t[4];
    struct noter n[4];
    for (int i = 0; i < 4; i++) {
        n[i] = (struct noter){ z, i };
        assert_int_equal(pthread_create(&t[i], NULL, noter_main, &n[i]), 0);
    }
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_zerolog_save(z, &err), 0);     /* meanwhile */
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    struct sok_zerolog_row *r = top(z, T(3), 40);
    free(r);
    sok_zerolog_free(z);
}

static void test_acl(void **state)
{
    (void)state;
    struct sok_acl a;
    memset(&a, 0, sizeof a);
    struct sockaddr_in v4 = { .sin_family = AF_INET };
    struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
    const struct sockaddr *s4 = (const struct sockaddr *)&v4;
    const struct sockaddr *s6 = (const struct sockaddr *)&v6;
    inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
    assert_true(sok_acl_allows(&a, s4));    /* the default: loopback */
    inet_pton(AF_INET, "127.9.8.7", &v4.sin_addr);
    assert_true(sok_acl_allows(&a, s4));
    inet_pton(AF_INET, "10.0.0.1", &v4.sin_addr);
    assert_false(sok_acl_allows(&a, s4));
    inet_pton(AF_INET6, "::1", &v6.sin6_addr);
    assert_true(sok_acl_allows(&a, s6));
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &v6.sin6_addr);
    assert_true(sok_acl_allows(&a, s6));
    inet_pton(AF_INET6, "fe80::1", &v6.sin6_addr);
    assert_false(sok_acl_allows(&a, s6));
    assert_false(sok_acl_allows(&a, NULL));

    struct sok_err err = SOK_ERR_INIT;
    static const char *const bad[] = {
        "", "/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8x",
        "::1/129", "localhost", "10.0.0.0/-1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sok_err_clear(&err);
        assert_int_equal(sok_acl_add(&a, bad[i], &err), SOK_EINVAL);
    }
    assert_int_equal(a.n, 0);
    assert_int_equal(sok_acl_add(&a, "127.0.0.2", &err), 0);
    assert_int_equal(sok_acl_add(&a, "10.1.0.0/17", &err), 0);
    assert_int_equal(sok_acl_add(&a, "2001:db8::/32", &err), 0);
    inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
    assert_false(sok_acl_allows(&a, s4));   /* a list replaces loopback */
    inet_pton(AF_INET, "127.0.0.2", &v4.sin_addr);
    assert_true(sok_acl_allows(&a, s4));
    inet_pton(AF_INET, "10.1.127.255", &v4.sin_addr);
    assert_true(sok_acl_allows(&a, s4));
    inet_pton(AF_INET, "10.1.128.0", &v4.sin_addr);
    assert_false(sok_acl_allows(&a, s4));
    inet_pton(AF_INET6, "2001:db8:ffff::1", &v6.sin6_addr);
    assert_true(sok_acl_allows(&a, s6));
    inet_pton(AF_INET6, "2001:db9::1", &v6.sin6_addr);
    assert_false(sok_acl_allows(&a, s6));
    assert_int_equal(sok_acl_add(&a, "0.0.0.0/0", &err), 0);
    inet_pton(AF_INET, "192.0.2.1", &v4.sin_addr);
    assert_true(sok_acl_allows(&a, s4));
    while (a.n < SOK_ACL_MAX)
        assert_int_equal(sok_acl_add(&a, "10.0.0.1", &err), 0);
    sok_err_clear(&err);
    assert_int_equal(sok_acl_add(&a, "10.0.0.1", &err), SOK_EINVAL);
}

static void test_views(void **state)
{
    (void)state;
    struct sok_zerolog_row r[2];
    memset(r, 0, sizeof r);
    strcpy(r[0].query, "<b>\"x\" & y");
    r[0].count = 3;
    r[0].total = 4;
    r[0].first_day = 0;
    r[0].last_day = 20424;
    strcpy(r[1].query, "å");
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_staff_json(&b, r, 2, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(b.p, "{\"queries\":[{\"query\":"
                                "\"\\u003cb\\u003e\\\"x\\\" \\u0026 y\","
                                "\"count\":3,\"total\":4,\"first_seen\":"
                                "\"1970-01-01\",\"last_seen\":\"2025-12-02\"}"));
    assert_non_null(strstr(b.p, "],\"days\":30}"));
    sok_buf_reset(&b);
    sok_staff_html(&b, r, 2, &rc);
    assert_int_equal(rc, 0);
    assert_null(strstr(b.p, "<b>"));        /* escaped */
    assert_non_null(strstr(b.p, "&lt;b&gt;"));
    assert_non_null(strstr(b.p, "href=\"/?q=%3Cb%3E"));
    sok_buf_reset(&b);
    sok_staff_json(&b, NULL, 0, &rc);
    assert_string_equal(b.p, "{\"queries\":[],\"days\":30}\n");
    sok_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_counts_and_window),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_persistence),
        cmocka_unit_test(test_corrupt_file),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_acl),
        cmocka_unit_test(test_views),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
