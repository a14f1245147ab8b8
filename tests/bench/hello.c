/*
 * hello: the floor for `make bench-http`.  A minimal single-threaded evhttp
 * server answering every request with a fixed 1 KiB body, so sok-server's
 * numbers can be read against what evhttp itself costs on this machine.
 *
 *   hello [--listen 127.0.0.1:0]   prints "listening on ADDR:PORT" on stderr
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

static char g_body[1024];

static void on_request(struct evhttp_request *req, void *arg)
{
    (void)arg;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/plain");
    evbuffer_add(evhttp_request_get_output_buffer(req), g_body,
                 sizeof g_body);
    evhttp_send_reply(req, 200, "OK", NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 0;
    if (argc == 3 && strcmp(argv[1], "--listen") == 0) {
        static char h[64];
        const char *colon = strrchr(argv[2], ':');
        if (colon == NULL || (size_t)(colon - argv[2]) >= sizeof h) {
            fprintf(stderr, "usage: hello [--listen ADDR:PORT]\n");
            return 1;
        }
        memcpy(h, argv[2], (size_t)(colon - argv[2]));
        host = h;
        port = atoi(colon + 1);
    }
    memset(g_body, 'x', sizeof g_body - 1);
    g_body[sizeof g_body - 1] = '\n';
    signal(SIGPIPE, SIG_IGN);

    struct event_base *base = event_base_new();
    struct evhttp *http = base ? evhttp_new(base) : NULL;
    if (http == NULL)
        return 1;
    evhttp_set_gencb(http, on_request, NULL);
    struct evhttp_bound_socket *b =
        evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)port);
    if (b == NULL) {
        fprintf(stderr, "hello: cannot listen on %s:%d\n", host, port);
        return 1;
    }
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    getsockname(evhttp_bound_socket_get_fd(b), (struct sockaddr *)&sa, &len);
    fprintf(stderr, "listening on %s:%u\n", host, ntohs(sa.sin_port));

    struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
    event_add(term, NULL);
    event_add(intr, NULL);
    event_base_dispatch(base);
    event_free(term);
    event_free(intr);
    evhttp_free(http);
    event_base_free(base);
    return 0;
}
