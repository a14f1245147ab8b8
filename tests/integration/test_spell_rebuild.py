#!/usr/bin/env python3
"""Shutdown while sok-server rebuilds its spelling deletion index, in the
ASan/UBSan build (build/san/sok-server, made by make test; missing, the test
fails).  The index holds a large vocabulary (tests/gen_corpus.py --vocab), so
a rebuild takes a while.  After a new revision is committed, a search for a
word outside the lexicon starts the rebuild in the background; then:
  A. SIGTERM while the rebuild still runs (the search after it does not yet
     see the new revision's words): exit 0, no sanitizer report;
  B. SIGTERM once a rebuild has replaced an index both workers held: exit 0,
     no sanitizer report (every worker's reference given back).
Real binaries, loopback only, bounded waits."""
import http.client, json, os, shutil, signal, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, check, done, run_index, tempdir
from sokutil import Server

SAN_SERVER = os.path.join(ROOT, "build", "san", "sok-server")
GEN = os.path.join(ROOT, "tests", "gen_corpus.py")
DOCS, VOCAB = 300, 80000
WORD = "zorbulvexi"             # outside the lexicon: edit variants searched
REPORTS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")
CONNS = 16                      # fresh connections: reach both workers


def write(corpus, name, text):
    with open(os.path.join(corpus, name), "w", encoding="utf-8") as f:
        f.write(text)


def total(conn):
    """Hits for WORD on a kept-alive connection (one worker thread)."""
    conn.request("GET", "/api/search?q=" + WORD)
    r = conn.getresponse()
    body = r.read()
    return json.loads(body)["total"] if r.status == 200 else -r.status


def warm(srv):
    """WORD searched on fresh connections, so that every worker holds the
    current revision's deletion index; the totals seen."""
    return {srv.json("/api/search?q=" + WORD)[2]["total"] for _ in range(CONNS)}


def commit(db, corpus, name, word):
    """A new revision holding word; sok-index's exit code and stderr."""
    write(corpus, name, "Ny rad %s\n\nEtt nytt ord: %s, bara här.\n" % (word, word))
    rc, out, err = run_index(db, corpus, args=("--quiet",))
    return rc, err


def stopped_clean(srv, what):
    rc = srv.stop(timeout=20)
    log = srv.raw_log()
    bad = [l for l in log if any(r in l for r in REPORTS)]
    check(rc == 0 and not bad and "sok-server: stopped" in log,
          "%s: exit 0, no sanitizer report" % what,
          "exit %s\n%s" % (rc, "\n".join(log[-40:])))


tmp = tempdir()
srv = None
try:
    if not check(os.access(SAN_SERVER, os.X_OK),
                 "sanitizer build present (%s)" % SAN_SERVER,
                 "build it: make SAN=address,undefined build"):
        done()
    os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") +
                                  ":detect_leaks=1").lstrip(":")
    corpus = os.path.join(tmp, "corpus")
    db = os.path.join(tmp, "db")
    subprocess.run([sys.executable, GEN, "--docs", str(DOCS), "--seed", "11",
                    "--vocab", str(VOCAB), "--out", corpus], check=True)
    write(corpus, "ord.txt", "Ett ovanligt ord\n\nHär står %s, ett ord "
          "som ingen ordlista har.\n" % WORD)
    rc, out, err = run_index(db, corpus, args=("--quiet",))
    check(rc == 0, "index %d documents with %d made-up words" % (DOCS, VOCAB), err)

    # ------------------------------------------------ A: during the rebuild
    srv = Server(db, "--quiet", "--cache-mb", "0", threads=2, binary=SAN_SERVER)
    seen = warm(srv)
    check(len(seen) == 1, "the word is found (%s)" % seen)
    base = min(seen)
    rc, err = commit(db, corpus, "ny1.txt", WORD[:-1] + "a")
    check(rc == 0, "commit a revision with a variant", err)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
    t0 = time.monotonic()
    first, second = total(conn), total(conn)    # the first starts the rebuild
    srv.p.send_signal(signal.SIGTERM)
    t_signal = time.monotonic() - t0
    conn.close()
    check(first == base and second == base,
          "the rebuild still runs at SIGTERM (the variant not yet offered)",
          (base, first, second))
    stopped_clean(srv, "SIGTERM during the rebuild")

    # ------------------------------------------------ B: after the rebuild
    srv = Server(db, "--quiet", "--cache-mb", "0", threads=2, binary=SAN_SERVER)
    seen = warm(srv)
    check(seen == {base + 1}, "a new server offers the variant (%s)" % seen)
    rc, err = commit(db, corpus, "ny2.txt", WORD[:-1] + "o")
    check(rc == 0, "commit another variant", err)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
    t0 = time.monotonic()
    n = total(conn)
    while n == base + 1 and time.monotonic() - t0 < 20:
        time.sleep(0.02)
        n = total(conn)
    t_rebuild = time.monotonic() - t0
    conn.close()
    check(n == base + 2, "the rebuild is taken up (%.2f s)" % t_rebuild, n)
    check(t_signal < t_rebuild / 2,
          "A signalled well inside a rebuild (%.3f s of %.3f s)" % (t_signal, t_rebuild))
    stopped_clean(srv, "SIGTERM after the rebuild")
    srv = None
finally:
    if srv is not None:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
