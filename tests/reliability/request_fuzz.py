#!/usr/bin/python3
"""Generated and mutated HTTP requests against the ASan/UBSan server
(make reliability, scenario 5; tests/integration/test_fuzz.py sends a
shorter stream in make test).

build/sok-index indexes a copy of corpus/; build/san/sok-server (make
SAN=address,undefined build) serves it on 127.0.0.1 port 0 with
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 and UBSan halting on its
first report.  Each request goes on a connection of its own, as raw bytes
(tests/integration/reqgen.py): the contract's routes and some that are
none, searches with mutated query strings, random bytes, percent-encoding
garbage, invalid UTF-8, huge and repeated parameters, odd methods and
versions, broken and oversized headers, bodies.

Passes when every answer is a 200 or a 4xx the contract has (400, 403,
404, 405, 413, 414, 431), each JSON answer parses as JSON (a 4xx's as the
contract's {"error": ...}), each HTML page goes through html.parser, the
server answers /healthz after the stream and exits 0 on SIGTERM (leaks
are checked then), and its stderr holds no sanitizer report.  One line:

    requests: N sent, A 200, B 4xx, 0 other, 0 sanitizer reports, S s PASS

    tests/reliability/request_fuzz.py [--n 10000] [--seed S]

main(argv) returns the exit code; run() the figures, for other scripts.
"""
import argparse, gzip, html.parser, json, os, random, re, shutil, socket
import sys, time, urllib.parse, zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import run_index, tempdir, copy_corpus          # noqa: E402
from sokutil import Server                                    # noqa: E402
from reqgen import corpus_words, gen_request                  # noqa: E402

SAN_SERVER = os.path.join(ROOT, "build", "san", "sok-server")
ALLOWED_4XX = {400, 403, 404, 405, 413, 414, 431}
SAN_REPORT = re.compile(r"Sanitizer|runtime error:|^SUMMARY: ", re.M)
SAN_ENV = {"ASAN_OPTIONS": "abort_on_error=1:detect_leaks=1",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}


def _body_end(buf, head):
    """How many bytes of buf make the whole answer, or None while more
    must come (None too when only the server's close can tell)."""
    top, sep, rest = buf.partition(b"\r\n\r\n")
    if not sep:
        return None
    m = re.match(rb"HTTP/1\.[01] (\d{3})", top)
    h = top.lower()
    if m is None:
        return None
    if head or m.group(1) in (b"204", b"304"):
        return len(top) + 4
    cl = re.search(rb"\r\ncontent-length:\s*(\d+)", h)
    if cl:
        n = len(top) + 4 + int(cl.group(1))
        return n if len(buf) >= n else None
    if b"\r\ntransfer-encoding: chunked" in h:
        end = rest.find(b"\r\n0\r\n\r\n")
        if rest.startswith(b"0\r\n\r\n"):
            return len(top) + 4 + 5
        return len(top) + 4 + end + 7 if end >= 0 else None
    return None


def exchange(port, req, head=False, timeout=15):
    """Sends req on a new connection and reads one answer: to its end by
    Content-Length or chunks (a server may keep the connection open, as
    evhttp does for "Connection: keep-alive, close"), else until the
    server closes it.  Returns the bytes (b"" when it closed without a
    word)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(req)
        except (BrokenPipeError, ConnectionResetError):
            pass                    # it answered and closed before the end
        buf = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
            end = _body_end(buf, head)
            if end is not None:
                return buf[:end]
        return buf
    finally:
        s.close()


def parse_answer(raw, head):
    """(status, headers dict lower-cased, body) of an HTTP/1.x answer;
    raises ValueError when it is none."""
    top, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no end of headers")
    lines = top.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3}) ", lines[0] + " ")
    if not m:
        raise ValueError("status line %r" % lines[0][:80])
    h = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        h[k.strip().lower()] = v.strip()
    st = int(m.group(1))
    if head or st in (204, 304):
        return st, h, b""
    if "chunked" in h.get("transfer-encoding", ""):
        body = _dechunk(body)
    elif "content-length" in h and len(body) != int(h["content-length"]):
        raise ValueError("body of %d bytes, Content-Length %s"
                         % (len(body), h["content-length"]))
    enc = h.get("content-encoding", "")
    if enc == "gzip":
        body = gzip.decompress(body)
    elif enc == "deflate":
        body = zlib.decompress(body)
    return st, h, body


class _Html(html.parser.HTMLParser):
    def error(self, message):       # older Pythons call it
        raise ValueError(message)


def judge(st, h, body):
    """'' when the answer keeps the contract, else what is wrong."""
    if st != 200 and st not in ALLOWED_4XX:
        return "status %d" % st
    ct = h.get("content-type", "")
    if not body:
        return ""
    if ct.startswith("application/json"):
        try:
            doc = json.loads(body.decode("utf-8"))
        except ValueError as e:
            return "JSON does not parse: %s" % e
        if st != 200 and not (isinstance(doc, dict) and "error" in doc):
            return "a %d without the contract's error object" % st
    elif ct.startswith("text/html"):
        try:
            p = _Html()
            p.feed(body.decode("utf-8"))
            p.close()
        except (ValueError, UnicodeDecodeError, AssertionError) as e:
            return "HTML does not parse: %s" % e
    return ""


def _doc_ids(srv):
    """Ids of real sections, for /doc/<id>."""
    ids = []
    for q in ("och", "socialförvaltningen", "barn"):
        st, _, doc = srv.json("/api/search?per_page=100&q=" +
                              urllib.parse.quote(q))
        if st == 200 and doc:
            ids += [hit["id"] for hit in doc.get("hits", [])]
    return ids


def run(n=10000, seed=20261202, log=None):
    """Sends n requests drawn from seed; returns a dict of figures: sent,
    n200, n4xx, other, reports, seconds, alive, rc, bad (up to 10
    (request, what) pairs), ok."""
    tmp = tempdir()
    srv = None
    r = {"sent": 0, "n200": 0, "n4xx": 0, "other": 0, "reports": 0,
         "seconds": 0.0, "alive": False, "rc": None, "bad": [], "ok": False}
    try:
        corpus = copy_corpus(os.path.join(tmp, "corpus"))
        db = os.path.join(tmp, "db")
        rc, _, err = run_index(db, corpus)
        if rc != 0:
            r["bad"].append(("sok-index", "exit %d: %s" % (rc, err[-500:])))
            return r
        words = corpus_words(corpus)
        env = dict(os.environ, **SAN_ENV)
        srv = Server(db, "--quiet", binary=SAN_SERVER, env=env)
        ids = _doc_ids(srv)
        rng = random.Random(seed)
        t0 = time.monotonic()
        for _ in range(n):
            req, method = gen_request(rng, words, ids)
            r["sent"] += 1
            try:
                raw = exchange(srv.port, req, method == "HEAD")
                st, h, body = parse_answer(raw, method == "HEAD")
                why = judge(st, h, body)
            except (OSError, ValueError, EOFError, zlib.error) as e:
                st, why = 0, "%s: %s" % (type(e).__name__, e)
            if st == 200:
                r["n200"] += 1
            elif st in ALLOWED_4XX:
                r["n4xx"] += 1
            else:
                r["other"] += 1
            if why:
                if len(r["bad"]) < 10:
                    r["bad"].append((req[:300], why))
                if srv.p.poll() is not None:
                    break           # the server is gone: that request did it
        r["seconds"] = time.monotonic() - t0
        r["alive"] = srv.alive()
        r["rc"] = srv.stop()
        reports = [ln for ln in srv.raw_log() if SAN_REPORT.search(ln)]
        r["reports"] = sum(1 for ln in reports if "ERROR:" in ln or
                           "runtime error:" in ln) or len(reports)
        if reports:
            r["bad"].append(("sanitizer", "\n".join(srv.raw_log()[-60:])))
        srv = None
        r["ok"] = (r["sent"] == n and r["other"] == 0 and not r["bad"] and
                   r["alive"] and r["rc"] == 0)
        return r
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def line(r):
    """The summary line of a run() result."""
    return ("requests: %d sent, %d 200, %d 4xx, %d other, %d sanitizer "
            "reports, %d s %s" % (r["sent"], r["n200"], r["n4xx"], r["other"],
                                  r["reports"], round(r["seconds"]),
                                  "PASS" if r["ok"] else "FAIL"))


def main(argv):
    ap = argparse.ArgumentParser(prog="request_fuzz.py",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10000, help="requests (10000)")
    ap.add_argument("--seed", type=int, default=20261202)
    a = ap.parse_args(argv)
    if not os.access(SAN_SERVER, os.X_OK):
        print("requests: %s missing (make SAN=address,undefined build) FAIL"
              % os.path.relpath(SAN_SERVER, ROOT))
        return 1
    r = run(a.n, a.seed)
    for req, why in r["bad"]:
        print("  %r\n    %s" % (req, why.replace("\n", "\n    ")))
    if not r["alive"] or r["rc"] != 0:
        print("  server: %s, exit code %s"
              % ("answered /healthz" if r["alive"] else "gone", r["rc"]))
    print(line(r), flush=True)
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
