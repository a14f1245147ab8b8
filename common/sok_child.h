/*
 * sok_child: runs an external tool (pdftotext, and any other poppler tool
 * the PDF path needs) on untrusted input in a sandboxed child process.
 * The tool is given an argv, never a shell; it runs with stdin on
 * /dev/null, an address-space limit (SOK_CHILD_AS_LIMIT), a CPU-time
 * limit, no core dumps, and a wall-clock deadline after which it is
 * killed; its stdout is collected up to a cap (beyond it the child is
 * killed) and the first line of its stderr is kept for messages.  Whatever
 * happens, the child is reaped and every descriptor closed before
 * sok_child_run() returns.  What the outcome means (is exit 1 a malformed
 * document?) is the caller's business.  Not part of the public API.
 */
#ifndef SOK_CHILD_H
#define SOK_CHILD_H

#include <stddef.h>
#include "sok_err.h"

/* Address-space limit of the child: a hostile input may make a tool
 * allocate without bound; real documents need far less. */
#define SOK_CHILD_AS_LIMIT ((unsigned long long)1 << 30)

struct sok_child_limits {
    unsigned timeout_s;   /* > 0: wall-clock deadline for the whole run,
                             and the CPU-time limit (SIGXCPU) */
    size_t max_out;       /* > 0: bytes of stdout; more kills the child */
};

/* How a run ended. */
enum sok_child_end {
    SOK_CHILD_EXITED,     /* exited by itself; status: its exit status
                             (126: setting up stdio failed, 127: exec
                             failed) */
    SOK_CHILD_SIGNALED,   /* killed by a signal sok did not send; status:
                             the signal (SIGXCPU: the CPU-time limit) */
    SOK_CHILD_TIMEOUT,    /* killed at the wall-clock deadline */
    SOK_CHILD_TOOBIG      /* killed when stdout passed max_out */
};

struct sok_child_result {
    enum sok_child_end end;
    int status;           /* see enum sok_child_end; 0 otherwise */
    char *out;            /* owned stdout, malloc()ed and NUL-terminated
                             ("" when empty) when end is SOK_CHILD_EXITED;
                             NULL otherwise */
    size_t outlen;        /* bytes of out */
    char errline[160];    /* first line of stderr (cut to fit), "" when
                             none: the tool's complaint, for messages */
};

#define SOK_CHILD_RESULT_INIT { SOK_CHILD_EXITED, 0, NULL, 0, { 0 } }

/* Frees what r owns (not r itself) and resets it.  r may be NULL. */
void sok_child_result_clear(struct sok_child_result *r);

/* Finds the executable called name on $PATH (a default path when unset or
 * empty) and writes its full path into out[0..cap).  Returns 1 when found,
 * 0 when not.  Looked up in the parent, because between fork and exec only
 * async-signal-safe calls are allowed. */
int sok_child_find_exe(const char *name, char *out, size_t cap);

/* Runs the executable at exe (a full path, see sok_child_find_exe) with
 * argv (NULL-terminated; argv[0] names the tool in messages) under lim,
 * and reports how it ended in *res, which the caller initialises with
 * SOK_CHILD_RESULT_INIT and clears with sok_child_result_clear() (what
 * res held before is freed).  The child inherits the environment; its
 * stdin is /dev/null, its stdout and stderr are pipes to the parent.
 * Returns 0 once the child has been run and reaped, whatever its end;
 * SOK_EIO when no child could be started or waited for (pipe, fork, poll,
 * waitpid), SOK_ENOMEM; then res holds nothing.  Blocks the calling thread
 * for at most about lim->timeout_s seconds; safe to call from several
 * threads at once. */
int sok_child_run(const char *exe, const char *const argv[],
                  const struct sok_child_limits *lim,
                  struct sok_child_result *res, struct sok_err *err);

#endif /* SOK_CHILD_H */
