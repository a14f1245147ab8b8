#!/usr/bin/env python3
"""A full disk, on a small tmpfs of its own: a run that runs out of space
exits 3 with a message naming the space it needs, the previous revision is
served and passes xapian-check, and the run's leftovers are gone (the disk
is as full as before it, not grown to the brim, and stays so over later
failed runs); once the space named is freed the next run succeeds with no
manual step.  The same for --full, after which the revision has still grown
(/healthz and /metrics): revisions never go back.

Needs root for mount(8) (skipped, and said so, otherwise).  Runs the real
build/sok-index and build/sok-server on 127.0.0.1; cleans up its mount."""
import os, re, shutil, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, check, done, run_index, skip, summary, tempdir, current_gen
from sokutil import Server

GEN = os.path.join(ROOT, "tests", "gen_corpus.py")
DOCS = 2000


def df_used(path):
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def remount(mnt, size):
    subprocess.run(["mount", "-o", "remount,size=%d" % size, mnt], check=True)


def needed(err):
    """The bytes the message names ("needs about 26.8 MB"), or None."""
    m = re.search(r"needs about ([0-9.]+) (kB|MB|GB)", err)
    return m and float(m.group(1)) * {"kB": 1e3, "MB": 1e6, "GB": 1e9}[m.group(2)]


def served(srv):
    st, _, h = srv.json("/healthz")
    _, _, m = srv.request("/metrics")
    mm = re.search(rb"^sok_index_revision (\d+)", m, re.M)
    return (h or {}).get("revision"), mm and int(mm.group(1))


def xcheck(db):
    r = subprocess.run(["xapian-check", current_gen(db)], capture_output=True, text=True)
    return r.returncode == 0, r.stdout[-500:] + r.stderr


def failing_run(db, corpus, mnt, srv, rev, args, what):
    """Runs on a disk too small; returns the space the message names."""
    before = df_used(mnt)
    rc, out, err = run_index(db, corpus, args=args)
    need = needed(err)
    check(rc == 3 and need and "no space left" in err,
          "%s on a full disk: exit 3, the message names the space needed (%s)"
          % (what, need and "%.1f MB" % (need / 1e6)), (rc, out, err))
    after = df_used(mnt)
    check(abs(after - before) < 256 * 1024,
          "%s: what the failed run wrote is gone (disk use %.1f MB before, %.1f MB after)"
          % (what, before / 1e6, after / 1e6))
    check(sorted(n for n in os.listdir(db) if n.startswith("gen-")) == [os.path.basename(current_gen(db))],
          "%s: no generation or parts left behind" % what, os.listdir(db))
    ok, why = xcheck(db)
    check(ok, "%s: the live generation passes xapian-check" % what, why)
    st, _, r = srv.json("/api/search?q=kommun")
    check(served(srv) == (rev, rev) and st == 200 and r["total"] > 0,
          "%s: the previous revision %d is served and searched" % (what, rev), (served(srv), st))
    return need


if os.geteuid() != 0:
    skip("disk full on a tmpfs", "needs root to mount a tmpfs")
    done()

tmp = tempdir()
mnt = os.path.join(tmp, "mnt")
os.makedirs(mnt)
mounted = False
srv = None
try:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", mnt], check=True)
    mounted = True
    corpus = os.path.join(tmp, "corpus")
    db = os.path.join(mnt, "db")
    subprocess.run([GEN, "--docs", str(DOCS), "--seed", "7", "--out", corpus], check=True)
    rc, out, err = run_index(db, corpus)
    check(rc == 0, "a generated corpus of %d documents indexed on the tmpfs" % DOCS, out + err)
    srv = Server(db, "--cache-mb", "0", "--quiet")
    rev = served(srv)[0]
    # The next night changes half the files: a run that needs about twice
    # the index's size again.
    subprocess.run([GEN, "--docs", str(DOCS), "--seed", "7", "--out", corpus,
                    "--change", "0.5", "--change-seed", "3"], check=True)

    remount(mnt, df_used(mnt) + 6 * 1024 * 1024)
    need = failing_run(db, corpus, mnt, srv, rev, (), "incremental")
    failing_run(db, corpus, mnt, srv, rev, (), "incremental, again")

    remount(mnt, df_used(mnt) + int(need or 0) + 256 * 1024)
    rc, out, err = run_index(db, corpus)
    ok, why = xcheck(db)
    check(rc == 0 and ok and summary(out).get("updated", 0) > 0,
          "once the space named is free, the next run succeeds", out + err + why)
    check(served(srv) == (rev + 1, rev + 1), "and its revision %d is served" % (rev + 1), served(srv))
    rev += 1

    # --full needs room for a second generation beside the live one.
    subprocess.run([GEN, "--docs", str(DOCS), "--seed", "7", "--out", corpus,
                    "--change", "0.5", "--change-seed", "4"], check=True)
    remount(mnt, df_used(mnt) + 4 * 1024 * 1024)
    need = failing_run(db, corpus, mnt, srv, rev, ("--full",), "--full")
    remount(mnt, df_used(mnt) + int(need or 0) + 256 * 1024)
    rc, out, err = run_index(db, corpus, args=("--full",))
    ok, why = xcheck(db)
    check(rc == 0 and ok, "once the space named is free, --full succeeds", out + err + why)
    check(served(srv) == (rev + 1, rev + 1),
          "revisions only grow across --full: /healthz and /metrics say %d (were %d)"
          % (rev + 1, rev), served(srv))
    rc, out, err = run_index(db, corpus, args=("--full",))
    check(rc == 0 and served(srv) == (rev + 2, rev + 2), "and across a second --full: %d" % (rev + 2),
          (rc, served(srv), err))
finally:
    if srv:
        srv.stop()
    if mounted:
        subprocess.run(["umount", mnt])
    shutil.rmtree(tmp, ignore_errors=True)
done()
