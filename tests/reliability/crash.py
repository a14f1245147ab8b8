"""Scenarios 1 (crash) and 3 (lock).

Crash: sok-index is killed with SIGKILL at random moments of runs over a
generated corpus of 20,000 documents, incremental and --full, and inside
the commit and merge phase (the moments --verbose names).  After each
kill xapian-check passes and the index holds the old or the new revision
exactly; a server answers from it throughout, and the run after a kill
completes the revision.  The corpus flips between two versions (A, and
A with a fifth of its files changed, some deleted, some added), so every
run has work to do and no trial needs the index copied back.

Lock: a second sok-index while the first holds the lock exits 2 within a
second, and the first run goes on to commit its revision."""
import os, random, shutil, signal, subprocess, threading, time

from relib import (Result, Server, Probe, SOK_INDEX, current_gen, gen_corpus, run_index,
                   tempdir)
from harness import fingerprint, lock_holders

DOCS = int(os.environ.get("SOK_REL_CRASH_DOCS", "20000"))


class Corpus:
    """The corpus directory the indexer is given, holding version A or B:
    the other version waits beside it and the two swap by rename."""
    def __init__(self, tmp):
        self.path = os.path.join(tmp, "corpus")
        self.spare = os.path.join(tmp, "spare")
        gen_corpus(self.spare, DOCS)                        # B, below
        gen_corpus(self.spare, DOCS, change=0.2, change_seed=3)
        gen_corpus(self.path, DOCS)
        self.holds = "A"

    def set(self, version):
        if self.holds != version:
            tmp = self.path + ".swap"
            os.rename(self.path, tmp)
            os.rename(self.spare, self.path)
            os.rename(tmp, self.spare)
            self.holds = version


def other(v):
    return "B" if v == "A" else "A"


def run_killed(db, corpus, args, delay=None, phase_rng=None, phase_len=None):
    """Starts a run and kills it after delay seconds, or, with phase_rng, at
    a random moment of its commit/merge phase (once --verbose says it began).
    Returns (when it was killed, in seconds, or None when the run ended on
    its own, and its exit code)."""
    p = subprocess.Popen([SOK_INDEX, "--db", db, "--verbose", *args, corpus],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0 = time.monotonic()
    if phase_rng is not None:
        for raw in p.stderr:
            if raw.startswith(b"sok-index: merging") or raw.startswith(b"sok-index: committing"):
                break
        t = threading.Thread(target=lambda: p.stderr.read(), daemon=True)
        t.start()
        time.sleep(phase_rng.uniform(0, phase_len))
    else:
        t = threading.Thread(target=lambda: p.stderr.read(), daemon=True)
        t.start()
        try:
            p.wait(delay)
        except subprocess.TimeoutExpired:
            pass
    at = time.monotonic() - t0
    killed = p.poll() is None
    if killed:
        p.send_signal(signal.SIGKILL)
    rc = p.wait()
    t.join(5)
    return (at if killed else None), rc


def phase_length(db, corpus, args):
    """How long a run takes from its commit/merge line to its exit."""
    p = subprocess.Popen([SOK_INDEX, "--db", db, "--verbose", *args, corpus],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start = None
    for raw in p.stderr:
        if start is None and (raw.startswith(b"sok-index: merging") or
                              raw.startswith(b"sok-index: committing")):
            start = time.monotonic()
    rc = p.wait()
    return rc, (time.monotonic() - start) if start else 0.0


def lock(res, db, corpus, fps, holds):
    """A second run while a first holds the lock; returns what the index
    holds afterwards."""
    target = other(holds)
    corpus.set(target)
    p = subprocess.Popen([SOK_INDEX, "--db", db, "--full", corpus.path],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while p.pid not in lock_holders(os.path.join(db, "sok.lock")) and p.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.01)
    held = p.poll() is None
    t = time.monotonic()
    rc2, _, err2 = run_index(db, corpus.path, timeout=10)
    took = time.monotonic() - t
    still = p.poll() is None
    rc1 = p.wait()
    fp = fingerprint(db)
    res.fig("second run exit %d in %.2f s, first run exit %d" % (rc2, took, rc1))
    res.expect(held and still, "lock: the first run held the lock while the second tried")
    res.expect(rc2 == 2 and took < 1.0, "lock: second run exited %d after %.2f s" % (rc2, took))
    res.expect(rc1 == 0 and fp == fps[target],
               "lock: the first run committed its revision (exit %d)" % rc1)
    return target if fp == fps[target] else holds


def run(quick=False):
    res = Result("crash")
    lres = None
    tmp = tempdir("crash")
    srv = probe = None
    try:
        corpus = Corpus(tmp)
        db = os.path.join(tmp, "db")
        fps, took, phase = {}, {}, {}
        rc, out, err = run_index(db, corpus.path)
        res.expect(rc == 0, "first run over A: exit %d %s" % (rc, err[-300:]))
        fps["A"] = fingerprint(db)
        srv = Server(db, "--quiet", "--cache-mb", "0")
        # A resident's pace, not a load: the kills are what is tried here.
        probe = Probe(srv.port, pause=0.1)
        probe.start()
        holds = "A"
        # Reference runs give each mode's length and its phase's length.
        for mode, args in (("incremental", ()), ("full", ("--full",))):
            target = other(holds)
            corpus.set(target)
            t = time.monotonic()
            rc, phase[mode] = phase_length(db, corpus.path, args)
            took[mode] = time.monotonic() - t
            fp = fingerprint(db)
            if target in fps:
                res.expect(fp == fps[target], "%s run over %s differs from before" % (mode, target))
            fps[target] = fp
            res.expect(rc == 0, "%s reference run: exit %d" % (mode, rc))
            holds = target
        res.expect(fps["A"] != fps["B"], "the two versions index differently")
        lres = Result("lock")
        holds = lock(lres, db, corpus, fps, holds)
        lres.finish()

        rng = random.Random(20261202)
        trials = 6 if quick else 30
        random_trials = 4 if quick else 20
        seen = {"old": 0, "new": 0, "partial": 0}
        checks_ok = completions = 0
        for i in range(trials):
            mode = "incremental" if i % 2 == 0 else "full"
            args = ("--full",) if mode == "full" else ()
            target = other(holds)
            corpus.set(target)
            if i < random_trials:
                at, rc = run_killed(db, corpus.path, args, delay=rng.uniform(0, took[mode] * 1.05))
            else:
                at, rc = run_killed(db, corpus.path, args, phase_rng=rng,
                                    phase_len=max(phase[mode], 0.05))
            r = subprocess.run(["xapian-check", current_gen(db)], capture_output=True, text=True)
            checks_ok += r.returncode == 0
            res.expect(r.returncode == 0, "trial %d: xapian-check failed: %s" % (i + 1, r.stdout[-300:]))
            fp = fingerprint(db)
            state = "old" if fp == fps[holds] else "new" if fp == fps[target] else "partial"
            seen[state] += 1
            res.expect(state != "partial", "trial %d (%s, killed at %s): neither revision"
                       % (i + 1, mode, at))
            if at is None:
                res.expect(rc == 0, "trial %d: a run that ended on its own exited %d" % (i + 1, rc))
            holds = target if state == "new" else holds
            if i % 10 == 9 or i == trials - 1:
                target = other(holds)
                corpus.set(target)
                rc, out, err = run_index(db, corpus.path)
                completions += rc == 0 and fingerprint(db) == fps[target]
                res.expect(rc == 0 and fingerprint(db) == fps[target],
                           "the run after trial %d did not complete its revision: exit %d %s"
                           % (i + 1, rc, err[-300:]))
                holds = target
        gens = [d for d in os.listdir(db) if d.startswith("gen-")]
        probe.stop()
        res.fig("%d kills (%d at random moments, %d in commit/merge) over %d docs"
                % (trials, random_trials, trials - random_trials, DOCS))
        res.fig("xapian-check %d/%d" % (checks_ok, trials))
        res.fig("old %d, new %d, partial %d" % (seen["old"], seen["new"], seen["partial"]))
        res.fig("%d/%d next runs completed" % (completions, (trials + 9) // 10))
        res.fig("server %d searches, %d failed, p99 %.0f ms" % (len(probe.lat), len(probe.failures),
                                                               probe.p99()))
        res.fig("%d generations left" % len(gens))
        res.expect(not probe.failures, "the server failed searches: %s" % probe.failures[:3])
        res.expect(len(gens) <= 2, "generations piled up: %s" % gens)
    finally:
        if probe is not None:
            probe.stop()
        if srv is not None:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return [res.finish()] + ([lres] if lres else [])
