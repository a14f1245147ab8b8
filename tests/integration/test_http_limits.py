#!/usr/bin/env python3
"""What evhttp would answer in its own HTML never reaches it: a request line
over 8 KiB, headers over 16 KiB (a 64 KiB one too), a body, Content-Length
with Transfer-Encoding, a malformed or folded line, an unknown method,
CONNECT, a request without a version.  Each gets the contract's JSON error with nosniff
and an access-log line; sent in one piece or dribbled, alone or after a good
request on the same connection; good requests around them are answered, and
the server's memory stays within 10 MB of its start over many rounds.

Runs the real build/sok-index and build/sok-server on 127.0.0.1."""
import json, os, shutil, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir, copy_corpus
from sokutil import Server

GOOD = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
CASES = [
    ("a request line over 8 KiB", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
     414, "request_line_too_long"),
    ("a 64 KiB header", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
     431, "headers_too_large"),
    ("300 headers", b"GET /healthz HTTP/1.1\r\n" +
     b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(300)) + b"\r\n",
     431, "headers_too_large"),
    ("a body", b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
     413, "body_not_accepted"),
    ("Content-Length and Transfer-Encoding",
     b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
     413, "body_not_accepted"),
    ("two Content-Lengths", b"GET /healthz HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
     400, "bad_request"),
    ("garbage", b"\x00\x01\x02garbage\r\n\r\n", 400, "bad_request"),
    ("a control byte in the path", b"GET /a\x7fb HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request"),
    ("a folded header", b"GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "bad_request"),
    ("a header without a colon", b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400, "bad_request"),
    ("no version", b"GET /healthz\r\n\r\n", 400, "bad_request"),
    ("an unknown method", b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed"),
    ("POST", b"POST /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405, "method_not_allowed"),
    # evhttp answers a CONNECT as a tunnel: no Content-Length, the
    # connection kept open past "Connection: close" (found by request_fuzz.py).
    ("CONNECT", b"CONNECT /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405,
     "method_not_allowed"),
]


def exchange(port, data, pieces=1, before=b""):
    """Sends before + data (data in pieces); returns every byte the server sent."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    out = b""
    try:
        if before:
            s.sendall(before)
        step = max(1, -(-len(data) // pieces))
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            if pieces > 1:
                time.sleep(0.005)
    except OSError:
        pass                    # the server may close while we still send
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            out += c
    except OSError:
        pass
    s.close()
    return out


def responses(raw):
    """Splits raw bytes into (status, headers dict, body) by Content-Length."""
    out = []
    while raw:
        head, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin-1").split("\r\n")
        h = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        n = int(h.get("content-length", "0"))
        out.append((int(lines[0].split()[1]), h, rest[:n]))
        raw = rest[n:]
    return out


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


tmp = tempdir()
srv = None
try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus)
    check(rc == 0, "sok-index builds the test index", err)
    srv = Server(db)
    port = srv.port
    for name, data, status, code in CASES:
        for pieces, before, how in ((1, b"", "at once"), (40, b"", "dribbled"), (1, GOOD, "after a good request")):
            n0 = len(srv.raw_log())
            rs = responses(exchange(port, data, pieces, before))
            if before:
                ok_first = rs and rs[0][0] == 200
                rs = rs[1:]
            else:
                ok_first = True
            st, h, body = rs[0] if rs else (None, {}, b"")
            try:
                err = json.loads(body)["error"]
            except (ValueError, KeyError, TypeError):
                err = {}
            time.sleep(0.05)
            logged = [l for l in srv.raw_log()[n0:] if (" %d " % status) in l]
            check(ok_first and st == status and err.get("code") == code and err.get("message") and
                  h.get("x-content-type-options") == "nosniff" and
                  h.get("content-type", "").startswith("application/json") and logged,
                  "%s (%s): %d %s, JSON, nosniff, logged" % (name, how, status, code),
                  (st, h, body[:200], srv.raw_log()[n0:][-3:]))
    check(srv.alive(), "the server is up after all of them")

    # Pipelined good requests, and a blank line before one, still pass.
    rs = responses(exchange(port, GOOD + GOOD + b"\r\n" + GOOD.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")))
    check([r[0] for r in rs] == [200, 200, 200], "three pipelined requests, one after a blank line: 200s",
          [r[0] for r in rs])

    # Memory over many rounds of the worst of them.
    big = CASES[1][1]
    for _ in range(50):
        exchange(port, big)
    start = rss_kib(srv.p.pid)
    for _ in range(300):
        exchange(port, big)
        exchange(port, CASES[0][1])
    grown = rss_kib(srv.p.pid) - start
    check(grown < 10 * 1024, "RSS within 10 MB over 600 refused requests (grew %d KiB)" % grown)
    check(srv.alive(), "and the server still answers")
finally:
    if srv:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
