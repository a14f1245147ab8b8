#!/usr/bin/env python3
"""sok-server's response cache (--cache-mb): a repeated search is answered
from the cache with the same body as without it (only took_ms may differ),
every parameter is part of the key, a re-index (a new revision) is seen by
the next request instead of a stale cached answer, and --cache-mb 0 turns
it off.  Real binaries, loopback only."""
import os, re, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir, copy_corpus, SOK_SERVER
from sokutil import ServerPool, q

tmp = tempdir()
pool = ServerPool()
start = pool.start


def no_took(body):
    return re.sub(rb'"took_ms":[0-9.]+', b'"took_ms":0', body, count=1)


try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus)
    check(rc == 0, "index the corpus copy", err)
    # One thread, so that a repeated request meets the same cache.
    srv = start(db, "--quiet", threads=1)
    off = start(db, "--quiet", "--cache-mb", "0", threads=1)

    paths = ["/api/search?q=" + q("Fritidsbanken"),
             "/api/search?q=" + q("hälsa") + "&per_page=5",
             "/api/search?q=" + q("hälsa") + "&per_page=5&page=2",
             "/api/search?q=" + q("hälsa") + "&sort=date",
             "/api/search?q=" + q("hälsa") + "&type=minutes&from=2015-01-01&to=2024-12-31",
             "/api/search?q=" + q("fritids bank"),
             "/?q=" + q("hälsa")]
    for p in paths:
        st1, h1, b1 = srv.request(p)
        st2, h2, b2 = srv.request(p)
        st0, h0, b0 = off.request(p)
        check(st1 == st2 == st0 == 200, "%s: 200 three times" % p, (st1, st2, st0))
        check(h1.get("x-cache") == "miss" and h2.get("x-cache") == "hit",
              "%s: a miss, then a hit" % p, (h1.get("x-cache"), h2.get("x-cache")))
        check(no_took(b1) == no_took(b2) == no_took(b0),
              "%s: cached body equals the computed one and the uncached server's "
              "(but for took_ms)" % p, (b1[:300], b2[:300], b0[:300]))
        check(h0.get("x-cache") is None, "%s: --cache-mb 0 does not cache" % p, h0)
        if p.startswith("/api/"):
            took = re.search(rb'"took_ms":([0-9.]+)', b2)
            check(took is not None, "%s: a cached answer still says took_ms" % p, b2[:200])

    # Every parameter is part of the key.
    _, _, a = srv.json("/api/search?q=" + q("hälsa") + "&per_page=5")
    _, _, b = srv.json("/api/search?q=" + q("hälsa") + "&per_page=6")
    check(a and b and b["per_page"] == 6 and len(a["hits"]) == min(5, a["total"]) and
          len(b["hits"]) == min(6, b["total"]),
          "per_page is part of the key", (a and len(a["hits"]), b and len(b["hits"])))
    _, _, c = srv.json("/api/search?q=" + q("Hälsa") + "&per_page=5")
    check(c and c["query"] == "Hälsa", "q as typed is part of the key", c and c["query"])
    st, h, _ = srv.request("/api/search?q=" + q("hälsa") + "&per_page=5", method="HEAD")
    check(st == 200, "HEAD on a cached search: 200", st)

    # A re-index is seen by the next request, cached answers or not.
    st, h, r = srv.json("/api/search?q=kvastfenomenet")
    st, h, r = srv.json("/api/search?q=kvastfenomenet")
    check(st == 200 and r["total"] == 0 and h.get("x-cache") == "hit",
          "an unknown word: no hits, cached", (st, r and r["total"], h.get("x-cache")))
    _, _, before = srv.json("/api/search?q=" + q("hälsa"))
    with open(os.path.join(corpus, "900_nytt.txt"), "w", encoding="utf-8") as f:
        f.write("Kvastfenomenet och hälsa\n\nEtt alldeles nytt ord: "
                "kvastfenomenet, om hälsa och hur sopkvastar lånas ut.\n")
    rc, out, err = run_index(db, corpus)
    check(rc == 0, "re-index with a new document", err)
    st, h, r = srv.json("/api/search?q=kvastfenomenet")
    check(st == 200 and r["total"] >= 1 and h.get("x-cache") == "miss",
          "after the re-index the new document is found, not the cached answer",
          (st, r and r["total"], h.get("x-cache")))
    st, h, after = srv.json("/api/search?q=" + q("hälsa"))
    check(st == 200 and h.get("x-cache") == "miss" and after["total"] == before["total"] + 1,
          "after the re-index an older cached search is computed again",
          (h.get("x-cache"), before["total"], after and after["total"]))
    os.remove(os.path.join(corpus, "900_nytt.txt"))
    rc, out, err = run_index(db, corpus, args=("--full",))
    st, h, r = srv.json("/api/search?q=kvastfenomenet")
    check(rc == 0 and st == 200 and r["total"] == 0,
          "after a --full rebuild (stub swap) the deleted document is gone",
          (rc, st, r and r["total"]))

    st, _, m = srv.request("/metrics")
    hits = re.search(rb"^sok_cache_hits_total (\d+)", m, re.M)
    check(st == 200 and hits and int(hits.group(1)) >= len(paths),
          "/metrics counts cache hits", m[-600:])

    p = subprocess.run([SOK_SERVER, "--db", db, "--cache-mb", "x"], capture_output=True,
                       text=True, timeout=10)
    check(p.returncode == 1, "--cache-mb x: usage error, exit 1", (p.returncode, p.stderr))
finally:
    pool.stop_all()
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
done()
