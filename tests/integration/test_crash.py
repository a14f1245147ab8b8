#!/usr/bin/python3
"""kill -9 at random moments of sok-index runs over a deterministic generated
corpus of 20,000 documents (tests/gen_corpus.py).  After every kill,
xapian-check passes and the index holds exactly the old revision or the new
one, never a part of the run.  Half the runs are incremental (20% of the files
changed, some deleted, some added), half are --full rebuilds."""
import os, random, shutil, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from harness import *
from harness import fingerprint, lock_holders

DOCS = int(os.environ.get("SOK_CRASH_DOCS", "20000"))
TRIALS = int(os.environ.get("SOK_CRASH_TRIALS", "10"))
GEN = os.path.join(ROOT, "tests", "gen_corpus.py")


def restore(src, dst):
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, symlinks=True)


def timed_run(db, corpus, args):
    t = time.monotonic()
    rc, out, err = run_index(db, corpus, args=args)
    return rc, time.monotonic() - t, out, err


def lock_check(db, base, corpus):
    """A second run while the first holds the lock exits 2, at once, and the
    first one is still running afterwards: only then was the lock tested."""
    for attempt in range(3):
        restore(base, db)
        p = subprocess.Popen([SOK_INDEX, "--db", db, "--full", corpus],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while p.pid not in lock_holders(os.path.join(db, "sok.lock")) and p.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        t = time.monotonic()
        rc2, _, err2 = run_index(db, corpus, timeout=10)
        took2 = time.monotonic() - t
        running = p.poll() is None
        p.kill()
        p.wait()
        if running:
            check(rc2 == 2 and took2 < 1.0,
                  "a second run while the first holds the lock exits 2 (exit %d after %.2f s)"
                  % (rc2, took2), err2)
            return
    check(False, "a second run while the first holds the lock exits 2: "
          "the first run had ended before every attempt")


tmp = tempdir()
try:
    corpus = os.path.join(tmp, "corpus")
    db = os.path.join(tmp, "db")
    base = os.path.join(tmp, "db-old")
    subprocess.run([GEN, "--docs", str(DOCS), "--seed", "7", "--out", corpus], check=True)
    rc, t_first, out, err = timed_run(base, corpus, ())
    check(rc == 0 and summary(out)["docs"] == DOCS, "generated corpus of %d documents indexed" % DOCS,
          out + err)
    old = fingerprint(base)

    # The next night: 20% changed, 2% deleted, some added.
    subprocess.run([GEN, "--docs", str(DOCS), "--seed", "7", "--out", corpus,
                    "--change", "0.2", "--change-seed", "3"], check=True)
    new = {}
    took = {}
    for mode, args in (("incremental", ()), ("full", ("--full",))):
        restore(base, db)
        rc, took[mode], out, err = timed_run(db, corpus, args)
        new[mode] = fingerprint(db)
        s = summary(out)
        check(rc == 0 and new[mode] != old, "%s reference run (%.1f s): %s" % (mode, took[mode], out.strip()),
              err)
    check(new["incremental"] == new["full"], "incremental and full runs give the same index")

    lock_check(db, base, corpus)

    rng = random.Random(20261125)
    seen = {"old": 0, "new": 0}
    for trial in range(TRIALS):
        mode = "incremental" if trial % 2 == 0 else "full"
        args = ("--full",) if mode == "full" else ()
        restore(base, db)
        delay = rng.uniform(0.0, took[mode] * 1.05)
        p = subprocess.Popen([SOK_INDEX, "--db", db, *args, corpus],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        r = subprocess.run(["xapian-check", current_gen(db)], capture_output=True, text=True)
        fp = fingerprint(db)
        state = "old" if fp == old else "new" if fp == new[mode] else "PARTIAL"
        if state in seen:
            seen[state] += 1
        check(r.returncode == 0, "trial %d (%s, kill -9 at %.2f s): xapian-check passes"
              % (trial + 1, mode, delay), r.stdout[-2000:] + r.stderr)
        check(state != "PARTIAL", "trial %d: index holds the %s revision" % (trial + 1, state),
              "docs=%d, old=%d, new=%d" % (fp[0], old[0], new[mode][0]))
        if trial < 2:
            rc, _, out, err = timed_run(db, corpus, args)
            check(rc == 0 and fingerprint(db) == new[mode],
                  "trial %d: the next run after the kill completes the revision" % (trial + 1), out + err)
    print("# kills left the old revision %d times, the new one %d times" % (seen["old"], seen["new"]))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
done()
