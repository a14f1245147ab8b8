"""Scenario 5: fuzzing.  The libFuzzer targets (make fuzz builds them in
build/fuzz/) each run for a bounded time from their seeds in tests/fuzz/,
and generated and mutated requests go to the ASan/UBSan build of
sok-server (build/san/sok-server): tests/reliability/fuzz.py and
request_fuzz.py do the work and print one line each, read here."""
import os, re, subprocess

from relib import HERE, PY, Result

SECONDS = int(os.environ.get("SOK_REL_FUZZ_SECONDS", "20"))


def lines(cmd, timeout):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    out = [l for l in p.stdout.splitlines() if l.endswith(" PASS") or l.endswith(" FAIL")]
    return p.returncode, out, p.stdout + p.stderr


def run(quick=False):
    res = Result("fuzzing")
    secs = 4 if quick else SECONDS
    rc, out, raw = lines([PY, os.path.join(HERE, "fuzz.py"), "--seconds", str(secs)],
                         timeout=secs * 20 + 300)
    runs = sum(int(m.group(1)) for m in (re.search(r": (\d+) runs", l) for l in out) if m)
    res.fig("%d targets x %d s, %d runs" % (len(out), secs, runs))
    for l in out:
        res.expect(l.endswith(" PASS"), l)
    res.expect(rc == 0 and out, "fuzz.py exit %d:\n%s" % (rc, raw[-800:]))
    n = 1500 if quick else 10000
    rc, out, raw = lines([PY, os.path.join(HERE, "request_fuzz.py"), "--n", str(n)], timeout=900)
    for l in out:
        res.fig(l.rsplit(" ", 1)[0])
        res.expect(l.endswith(" PASS"), l)
    res.expect(rc == 0 and out, "request_fuzz.py exit %d:\n%s" % (rc, raw[-800:]))
    return res.finish()
