"""Scenarios 4 (disk full), 7 (HTTP limits) and 9 (poisoned documents):
make test already holds a check for each, in tests/integration; here they
run at the issue's sizes (a 50 MB file, many rounds of refusals) and their
checks become the scenario's figures."""
import re

from relib import Result, run_tap


def tap(res, script, env=None):
    """Runs script; every check must pass and none may be skipped (a skip
    here is a promise not tried, for instance the tmpfs mount without root)."""
    passed, failed, bad, out = run_tap(script, env)
    skips = [l for l in out.splitlines() if l.startswith("ok ") and "# SKIP" in l]
    res.expect(failed == 0, "%s: %d checks failed:\n%s" % (script, failed, "\n".join(bad[:8])))
    res.expect(not skips, "%s: skipped: %s" % (script, "; ".join(skips)))
    return passed - len(skips), out


def grab(out, pattern, fmt, res):
    m = re.search(pattern, out, re.M)
    if m:
        res.fig(fmt % m.groups())


def disk(quick=False):
    res = Result("disk full")
    n, out = tap(res, "test_disk_full.py")
    res.fig("%d checks" % n)
    grab(out, r"incremental on a full disk: exit (\d+), the message names the space needed \(([^)]+)\)",
         "incremental exit %s naming %s", res)
    grab(out, r"--full on a full disk: exit (\d+), the message names the space needed \(([^)]+)\)",
         "--full exit %s naming %s", res)
    grab(out, r"disk use ([0-9.]+ MB) before, ([0-9.]+ MB) after", "disk use %s before, %s after", res)
    grab(out, r"revisions only grow across --full: .* say (\d+) \(were (\d+)\)", "revision %s after --full (was %s)", res)
    return res.finish()


def http(quick=False):
    res = Result("HTTP limits")
    n, out = tap(res, "test_http_limits.py")
    refused = len(re.findall(r"^ok \d+ - .*: (\d{3}) \w+, JSON, nosniff, logged", out, re.M))
    res.fig("%d checks, %d refusals each with the contract's JSON, nosniff and a log line" % (n, refused))
    grab(out, r"RSS within 10 MB over (\d+) refused requests \(grew ([^)]+)\)", "%s refused requests: RSS grew %s", res)
    return res.finish()


def poison(quick=False):
    res = Result("poisoned documents")
    total = 0
    env = {"SOK_BIG_MB": "8" if quick else "50"}
    for script in ("test_poisoned.py", "test_links.py", "test_bigfile.py"):
        n, out = tap(res, script, env)
        total += n
        grab(out, r"a (\d+) MB file indexed in ([0-9.]+ s)", "a %s MB file indexed in %s", res)
        grab(out, r"no stored section holds more than .*\(longest (\d+) bytes\)", "longest section %s bytes", res)
        grab(out, r"answered within 1 s \(slowest (\d+ ms)\)", "slowest query on it %s", res)
    res.fig("%d checks (scripts, on* handlers, javascript:/data:, invalid UTF-8, a 10,000-letter word, "
            "hanging and random PDFs, link loops and links out, names with newlines and ';')" % total)
    return res.finish()
