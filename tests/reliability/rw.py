"""Scenario 2: reads while writing.

wrk holds 64 connections on the server for 60 s, once with the response
cache on and once with it off, while sok-index commits a new revision
every 5 s (a few files changed each time, as a nightly run would).
Promised: no socket error, no answer but a 2xx, and every answer from a
revision at most one commit old.  The last is read off a marker document
whose title names the commit that wrote it: a probe on its own connection
searches for it and compares the commit it sees with the last commit that
had finished before the request was sent."""
import http.client, json, os, re, shutil, threading, time

from relib import Result, Server, gen_corpus, run_index, search_paths, tempdir, wrk

DOCS = 5000
PERIOD = 5.0


class Writer(threading.Thread):
    """Commits a revision every PERIOD seconds; commits[] holds (the moment
    its run exited, the commit number) for each."""
    def __init__(self, db, corpus):
        super().__init__(daemon=True)
        self.db, self.corpus = db, corpus
        self.commits = [(0.0, 0)]
        self.errors = []
        self.halt = threading.Event()

    def write_marker(self, k):
        with open(os.path.join(self.corpus, "marker.txt"), "w") as f:
            f.write("Mätpunkt rwgen%05d\n\nrwmark rwgen%05d skrevs av körning %d.\n" % (k, k, k))

    def run(self):
        k = 0
        while not self.halt.is_set():
            t = time.monotonic()
            k += 1
            self.write_marker(k)
            # A few ordinary files change as well, so each run rewrites
            # postings all over the index, not only the marker's.
            for i in range(10):
                j = (k * 97 + i * 13) % DOCS
                path = os.path.join(self.corpus, "%03d" % (j // 1000), "%06d.txt" % j)
                if os.path.exists(path):
                    with open(path, "a") as f:
                        f.write("\nTillägg %d av körning %d.\n" % (i, k))
            rc, out, err = run_index(self.db, self.corpus, args=("--quiet",))
            if rc != 0:
                self.errors.append("run %d: exit %d %s" % (k, rc, err[-200:]))
            else:
                self.commits.append((time.monotonic(), k))
            self.halt.wait(max(0.0, PERIOD - (time.monotonic() - t)))

    def last_before(self, t):
        return max(k for at, k in self.commits if at <= t)


class Freshness(threading.Thread):
    """Asks for the marker and records how many commits behind each answer is."""
    def __init__(self, port, writer):
        super().__init__(daemon=True)
        self.port, self.writer = port, writer
        self.lag = []
        self.failures = []
        self.halt = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.halt.is_set():
            t = time.monotonic()
            want = self.writer.last_before(t)
            try:
                conn.request("GET", "/api/search?q=rwmark")
                r = conn.getresponse()
                body = r.read()
                hits = json.loads(body)["hits"] if r.status == 200 else []
                m = re.search(r"rwgen(\d+)", hits[0]["title"]) if hits else None
                if want > 0 and m is None:
                    self.failures.append("no marker in the answer (HTTP %d)" % r.status)
                elif m is not None:
                    self.lag.append(want - int(m.group(1)))
            except (OSError, ValueError, KeyError, http.client.HTTPException) as e:
                self.failures.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.halt.wait(0.05)
        conn.close()


def phase(res, db, corpus, label, seconds, server_args):
    srv = Server(db, "--quiet", *server_args)
    writer = Writer(db, corpus)
    fresh = None
    try:
        writer.start()
        fresh = Freshness(srv.port, writer)
        fresh.start()
        w = wrk(srv.port, seconds, 64, search_paths())
    finally:
        writer.halt.set()
        writer.join(60)
        if fresh is not None:
            fresh.halt.set()
            fresh.join(15)
        rc = srv.stop()
    commits = len(writer.commits) - 1
    worst = max(fresh.lag) if fresh.lag else 0
    res.fig("%s: %.0f req/s, p99 %.0f ms, %d socket errors, %d non-2xx, %d commits, "
            "%d freshness checks, worst %d commit(s) behind"
            % (label, w["rps"], w["p99_ms"], w["socket_errors"], w["non2xx"], commits,
               len(fresh.lag), max(worst, 0)))
    res.expect(w["requests"] > 0, "%s: wrk sent nothing:\n%s" % (label, w["raw"][-500:]))
    res.expect(w["socket_errors"] == 0, "%s: %d socket errors" % (label, w["socket_errors"]))
    res.expect(w["non2xx"] == 0, "%s: %d answers not 2xx" % (label, w["non2xx"]))
    res.expect(not writer.errors, "%s: the indexer failed: %s" % (label, writer.errors[:2]))
    res.expect(commits >= seconds / PERIOD - 2, "%s: only %d commits in %d s" % (label, commits, seconds))
    res.expect(not fresh.failures, "%s: freshness probe failed: %s" % (label, fresh.failures[:3]))
    res.expect(worst <= 1, "%s: an answer came from %d commits back" % (label, worst))
    res.expect(rc == 0, "%s: server exit %s" % (label, rc))


def run(quick=False):
    res = Result("reads while writing")
    tmp = tempdir("rw")
    try:
        corpus = os.path.join(tmp, "corpus")
        db = os.path.join(tmp, "db")
        gen_corpus(corpus, DOCS, seed=11)
        Writer(db, corpus).write_marker(0)
        rc, out, err = run_index(db, corpus)
        res.expect(rc == 0, "first run: exit %d %s" % (rc, err[-300:]))
        seconds = 10 if quick else 60
        phase(res, db, corpus, "cache on", seconds, ())
        phase(res, db, corpus, "cache off", seconds, ("--cache-mb", "0"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res.finish()
