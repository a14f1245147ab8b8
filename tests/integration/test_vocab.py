#!/usr/bin/env python3
"""What staff need: their vocabulary and the searches that found
nothing, on the real sok-server (loopback only, bounded waits).

  - synonyms (--synonyms): both ways, one way, normalised as queries are;
    a file with a bad line (named with its number, the rest kept); a file
    changed while the server runs (read again within about a second); a
    missing file (said once);
  - best bets (--best-bets): shown first and marked, a file changed while
    the server runs;
  - zero-hit searches: sok_search_zero_hits_total, the log behind
    GET /staff/zero-hits and /staff/ (normalised queries, counts, days,
    nothing about the person), kept across a restart (--zero-log), a
    corrupt file ignored, the staff routes for loopback or --staff-allow
    clients only and never through a proxy.
"""
import http.client, json, os, re, shutil, signal, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, check, done, run_index, skip, tempdir, copy_corpus
from sokutil import ServerPool, q



tmp = tempdir()
pool = ServerPool()
start = pool.start


def write(path, text):
    """Replaces path atomically, as an editor saving through a new file."""
    with open(path + ".new", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".new", path)


def wait_for_line(srv, pattern, after=0, timeout=8.0):
    """Polls the server (each request may notice a changed file, at most
    once a second) until a stderr line from index after on matches."""
    end = time.time() + timeout
    while time.time() < end:
        srv.request("/healthz")
        for line in srv.raw_log()[after:]:
            if re.search(pattern, line):
                return line
        time.sleep(0.25)
    return None


def idle_polls(srv, seconds):
    """Requests for a while, so the server checks its files a few times."""
    end = time.time() + seconds
    while time.time() < end:
        srv.request("/healthz")
        time.sleep(0.25)


def total(srv, query, extra=""):
    st, _, r = srv.json("/api/search?q=" + q(query) + extra)
    return r["total"] if st == 200 and r else None


def ids(srv, query, n=100):
    st, _, r = srv.json("/api/search?q=%s&per_page=%d" % (q(query), n))
    return [h["id"] for h in r["hits"]] if st == 200 and r else []


def zero_metric(srv):
    st, _, body = srv.request("/metrics")
    m = re.search(rb"^sok_search_zero_hits_total (\d+)$", body, re.M)
    return int(m.group(1)) if st == 200 and m else None


def staff_get(srv, path, source_addr=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10,
                                   source_address=source_addr)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        return r.status, r.getheader("Content-Type", ""), body
    finally:
        c.close()


try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus)
    check(rc == 0, "index the corpus copy", err)
    plain = start(db, "--quiet", threads=1)
    base = {w: total(plain, w) for w in ("fritidsbanken", "hälsa", "romer")}
    check(all(base.values()), "the words the test leans on are in the corpus", base)

    # ------------------------------------------------------------ synonyms
    syn = os.path.join(tmp, "synonyms.txt")
    bets = os.path.join(tmp, "bets.txt")
    zlog = os.path.join(tmp, "zero-hits.json")
    write(syn, "# the staff's words\n"
               "qxsoptunna, fritidsbanken\n"                # 2: both ways
               "qxsocialbidrag => romer\n"                  # 3: one way
               "hälsa => fritidsbanken   # one way too\n"   # 4
               "ensam\n"                                    # 5: bad
               "a => b => c\n")                             # 6: bad
    write(bets, "nonsense without an arrow\n")
    srv = start(db, "--quiet", "--synonyms", syn, "--best-bets", bets,
                "--zero-log", zlog, threads=2)
    log = "\n".join(srv.raw_log())
    check(re.search(r"synonyms\.txt:5: a single term", log) and
          re.search(r"synonyms\.txt:6: more than one '=>'", log),
          "a bad line is refused with its line number on stderr", log)
    check(re.search(r"synonyms .*synonyms\.txt: terms 4, synonyms 4, lines refused 2", log),
          "the rest of the file is kept (4 terms, 4 synonyms)", log)
    check(re.search(r"bets\.txt:1: no '=>'", log), "a bad best-bet line is named too", log)

    check(total(srv, "qxsoptunna") == base["fritidsbanken"],
          "both ways: an unknown word finds its synonym's sections",
          (total(srv, "qxsoptunna"), base))
    check(total(srv, "Qxsoptunnor") == base["fritidsbanken"],
          "normalised as queries are: case and stem (qxsoptunnor ~ qxsoptunna)")
    check(total(srv, "fritidsbanken") == base["fritidsbanken"] and
          ids(srv, "fritidsbanken")[:3] == ids(plain, "fritidsbanken")[:3],
          "both ways: the word typed keeps its own hits first")
    check(total(srv, "qxsocialbidrag") == base["romer"],
          "one way: the left finds the right", total(srv, "qxsocialbidrag"))
    h = ids(srv, "hälsa")
    check(total(srv, "fritidsbanken") == base["fritidsbanken"] and
          set(ids(plain, "fritidsbanken")) <= set(h),
          "one way: hälsa finds fritidsbanken's sections, not the other way round")
    # By title and score, not id: of near-duplicate sections (twins)
    # another may be shown.
    top = lambda s: [(x["title"], round(x["score"], 3)) for x in
                     s.json("/api/search?q=" + q("hälsa"))[2]["hits"][:5]]
    check(top(srv) == top(plain), "a synonym never outranks the word typed",
          (top(srv), top(plain)))

    # the file changes while the server runs
    mark = len(srv.raw_log())
    write(syn, "qxsoptunna, fritidsbanken\nqxnyttord, romer\nbad\n")
    line = wait_for_line(srv, r"synonyms .*synonyms\.txt: terms 4, synonyms 4, lines refused 1", mark)
    check(line is not None, "a changed synonyms file is read again while the server runs",
          srv.log())
    check(any(re.search(r"synonyms\.txt:3: a single term", l) for l in srv.raw_log()[mark:]),
          "a bad line of the new file is named with its number", srv.log())
    check(total(srv, "qxnyttord") == base["romer"], "the new synonym is used at once")
    check(total(srv, "qxsocialbidrag") == 0, "the removed one is gone")

    # ----------------------------------------------------------- best bets
    st, _, r = plain.json("/api/search?q=romer")
    target = r["hits"][-1]["id"]
    mark = len(srv.raw_log())
    write(bets, "qxbostad, romer => %s, /sida/bostad\n" % target)
    line = wait_for_line(srv, r"best bets .*bets\.txt: queries 2, targets 4, lines refused 0", mark)
    check(line is not None, "a changed best-bets file is read again while the server runs",
          srv.log())
    st, _, r = srv.json("/api/search?q=romer")
    first = r["hits"][0] if st == 200 and r and r["hits"] else {}
    check(first.get("id") == target and
          (first.get("recommended") is True or first.get("best_bet") is True),
          "a best bet is the first hit and marked", first)
    st, _, page = srv.request("/?q=romer")
    check(st == 200 and "Rekommenderad" in page.decode("utf-8"),
          "the page marks it \"Rekommenderad\"")

    # a missing file: an empty vocabulary, said once
    gone = start(db, "--quiet", "--synonyms", os.path.join(tmp, "nope.txt"), threads=1)
    idle_polls(gone, 2.5)                       # past two periods
    said = [l for l in gone.raw_log() if "nope.txt: not found, none in use" in l]
    check(len(said) == 1 and gone.alive(), "a missing synonyms file is said once, not fatal",
          gone.log())
    gone.stop()

    # --------------------------------------------------------- zero hits
    z0 = zero_metric(srv)
    check(z0 is not None, "/metrics has sok_search_zero_hits_total", z0)
    srv.json("/api/search?q=" + q("Qxzqw  ÅÅxqj"))
    # Each worker thread has its own cache: repeat until one answers.
    n = 0
    for n in range(1, 12):
        st, h, _ = srv.json("/api/search?q=" + q("qxzqw ååxqj"))
        if n > 1 and h.get("x-cache") == "hit":
            break
    srv.request("/?q=" + q("QXZQW\tÅåXQJ"))                          # the page
    srv.json("/api/search?q=qxfiltered&type=news")                  # filtered
    srv.json("/api/search?q=" + q("qxpnr 850101-1234"))             # personal
    srv.json("/api/search?q=" + q("hälsa"))                          # found
    check(h.get("x-cache") == "hit", "a repeated zero-hit search is answered from the cache", h)
    check(zero_metric(srv) == z0 + n + 4,
          "every search that found nothing is counted, a cached one too",
          (z0, n, zero_metric(srv)))
    st, ct, body = staff_get(srv, "/staff/zero-hits")
    r = json.loads(body) if st == 200 else {}
    rows = {e["query"]: e for e in r.get("queries", [])}
    e = rows.get("qxzqw ååxqj", {})
    today = time.strftime("%Y-%m-%d", time.gmtime())
    check(st == 200 and ct.startswith("application/json") and r.get("days") == 30 and
          e.get("count") == n + 2 and e.get("first_seen") == today and
          e.get("last_seen") == today,
          "/staff/zero-hits: the normalised query, its count, first and last day", body)
    check("qxfiltered" not in rows and not any("850101" in k for k in rows),
          "a filtered search and a personal-looking query are not kept", sorted(rows))
    check(all(set(x) == {"query", "count", "total", "first_seen", "last_seen"}
              for x in r.get("queries", [])) and b"127.0.0.1" not in body,
          "nothing about the person in the log", body)
    st, ct, body = staff_get(srv, "/staff/")
    check(st == 200 and ct.startswith("text/html") and "qxzqw ååxqj" in body.decode("utf-8"),
          "/staff/: the same as a page", (st, ct))
    st, _, body = staff_get(srv, "/staff/zero-hits?limit=0")
    check(st == 400 and json.loads(body)["error"]["parameter"] == "limit",
          "a bad limit is a 400 naming it", body)
    st, _, body = staff_get(srv, "/staff/zero-hits", headers={"X-Forwarded-For": "198.51.100.7"})
    check(st == 403 and json.loads(body)["error"]["code"] == "forbidden",
          "through a proxy (X-Forwarded-For) the staff route is refused", (st, body))
    st, _, m = srv.request("/metrics")
    check(b'route="staff",status="403"' in m, "the refusal is counted as a 403 of route staff")

    # persistence across a restart
    rc = srv.stop()
    saved = json.load(open(zlog, encoding="utf-8")) if os.path.exists(zlog) else {}
    check(rc == 0 and {x["query"]: x["total"] for x in saved.get("queries", [])}
          .get("qxzqw ååxqj") == n + 2 and not os.path.exists(zlog + ".tmp"),
          "SIGTERM saves the log to --zero-log (renamed into place)", saved)
    srv = start(db, "--quiet", "--zero-log", zlog, threads=1)
    srv.json("/api/search?q=" + q("qxzqw ååxqj"))
    st, _, body = staff_get(srv, "/staff/zero-hits")
    r = json.loads(body) if st == 200 else {}
    check({x["query"]: x["count"] for x in r.get("queries", [])}.get("qxzqw ååxqj") == n + 3,
          "after a restart the log goes on from the file", body)
    srv.stop()
    with open(zlog, "w") as f:
        f.write('{"format": "sok-zero-hits", "version": 1, "queries": [{"query"')
    srv = start(db, "--quiet", "--zero-log", zlog, threads=1)
    check(srv.alive() and any("ignored" in l for l in srv.raw_log()),
          "a corrupt log file is said on stderr and ignored", srv.log())
    st, _, body = staff_get(srv, "/staff/zero-hits")
    check(st == 200 and json.loads(body)["queries"] == [], "and the log starts empty", body)
    srv.stop()

    # ---------------------------------------------------- who is staff
    srv = start(db, "--quiet", "--staff-allow", "127.0.0.2/32", threads=1)
    st, ct, body = staff_get(srv, "/staff/zero-hits")
    check(st == 403 and ct.startswith("application/json") and
          json.loads(body)["error"]["code"] == "forbidden",
          "--staff-allow 127.0.0.2/32: a client at 127.0.0.1 gets a 403 JSON error", (st, body))
    st, ct, _ = staff_get(srv, "/staff/")
    check(st == 403 and ct.startswith("text/html"), "and the page a 403 page", (st, ct))
    st, _, body = staff_get(srv, "/staff/zero-hits", source_addr=("127.0.0.2", 0))
    check(st == 200, "a client at 127.0.0.2 may see it", (st, body))
    srv.stop()
    bad = start(db, "--staff-allow", "10.0.0.0/33", wait=False)
    rc = bad.stop(sig=0)
    check(rc == 1 and any("--staff-allow 10.0.0.0/33" in l for l in bad.raw_log()),
          "a bad --staff-allow is a usage error (exit 1)", (rc, bad.log()))
finally:
    pool.stop_all()
    shutil.rmtree(tmp, ignore_errors=True)
done()
