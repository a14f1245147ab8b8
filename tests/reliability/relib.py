"""What the reliability scenarios share (stdlib only): the real binaries,
a generated corpus, a probe that measures a server's latency on a
connection of its own while a scenario loads it, wrk, and a scenario's
result.  The integration tests' harness and server helpers are reused, so
a server starts here exactly as it does in make test."""
import http.client, os, random, re, shutil, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import ROOT, BUILD, SOK_INDEX, SOK_SERVER, CORPUS, run_index, summary, current_gen  # noqa: E402,F401
from sokutil import Server, ServerPool, q  # noqa: E402,F401

GEN = os.path.join(ROOT, "tests", "gen_corpus.py")
PY = "/usr/bin/python3"

# Words of the generated corpus and the seed corpus that find something,
# for probes and load that exercise the real query path.
WORDS = ["kommun", "barn", "stöd", "fritidsbanken", "nämnd", "beslut",
         "protokoll", "äldreomsorg", "skola", "ekonomi", "bostad", "bygglov",
         "förskola", "socialtjänst", "verksamhet", "arbete", "kultur"]


class Result:
    """One scenario's outcome: its summary figures and the failed promises."""
    def __init__(self, name):
        self.name = name
        self.figures = []
        self.failures = []
        self.t0 = time.monotonic()
        self.seconds = 0.0

    def fig(self, text):
        self.figures.append(text)

    def expect(self, cond, what):
        """Records a promise; a broken one fails the scenario."""
        if not cond:
            self.failures.append(what)
        return cond

    @property
    def ok(self):
        return not self.failures

    def finish(self):
        self.seconds = time.monotonic() - self.t0
        return self

    def line(self):
        return "%s: %s (%.0f s) %s" % (self.name, ", ".join(self.figures), self.seconds,
                                      "PASS" if self.ok else "FAIL")


def tempdir(tag):
    return tempfile.mkdtemp(prefix="sok-rel-%s-" % tag)


def gen_corpus(out, docs, seed=7, change=None, change_seed=None):
    cmd = [PY, GEN, "--docs", str(docs), "--seed", str(seed), "--out", out]
    if change is not None:
        cmd += ["--change", str(change), "--change-seed", str(change_seed)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def pct(values, p):
    """The p-th percentile (nearest rank) of values; 0 when empty."""
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Probe(threading.Thread):
    """Searches one after another on a keep-alive connection of its own,
    as a resident would while something else loads the server, recording
    each latency and every failure (a non-200 or a broken connection)."""
    def __init__(self, port, words=WORDS, path="/api/search?q=", pause=0.02):
        super().__init__(daemon=True)
        self.port, self.words, self.path, self.pause = port, words, path, pause
        self.lat = []
        self.failures = []
        self._halt = threading.Event()

    def run(self):
        rng = random.Random(1)
        conn = None
        while not self._halt.is_set():
            word = rng.choice(self.words)
            t = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", self.path + q(word))
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    self.failures.append("HTTP %d for %s" % (r.status, word))
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                self.failures.append("%s for %s" % (e.__class__.__name__, word))
                if conn is not None:
                    conn.close()
                conn = None
            self.lat.append((time.monotonic() - t) * 1e3)
            self._halt.wait(self.pause)
        if conn is not None:
            conn.close()

    def stop(self):
        self._halt.set()
        self.join(15)

    def p99(self):
        return pct(self.lat, 99)


def wrk(port, seconds, conns, paths, threads=2):
    """Runs wrk against paths (rotated), returns its figures as a dict:
    rps, p50_ms, p99_ms, non2xx, socket_errors, requests."""
    tmp = tempfile.mkdtemp(prefix="sok-rel-wrk-")
    try:
        script = os.path.join(tmp, "paths.lua")
        with open(script, "w") as f:
            f.write("local paths = {%s}\nlocal i = 0\n"
                    "request = function()\n  i = i + 1\n"
                    "  return wrk.format(\"GET\", paths[(i %% #paths) + 1])\nend\n"
                    % ", ".join('"%s"' % p for p in paths))
        p = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
                            "--latency", "--timeout", "5s", "-s", script,
                            "http://127.0.0.1:%d" % port],
                           capture_output=True, text=True, timeout=seconds + 60)
        return parse_wrk(p.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _ms(v, unit):
    return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def parse_wrk(out):
    d = {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "non2xx": 0, "socket_errors": 0,
         "requests": 0, "raw": out}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if m:
        d["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    if m:
        d["requests"] = int(m.group(1))
    for key, pc in (("p50_ms", "50"), ("p99_ms", "99")):
        m = re.search(r"^\s+%s%%\s+([0-9.]+)(us|ms|s|m)\s*$" % pc, out, re.M)
        if m:
            d[key] = _ms(m.group(1), m.group(2))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        d["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        d["socket_errors"] = sum(int(x) for x in m.groups())
    return d


def search_paths(words=WORDS):
    """A mix of what the site's search box sends: single words, two words,
    a phrase, a prefix, a misspelling, the page and the JSON API."""
    out = []
    for i, w in enumerate(words):
        out.append("/api/search?q=" + q(w))
        out.append("/api/search?q=" + q(w + " " + words[(i + 3) % len(words)]))
        out.append("/?q=" + q(w))
    out += ["/api/search?q=" + q('"kommunens beslut"'), "/api/search?q=" + q("förskol*"),
            "/api/search?q=" + q("fritids banken"), "/api/suggest?q=" + q("bar")]
    return out


def run_tap(script, env=None, timeout=900):
    """Runs one of the integration tests (TAP) and returns (passed, failed,
    names of failed checks, output)."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([PY, os.path.join(ROOT, "tests", "integration", script)],
                       capture_output=True, text=True, timeout=timeout, env=e)
    ok = [l for l in p.stdout.splitlines() if l.startswith("ok ")]
    bad = [l for l in p.stdout.splitlines() if l.startswith("not ok ")]
    failed = len(bad) + (1 if p.returncode != 0 and not bad else 0)
    return len(ok), failed, bad, p.stdout + p.stderr
