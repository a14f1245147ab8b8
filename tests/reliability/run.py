#!/usr/bin/python3
"""make reliability: every promise sok makes under failure and under attack,
tried against the real binaries on 127.0.0.1, one line a scenario with its
figures and PASS or FAIL, and build/reliability/report.md.

    tests/reliability/run.py [--quick] [--only NAME[,NAME...]] [--out DIR]

--quick runs the short versions (what make test runs through
tests/integration/test_reliability.py).  Exit status 1 when any scenario
failed.  Each scenario bounds its own time and count and stops every
process and removes every mount it made, failed or not."""
import argparse, datetime, os, sys, time, traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relib  # noqa: E402

# Scenario order follows the issue: crash and lock (one module), reads
# while writing, disk full, fuzzing, query of death, HTTP limits, slow
# clients and descriptors, poisoned documents.
SCENARIOS = {"crash": ("crash", "run"), "rw": ("rw", "run"), "disk": ("tapwrap", "disk"),
             "fuzz": ("fuzzing", "run"), "qod": ("qod", "run"), "http": ("tapwrap", "http"),
             "slow": ("slow", "run"), "poison": ("tapwrap", "poison")}


def run_one(name, quick):
    module, func = SCENARIOS[name]
    try:
        out = getattr(__import__(module), func)(quick=quick)
    except Exception:
        r = relib.Result(name)
        r.expect(False, "raised:\n" + traceback.format_exc())
        out = r.finish()
    return out if isinstance(out, list) else [out]


def report(path, results, quick, seconds):
    with open(path, "w") as f:
        f.write("# sok reliability report\n\n")
        f.write("%s, %s run, %.0f s in all, on %s with %d cores.\n\n"
                % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
                   "quick" if quick else "full", seconds, os.uname().nodename,
                   os.cpu_count() or 0))
        f.write("| scenario | figures | seconds | result |\n|---|---|---:|---|\n")
        for r in results:
            f.write("| %s | %s | %.0f | %s |\n" % (r.name, "; ".join(r.figures), r.seconds,
                                                  "PASS" if r.ok else "**FAIL**"))
        failed = [r for r in results if not r.ok]
        if failed:
            f.write("\n## What failed\n")
            for r in failed:
                f.write("\n### %s\n\n" % r.name)
                for x in r.failures:
                    f.write("- %s\n" % x.replace("\n", "\n  "))


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default=os.path.join(relib.BUILD, "reliability"))
    a = ap.parse_args(argv)
    names = [n for n in a.only.split(",") if n] or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        ap.error("unknown scenario %s (known: %s)" % (", ".join(unknown), ", ".join(SCENARIOS)))
    os.makedirs(a.out, exist_ok=True)
    t0 = time.monotonic()
    results = []
    for n in names:
        print("%s ..." % n, flush=True)
        for r in run_one(n, a.quick):
            results.append(r)
            print(r.line(), flush=True)
            for x in r.failures:
                print("    " + x.replace("\n", "\n    "), flush=True)
    seconds = time.monotonic() - t0
    path = os.path.join(a.out, "report.md")
    report(path, results, a.quick, seconds)
    bad = sum(not r.ok for r in results)
    print("reliability: %d scenarios, %d passed, %d failed, %.0f s; report in %s"
          % (len(results), len(results) - bad, bad, seconds, path), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
