#!/usr/bin/python3
"""Runs every libFuzzer target of tests/fuzz for a bounded time each, one
after the other (make reliability, scenario 5; tests/integration/
test_fuzz.py runs it for a few seconds a target).

Builds nothing: it expects build/fuzz/<target> (make fuzz-bins).  Each
target starts from a copy of its seeds (tests/fuzz/seeds/<target>/) in a
temporary directory, so the repository is never written, and runs with
-max_total_time=N -rss_limit_mb=2048 -timeout=10, and with the words of
its input format (tests/fuzz/<target>.dict) as -dict.  One line a target:

    fuzz <target>: <execs> runs, <cov> coverage, <N> s, 0 crashes PASS

A crash, a leak, a sanitizer report, an input slower than 10 s or one
that takes over 2 GB is a FAIL; its input is kept in
build/reliability/fuzz-crashes/ (named on the line) with the fuzzer's
log beside it.  Exits 1 when any target failed.

    tests/reliability/fuzz.py [--seconds N] [--build DIR] [TARGET ...]

main(argv) returns the exit code, for a script that runs scenarios.
"""
import argparse, glob, os, re, shutil, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEEDS = os.path.join(ROOT, "tests", "fuzz", "seeds")
CRASHES = os.path.join(ROOT, "build", "reliability", "fuzz-crashes")
LIMITS = ["-rss_limit_mb=2048", "-timeout=10"]


def all_targets():
    """Every target there is a source for: tests/fuzz/fuzz_<target>.c."""
    return sorted(os.path.basename(p)[len("fuzz_"):-2]
                  for p in glob.glob(os.path.join(ROOT, "tests", "fuzz", "fuzz_*.c")))


def targets(build):
    """The targets built in build, sorted."""
    return [n for n in all_targets() if os.access(os.path.join(build, n), os.X_OK)]


def _figures(log):
    """(executions, coverage) from a libFuzzer log: the final stats when
    it printed them, else its last status line."""
    execs = cov = 0
    for m in re.finditer(r"^#(\d+)\s+\S+\s+cov: (\d+)", log, re.M):
        execs, cov = int(m.group(1)), int(m.group(2))
    m = re.search(r"stat::number_of_executed_units: (\d+)", log)
    if m:
        execs = int(m.group(1))
    return execs, cov


def run_target(build, name, seconds, crashes=CRASHES):
    """Runs one target; returns a dict: name, execs, cov, seconds, ok,
    artifacts (kept inputs), log (path of the kept log, or None), why."""
    os.makedirs(crashes, exist_ok=True)
    work = tempfile.mkdtemp(prefix="sok-fuzz-%s-" % name)
    corpus = os.path.join(work, "corpus")
    seeds = os.path.join(SEEDS, name)
    if os.path.isdir(seeds):
        shutil.copytree(seeds, corpus)
    else:
        os.makedirs(corpus)
    prefix = os.path.join(crashes, name + "-")
    before = set(glob.glob(prefix + "*"))
    cmd = [os.path.join(build, name), "-max_total_time=%d" % seconds,
           "-print_final_stats=1", "-artifact_prefix=" + prefix, *LIMITS]
    dict_ = os.path.join(ROOT, "tests", "fuzz", name + ".dict")
    if os.path.isfile(dict_):
        cmd.append("-dict=" + dict_)
    cmd.append(corpus)
    t0 = time.monotonic()
    why = ""
    try:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=seconds + 120)
        log = p.stderr.decode("utf-8", "replace")
        rc = p.returncode
    except subprocess.TimeoutExpired as e:
        log = (e.stderr or b"").decode("utf-8", "replace")
        rc, why = -1, "did not stop within %d s" % (seconds + 120)
    took = time.monotonic() - t0
    shutil.rmtree(work, ignore_errors=True)
    artifacts = sorted(set(glob.glob(prefix + "*")) - before)
    execs, cov = _figures(log)
    ok = rc == 0 and not artifacts
    kept = None
    if not ok:
        m = re.search(r"^SUMMARY: .*$|^==\d+== ?ERROR: .*$", log, re.M)
        why = why or (m.group(0) if m else "exit code %d" % rc)
        kept = prefix + "log-%d.txt" % int(time.time())
        with open(kept, "w") as f:
            f.write(" ".join(cmd) + "\n" + log)
    return {"name": name, "execs": execs, "cov": cov, "seconds": took,
            "ok": ok, "artifacts": artifacts, "log": kept, "why": why}


def line(r):
    """The one summary line of a run_target() result."""
    rel = lambda p: os.path.relpath(p, ROOT)
    s = "fuzz %s: %d runs, %d coverage, %d s, " % (
        r["name"], r["execs"], r["cov"], round(r["seconds"]))
    if r["ok"]:
        return s + "0 crashes PASS"
    kept = r["artifacts"] or [r["log"]]
    return s + "%d crashes FAIL (%s; %s; log %s)" % (
        len(r["artifacts"]), ", ".join(map(rel, kept)), r["why"], rel(r["log"]))


def main(argv):
    ap = argparse.ArgumentParser(prog="fuzz.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=60, help="per target (60)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "fuzz"))
    ap.add_argument("target", nargs="*", help="default: every built target")
    a = ap.parse_args(argv)
    names = a.target or all_targets()
    if not targets(a.build):
        print("fuzz: no target in %s (make fuzz-bins) FAIL" % a.build)
        return 1
    failed = 0
    for n in names:
        if not os.access(os.path.join(a.build, n), os.X_OK):
            print("fuzz %s: not built in %s FAIL" % (n, a.build))
            failed += 1
            continue
        r = run_target(a.build, n, a.seconds)
        print(line(r), flush=True)
        failed += not r["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
