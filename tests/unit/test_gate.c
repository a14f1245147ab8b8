/*
 * test_gate: the gate in front of evhttp (server/gate.c): which request
 * lines and header lines pass, and the gate on a real input buffer fed in
 * pieces and drained line by line as evhttp drains it: good heads pass
 * untouched, a refused one is replaced by what tells the server to answer
 * the refusal, and nothing after it gets through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "gate.h"
#include "sok_err.h"

static void test_request_lines(void **state)
{
    (void)state;
    static const struct { const char *l; int code; } cases[] = {
        { "GET / HTTP/1.1", 0 },
        { "HEAD /api/search?q=a%20b HTTP/1.0", 0 },
        { "GET http://example.se/ HTTP/1.1", 0 },
        { "OPTIONS * HTTP/1.1", 0 },
        { "POST /x HTTP/1.1", 0 },              /* the handler says 405 */
        { "FOO / HTTP/1.1", SOK_EMETHOD },
        { "CONNECT /api/search?q=x HTTP/1.1", SOK_EMETHOD },  /* a tunnel */
        { "get / HTTP/1.1", SOK_EREQUEST },
        { "GET /", SOK_EREQUEST },              /* HTTP/0.9 */
        { "GET / HTTP/1.1 x", SOK_EREQUEST },
        { "GET  / HTTP/1.1", SOK_EREQUEST },
        { "GET / HTTP/11", SOK_EREQUEST },
        { "GET a HTTP/1.1", SOK_EREQUEST },
        { "GET /a\x7f HTTP/1.1", SOK_EREQUEST },
        { "GET /a\tb HTTP/1.1", SOK_EREQUEST },
        { "", SOK_EREQUEST },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = sok_gate_request_line(cases[i].l, strlen(cases[i].l));
        if (rc != cases[i].code)
            fail_msg("%s: %d, want %d", cases[i].l, rc, cases[i].code);
    }
}

static void test_header_lines(void **state)
{
    (void)state;
    static const struct { const char *l; int code; } cases[] = {
        { "Host: example.se", 0 },
        { "Accept:", 0 },
        { "X-A:  v\tw ", 0 },
        { "Content-Length: 0", 0 },
        { "content-length: 000", 0 },
        { "Content-Length: 5", SOK_EBODY },
        { "Transfer-Encoding: chunked", SOK_EBODY },
        { "TRANSFER-ENCODING: identity", SOK_EBODY },
        { "Content-Length: 1e3", SOK_EREQUEST },
        { "Content-Length:", SOK_EREQUEST },
        { " folded", SOK_EREQUEST },
        { "Host example.se", SOK_EREQUEST },
        { ": v", SOK_EREQUEST },
        { "Bad Name: v", SOK_EREQUEST },
        { "X-A: a\rb", SOK_EREQUEST },
        { "X-Sok-Refused: 0", SOK_EREQUEST },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int seen = 0;
        int rc = sok_gate_header_line(cases[i].l, strlen(cases[i].l), &seen);
        if (rc != cases[i].code)
            fail_msg("%s: %d, want %d", cases[i].l, rc, cases[i].code);
    }
    int seen = 0;
    assert_int_equal(sok_gate_header_line("Content-Length: 0", 17, &seen), 0);
    assert_int_equal(sok_gate_header_line("Content-Length: 0", 17, &seen),
                     SOK_EREQUEST);     /* two lengths */
}

struct conn {
    struct event_base *base;
    struct bufferevent *bev;
    struct sok_gates *gs;
    struct evbuffer *in;
};

static void conn_open(struct conn *c)
{
    c->base = event_base_new();
    assert_non_null(c->base);
    c->bev = bufferevent_socket_new(c->base, -1, 0);
    assert_non_null(c->bev);
    assert_int_equal(sok_gates_new(&c->gs), 0);
    assert_int_equal(sok_gates_attach(c->gs, c->bev), 0);
    c->in = bufferevent_get_input(c->bev);
    /* A bufferevent's input takes bytes only from the socket; the test
     * stands in for it. */
    evbuffer_unfreeze(c->in, 0);
}

static void conn_close(struct conn *c)
{
    bufferevent_free(c->bev);
    sok_gates_free(c->gs);
    event_base_free(c->base);
}

/* Feeds s in pieces of step bytes, and after each piece reads complete
 * lines off the front as evhttp does; returns what evhttp read, the
 * lines joined with "\n" (owned). */
static char *feed(struct conn *c, const char *s, size_t step)
{
    size_t n = strlen(s), cap = 2 * n + 256, o = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    for (size_t i = 0; i < n; i += step) {
        evbuffer_add(c->in, s + i, i + step < n ? step : n - i);
        char *line;
        size_t len;
        while ((line = evbuffer_readln(c->in, &len, EVBUFFER_EOL_CRLF))) {
            if (o + len + 2 < cap) {
                memcpy(out + o, line, len);
                o += len;
                out[o++] = '\n';
            }
            free(line);
        }
    }
    return out;
}

static void test_gate_on_a_buffer(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } cases[] = {
        { "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
          "GET /a HTTP/1.1\nHost: x\n\nGET /b HTTP/1.1\n\n" },
        { "\r\nGET /a HTTP/1.1\r\n\r\n", "GET /a HTTP/1.1\n\n" },
        { "GET /a HTTP/1.1\r\n\r\n\r\n\nGET /b HTTP/1.1\r\n\r\n",
          "GET /a HTTP/1.1\n\nGET /b HTTP/1.1\n\n" },
        { "GET /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /x HTTP/1.1\r\n",
          "GET /a HTTP/1.1\nX-Sok-Refused: 32\nConnection: close\n\n" },
        { "FOO /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
          "GET /-/refused/18 HTTP/1.1\nConnection: close\n\n" },
        { "GET /a HTTP/1.1\r\nHost: x\r\n\r\nJUNK\r\n\r\n",
          "GET /a HTTP/1.1\nHost: x\n\nGET /-/refused/33 HTTP/1.1\n"
          "Connection: close\n\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t step = 1; step <= 64; step *= 4) {
            struct conn c;
            conn_open(&c);
            char *got = feed(&c, cases[i].in, step);
            if (strcmp(got, cases[i].want) != 0)
                fail_msg("case %zu step %zu:\n%s\nwant\n%s", i, step, got,
                         cases[i].want);
            free(got);
            conn_close(&c);
        }

    /* A request line, then headers, over their limits: refused as soon as
     * the limit is passed, before the line ends. */
    char *big = malloc(SOK_GATE_HEAD_MAX * 2);
    assert_non_null(big);
    memset(big, 'a', SOK_GATE_HEAD_MAX * 2 - 1);
    big[SOK_GATE_HEAD_MAX * 2 - 1] = '\0';
    memcpy(big, "GET /", 5);
    struct conn c;
    conn_open(&c);
    char *got = feed(&c, big, 1000);
    assert_string_equal(got, "GET /-/refused/30 HTTP/1.1\nConnection: "
                             "close\n\n");
    free(got);
    conn_close(&c);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    conn_open(&c);
    got = feed(&c, big, 1000);
    assert_string_equal(got, "GET / HTTP/1.1\nX-Sok-Refused: 31\n"
                             "Connection: close\n\n");
    free(got);
    conn_close(&c);
    free(big);
}

static void test_reap(void **state)
{
    (void)state;
    struct conn c;
    conn_open(&c);
    /* Met by every sweep: kept. */
    for (int i = 0; i < 5; i++) {
        sok_gates_seen(c.gs, c.bev);
        sok_gates_reap(c.gs);
    }
    char *got = feed(&c, "GET /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", 7);
    assert_non_null(strstr(got, "X-Sok-Refused: 32"));
    free(got);
    /* Gone from two sweeps: its gate is freed (ASan sees a leak or a
     * use after free otherwise); the buffer goes first, as evhttp frees
     * a connection. */
    bufferevent_free(c.bev);
    sok_gates_reap(c.gs);
    sok_gates_reap(c.gs);
    sok_gates_free(c.gs);
    event_base_free(c.base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_lines),
        cmocka_unit_test(test_header_lines),
        cmocka_unit_test(test_gate_on_a_buffer),
        cmocka_unit_test(test_reap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
