/*
 * sok_child: the sandboxed child-process runner of sok_child.h.  The
 * parent forks, the child sets its resource limits, wires stdin to
 * /dev/null and stdout/stderr to two pipes and execs the tool; the parent
 * polls both pipes against the deadline and the output cap, then waits
 * for the child, killing it when it overstays.  Every resource of a run
 * (pipes, the child, the buffers) starts out empty and is released on one
 * path at the end of sok_child_run(), so no failure can leak a descriptor
 * or leave a zombie.
 */
#include "sok_child.h"
#include "sok_buf.h"
#include "sok_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* stderr is kept only for its first line: this much is plenty. */
#define ERR_KEEP 4096

/* How long the parent sleeps between looks at a child that has closed its
 * pipes but not yet exited. */
#define REAP_POLL_NS (10 * 1000 * 1000)

void sok_child_result_clear(struct sok_child_result *r)
{
    if (r == NULL)
        return;
    free(r->out);
    memset(r, 0, sizeof *r);
}

int sok_child_find_exe(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0')
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *e = strchr(path, ':');
        size_t n = e ? (size_t)(e - path) : strlen(path);
        if (n > 0 && n + 1 + strlen(name) + 1 <= cap) {
            memcpy(out, path, n);
            out[n] = '/';
            strcpy(out + n + 1, name);
            if (access(out, X_OK) == 0)
                return 1;
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return 0;
}

/* In the child, between fork and exec: only async-signal-safe calls.
 * Limits the child, puts /dev/null on stdin and the pipes' write ends
 * on stdout and stderr, and execs exe; never returns (126 when stdio
 * cannot be set up, 127 when exec fails). */
_Noreturn static void child_exec(const char *exe, const char *const argv[],
                                 unsigned timeout_s, int out_fd, int err_fd)
{
    struct rlimit as = { (rlim_t)SOK_CHILD_AS_LIMIT,
                         (rlim_t)SOK_CHILD_AS_LIMIT };
    /* SIGXCPU at the soft limit, SIGKILL a second later */
    struct rlimit cpu = { (rlim_t)timeout_s, (rlim_t)timeout_s + 1 };
    struct rlimit core = { 0, 0 };
    setrlimit(RLIMIT_AS, &as);
    setrlimit(RLIMIT_CPU, &cpu);
    setrlimit(RLIMIT_CORE, &core);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(out_fd, 1) < 0 ||
        dup2(err_fd, 2) < 0)
        _exit(126);
    /* dup2 onto the same number keeps close-on-exec: clear it */
    for (int k = 0; k < 3; k++)
        fcntl(k, F_SETFD, 0);
    execv(exe, (char *const *)argv);
    _exit(127);
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static void kill_and_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static long long now_ms(void)
{
    return sok_clock_us() / 1000;
}

/* One run, as the parent sees it.  pid is -1 when there is no child to
 * kill: not started, reaped, or no longer ours to wait for (its pid may
 * have been reused).  The descriptors are the pipes' read ends, -1 once
 * closed. */
struct run {
    const char *tool;            /* argv[0], for messages */
    pid_t pid;
    int out_fd, err_fd;
    struct sok_buf out, err;
    long long deadline_ms;
    size_t max_out;
};

/* Reads what *fd holds into chunk[0..cap).  Returns the bytes read; 0 at
 * end of file or on a read error, after which *fd is closed; -1 on EINTR
 * (nothing happened, try again). */
static ssize_t read_some(int *fd, char *chunk, size_t cap)
{
    ssize_t r = read(*fd, chunk, cap);
    if (r > 0)
        return r;
    if (r < 0 && errno == EINTR)
        return -1;
    close_fd(fd);
    return 0;
}

/* Reads both pipes until both reach end of file (*end stays
 * SOK_CHILD_EXITED), the deadline passes (SOK_CHILD_TIMEOUT) or stdout
 * passes the cap (SOK_CHILD_TOOBIG).  Returns 0, or SOK_EIO / SOK_ENOMEM
 * with err set. */
static int pump(struct run *r, enum sok_child_end *end, struct sok_err *err)
{
    char chunk[65536];
    int rc = 0;
    while ((r->out_fd >= 0 || r->err_fd >= 0) && !rc) {
        long long left = r->deadline_ms - now_ms();
        if (left <= 0) {
            *end = SOK_CHILD_TIMEOUT;
            return 0;
        }
        struct pollfd pf[2];
        int np = 0, io = -1, ie = -1;
        if (r->out_fd >= 0) {
            pf[np].fd = r->out_fd;
            pf[np].events = POLLIN;
            io = np++;
        }
        if (r->err_fd >= 0) {
            pf[np].fd = r->err_fd;
            pf[np].events = POLLIN;
            ie = np++;
        }
        if (poll(pf, (nfds_t)np, left > INT_MAX ? INT_MAX : (int)left) < 0) {
            if (errno == EINTR)
                continue;
            return sok_err_set(err, SOK_EIO, "poll: %s", strerror(errno));
        }
        if (io >= 0 && pf[io].revents) {
            ssize_t k = read_some(&r->out_fd, chunk, sizeof chunk);
            if (k > 0 && r->out.n + (size_t)k > r->max_out) {
                *end = SOK_CHILD_TOOBIG;
                return 0;
            }
            if (k > 0)
                sok_buf_append(&r->out, chunk, (size_t)k, &rc);
        }
        if (ie >= 0 && pf[ie].revents) {
            ssize_t k = read_some(&r->err_fd, chunk, sizeof chunk);
            if (k > 0 && r->err.n < ERR_KEEP)
                sok_buf_append(&r->err, chunk, (size_t)k, &rc);
        }
    }
    if (rc)
        return sok_err_set(err, rc, "out of memory reading %s output",
                           r->tool);
    return 0;
}

/* Waits for the child once its pipes are closed.  A child that was
 * stopped early (*end TIMEOUT or TOOBIG) is killed; one that closed its
 * pipes but keeps running is killed at the deadline (*end becomes
 * SOK_CHILD_TIMEOUT).  Otherwise *end and *status say how it ended.
 * Returns 0, or SOK_EIO when the child cannot be waited for. */
static int reap(struct run *r, enum sok_child_end *end, int *status,
                struct sok_err *err)
{
    if (*end != SOK_CHILD_EXITED) {
        kill_and_reap(r->pid);
        r->pid = -1;
        return 0;
    }
    int st = 0;
    for (;;) {
        pid_t w = waitpid(r->pid, &st, WNOHANG);
        if (w == r->pid)
            break;
        if (w < 0 && errno != EINTR) {
            int e = errno;
            r->pid = -1;
            return sok_err_set(err, SOK_EIO, "waitpid: %s", strerror(e));
        }
        if (now_ms() >= r->deadline_ms) {
            kill_and_reap(r->pid);
            r->pid = -1;
            *end = SOK_CHILD_TIMEOUT;
            return 0;
        }
        struct timespec ts = { 0, REAP_POLL_NS };
        nanosleep(&ts, NULL);
    }
    r->pid = -1;
    if (WIFSIGNALED(st)) {
        *end = SOK_CHILD_SIGNALED;
        *status = WTERMSIG(st);
    } else {
        *status = WEXITSTATUS(st);
    }
    return 0;
}

/* The first line of b, cut to fit out[cap]. */
static void first_line(const struct sok_buf *b, char *out, size_t cap)
{
    size_t k = 0;
    while (k < b->n && k + 1 < cap && b->p[k] != '\n') {
        out[k] = b->p[k];
        k++;
    }
    out[k] = '\0';
}

int sok_child_run(const char *exe, const char *const argv[],
                  const struct sok_child_limits *lim,
                  struct sok_child_result *res, struct sok_err *err)
{
    int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
    struct run r = { argv[0], -1, -1, -1, SOK_BUF_INIT, SOK_BUF_INIT, 0,
                     lim->max_out };
    enum sok_child_end end = SOK_CHILD_EXITED;
    int status = 0, rc = 0;
    sok_child_result_clear(res);

    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        rc = sok_err_set(err, SOK_EIO, "pipe: %s", strerror(errno));
        goto done;
    }
    r.pid = fork();
    if (r.pid < 0) {
        rc = sok_err_set(err, SOK_EIO, "fork: %s", strerror(errno));
        goto done;
    }
    if (r.pid == 0)
        child_exec(exe, argv, lim->timeout_s, po[1], pe[1]);
    close_fd(&po[1]);
    close_fd(&pe[1]);
    r.out_fd = po[0];
    r.err_fd = pe[0];
    po[0] = pe[0] = -1;
    r.deadline_ms = now_ms() + (long long)lim->timeout_s * 1000;

    rc = pump(&r, &end, err);
    close_fd(&r.out_fd);
    close_fd(&r.err_fd);
    if (rc == 0)
        rc = reap(&r, &end, &status, err);
    if (rc == 0 && end == SOK_CHILD_EXITED &&
        (res->out = sok_buf_detach(&r.out, &res->outlen)) == NULL)
        rc = sok_err_set(err, SOK_ENOMEM, "out of memory reading %s output",
                         r.tool);
    if (rc == 0) {
        res->end = end;
        res->status = status;
        first_line(&r.err, res->errline, sizeof res->errline);
    }

done:
    if (r.pid > 0)
        kill_and_reap(r.pid);
    close_fd(&po[0]);
    close_fd(&po[1]);
    close_fd(&pe[0]);
    close_fd(&pe[1]);
    close_fd(&r.out_fd);
    close_fd(&r.err_fd);
    sok_buf_free(&r.out);
    sok_buf_free(&r.err);
    return rc;
}
