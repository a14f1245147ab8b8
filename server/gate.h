/*
 * gate: the first reader of every connection's bytes, ahead of evhttp.
 * evhttp answers what it cannot take (a request line or headers over its
 * limit, a body, a malformed line) itself, with an HTML page that carries
 * none of sok's headers, no JSON and no access-log line, and libevent 2.1
 * offers no hook to change that (a filtering bufferevent would do, but
 * evhttp 2.1 stalls on one: it enables writing after queueing the reply,
 * and a filter only moves output when data is added).  So the gate watches
 * the socket's own input buffer: its callback runs as bytes arrive, before
 * evhttp's read callback parses them, and reads each request head line by
 * line as lines complete.  What it refuses never reaches evhttp: the
 * refused line and everything after it are replaced, by a request for
 * SOK_GATE_PATH<code> when the request line itself is refused, else by a
 * "SOK_GATE_HEADER: <code>" line ending the head, always with
 * "Connection: close".  sok_gate_refusal() finds the code in the request
 * evhttp then hands over, and the server answers it like any other error:
 * the contract's JSON, nosniff, an access-log line.
 *
 * A head passes when its request line is METHOD SP TARGET SP HTTP/d.d with
 * a method evhttp knows and a target in origin, absolute or asterisk form,
 * within SOK_GATE_LINE_MAX bytes; its header lines are "name: value"
 * without control characters or folding, all of it within
 * SOK_GATE_HEAD_MAX bytes; and it announces no body (a Content-Length
 * other than 0, any Transfer-Encoding): sok answers GET and HEAD, and a
 * body it would not read is where request smuggling hides.  Blank lines
 * between requests are taken out (evhttp 2.1 would answer them in HTML).
 */
#ifndef SOK_GATE_H
#define SOK_GATE_H

#include <stddef.h>

struct bufferevent;
struct evhttp_request;

#define SOK_GATE_LINE_MAX 8192      /* the request line */
#define SOK_GATE_HEAD_MAX 16384     /* request line and headers */
#define SOK_GATE_PATH "/-/refused/" /* + the refusal's -SOK_E* code */
#define SOK_GATE_HEADER "X-Sok-Refused"

/* The request line l[0..n) (without its line end): 0, or the SOK_E* code
 * to refuse it with (SOK_EREQUEST, SOK_EMETHOD). */
int sok_gate_request_line(const char *l, size_t n);

/* One header line l[0..n) of a head; *seen_length tells whether the head
 * had a Content-Length before.  0, or the SOK_E* code to refuse it with
 * (SOK_EREQUEST, SOK_EBODY). */
int sok_gate_header_line(const char *l, size_t n, int *seen_length);

/* The gates of one worker thread's connections.  Not thread-safe: one
 * per worker, used only by its thread. */
struct sok_gates;
int sok_gates_new(struct sok_gates **out);
/* Frees gs and every gate in it; call after the connections are gone. */
void sok_gates_free(struct sok_gates *gs);

/* Puts a gate on the input of bev, a new connection's socket bufferevent.
 * 0, or SOK_ENOMEM (bev is then left without one). */
int sok_gates_attach(struct sok_gates *gs, struct bufferevent *bev);

/* A gate lives as long as its connection, which the gate cannot see
 * close: a sweep of the worker's live connections marks each one it meets
 * (sok_gates_seen, with the socket bufferevent), then sok_gates_reap
 * frees the gates that two sweeps in a row did not meet.  A connection's
 * events are off only while one of its requests is being answered, so
 * the caller must not reap from inside a request. */
void sok_gates_seen(struct sok_gates *gs, const void *bev);
void sok_gates_reap(struct sok_gates *gs);

/* The SOK_E* code the gate refused req with, 0 when it refused nothing. */
int sok_gate_refusal(struct evhttp_request *req);

#endif /* SOK_GATE_H */
