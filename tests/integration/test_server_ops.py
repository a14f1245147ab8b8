#!/usr/bin/env python3
"""sok-server under operations: a re-index while clients keep querying (no
failed request, the new document found by the first query after the
indexer exits), an index that vanishes and comes back (503, then 200),
hostile connections (dribbling, idle, over the cap, descriptor exhaustion)
and shutdown with SIGTERM.  Real binaries, loopback only, bounded waits."""
import os, re, resource, shutil, signal, socket, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir, copy_corpus
from sokutil import ServerPool, q

tmp = tempdir()
pool = ServerPool()
start = pool.start


try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus)
    check(rc == 0, "index the corpus copy", err)
    srv = start(db, "--quiet", threads=2)

    # ------------------------------------------------ fresh under load
    failures, count, stop = [], [0], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                st, _, r = srv.json("/api/search?q=" + q("hälsa"), timeout=10)
                if st != 200 or r is None:
                    failures.append(st)
            except Exception as e:
                failures.append(repr(e))
            count[0] += 1

    workers = [threading.Thread(target=hammer) for _ in range(4)]
    for t in workers:
        t.start()
    time.sleep(0.3)
    with open(os.path.join(corpus, "900_nytt.txt"), "w", encoding="utf-8") as f:
        f.write("Kvastfenomenet i Helsingborg\n\nEtt alldeles nytt ord: "
                "kvastfenomenet, om hur sopkvastar lånas ut.\n")
    rev0 = srv.json("/healthz")[2]["revision"]
    rc, out, err = run_index(db, corpus)
    st, _, r = srv.json("/api/search?q=kvastfenomenet")
    check(rc == 0 and st == 200 and r["total"] >= 1,
          "new document found by the first query after the indexer exits",
          (rc, err, r and r["total"]))
    rev1 = srv.json("/healthz")[2]["revision"]
    check(rev1 > rev0, "/healthz revision moves with the index (%d -> %d)" % (rev0, rev1))
    os.remove(os.path.join(corpus, "900_nytt.txt"))
    rev0 = srv.json("/healthz")[2]["revision"]
    rc, out, err = run_index(db, corpus)
    st, _, r = srv.json("/api/search?q=kvastfenomenet")
    check(rc == 0 and st == 200 and r["total"] == 0,
          "deleted document gone by the next query", r and r["total"])
    rc, out, err = run_index(db, corpus, args=("--full",))
    st, _, r = srv.json("/api/search?q=Fritidsbanken")
    check(rc == 0 and st == 200 and r["total"] >= 1,
          "a --full rebuild (stub swap) is followed", (rc, err, r and r["total"]))
    time.sleep(0.3)
    stop.set()
    for t in workers:
        t.join(30)
    check(not failures and count[0] > 20,
          "no failed request while re-indexing (%d requests)" % count[0], failures[:5])

    # ------------------------------------------------ index vanishes
    moved = db + ".away"
    os.rename(db, moved)
    st, h, r = srv.json("/api/search?q=" + q("hälsa"))
    check(st == 503 and r and r["error"]["code"] == "index_unavailable",
          "index gone: 503 JSON", (st, r))
    st, _, r = srv.json("/healthz")
    check(st == 503 and r and r["status"] != "ok", "index gone: /healthz 503", (st, r))
    st, _, r = srv.json("/api/search?q=x&page=0")
    check(st == 400, "index gone: a bad parameter is still a 400", st)
    st, _, _ = srv.request("/metrics")
    check(st == 200, "index gone: /metrics still answers", st)
    os.rename(moved, db)
    st, _, r = srv.json("/api/search?q=" + q("hälsa"))
    check(st == 200 and r["total"] > 0, "index back: 200 again", (st, r and r.get("total")))

    # ------------------------------------------------ concurrency
    errs = []

    def burst():
        for i in range(40):
            try:
                st, _, _ = srv.request("/api/search?q=" + q(["hälsa", "fritidsbanken",
                                       "smart väg", "romer"][i % 4]), timeout=10)
                if st != 200:
                    errs.append(st)
            except Exception as e:
                errs.append(repr(e))

    ts = [threading.Thread(target=burst) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    check(not errs, "320 concurrent requests on 8 clients: all 200", errs[:5])
    rc = srv.stop()
    check(rc == 0, "SIGTERM after load: exit 0", rc)

    # ------------------------------------------------ hostile connections
    hs = start(db, "--timeout", "2", "--max-conns", "8", threads=1)
    # dribbling: one header byte every 0.5 s never completes a request
    s = socket.create_connection(("127.0.0.1", hs.port), timeout=10)
    t0 = time.time()
    closed_at = None
    req = b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 200
    for b in req:
        try:
            s.sendall(bytes([b]))
            s.settimeout(0.5)
            if s.recv(1024) == b"":
                closed_at = time.time() - t0
                break
        except socket.timeout:
            pass
        except OSError:
            closed_at = time.time() - t0
            break
        if time.time() - t0 > 10:
            break
    s.close()
    check(closed_at is not None and closed_at < 5,
          "dribbling connection closed by the deadline (%.1fs)" % (closed_at or -1))

    s = socket.create_connection(("127.0.0.1", hs.port), timeout=10)
    t0 = time.time()
    try:
        data = s.recv(1024)
    except OSError:
        data = b""
    idle = time.time() - t0
    s.close()
    check(data == b"" and idle < 5, "idle connection closed (%.1fs)" % idle)

    # many short connections in quick succession are not mistaken for many
    # open ones
    churn = [hs.request("/healthz")[0] for _ in range(60)]
    check(all(st == 200 for st in churn),
          "60 quick one-request connections under a cap of 8: all 200",
          [st for st in churn if st != 200][:5])

    # over the cap: idle connections fill it; the next request is shed
    socks = [socket.create_connection(("127.0.0.1", hs.port), timeout=5) for _ in range(12)]
    time.sleep(0.7)     # > one sweep
    st, h, r = hs.json("/healthz")
    check(st == 503 and r and r["error"]["code"] == "overloaded",
          "over the connection cap: 503 overloaded", (st, r))
    for s in socks:
        s.close()
    time.sleep(0.7)
    check(hs.alive(), "below the cap again: 200")
    check(hs.stop() == 0, "hostile-connection server: exit 0")

    # descriptor exhaustion: far more connections than descriptors
    def low_fds():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    es = start(db, "--timeout", "3", threads=1, preexec_fn=low_fds)
    socks = []
    for _ in range(150):
        try:
            socks.append(socket.create_connection(("127.0.0.1", es.port), timeout=2))
        except OSError:
            break
    time.sleep(0.3)
    c0 = es.cpu_seconds()
    time.sleep(1.5)
    used = es.cpu_seconds() - c0
    check(used < 0.5, "out of descriptors: no busy loop (%.2fs CPU in 1.5s)" % used)
    busy = 0
    for s in socks:
        s.setblocking(False)
        try:
            busy += s.recv(64, socket.MSG_PEEK).startswith(b"HTTP/1.1 503")
        except OSError:
            pass
    check(len(socks) > 64 and busy > 0,
          "out of descriptors: waiting clients told 503 (%d of %d)" % (busy, len(socks)))
    for s in socks:
        s.close()
    ok = False
    for _ in range(30):
        if es.alive():
            ok = True
            break
        time.sleep(0.2)
    check(ok, "out of descriptors: accepting again afterwards")
    time.sleep(0.5)     # one sweep: the closed connections are forgotten
    st, _, r = es.json("/api/search?q=" + q("hälsa"))
    check(st == 200, "out of descriptors: searches again afterwards", (st, r))
    st, _, body = es.request("/metrics")
    m = re.search(rb"sok_http_accept_errors_total (\d+)", body)
    check(m and int(m.group(1)) > 0, "out of descriptors: counted in /metrics",
          body[-600:])
    check(es.stop() == 0, "fd-starved server: exit 0")

    # ------------------------------------------------ shutdown mid-request
    ss = start(db, "--quiet", threads=2)
    results = []

    def one():
        try:
            results.append(ss.request("/api/search?q=" + q("hälsa") + "&per_page=100")[0])
        except Exception as e:
            results.append(repr(e))

    ts = [threading.Thread(target=one) for _ in range(6)]
    for t in ts:
        t.start()
    time.sleep(0.01)
    rc = ss.stop()
    for t in ts:
        t.join(10)
    check(rc == 0, "SIGTERM with requests in flight: exit 0", rc)
    check(all(r == 200 or "Connection" in str(r) or "Remote" in str(r) for r in results),
          "in-flight requests answered or refused cleanly", results)
    ss2 = start(db, "--quiet", threads=1)
    check(ss2.stop(signal.SIGINT) == 0, "SIGINT: exit 0")
finally:
    pool.stop_all()
    shutil.rmtree(tmp, ignore_errors=True)
done()
