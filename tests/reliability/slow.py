"""Scenario 8: slow clients and descriptor exhaustion.

Five hundred connections dribble a request a byte a second for 60 s (each
one closed by the server is opened again, so five hundred are always
there).  Promised: a probe on its own connection keeps its p99 under
50 ms with no failure, and the server closes every slow connection within
its --timeout (a little slack for the scheduler).

Then a server whose descriptor limit is 256 is sent the limit + 100
connections at once: it does not spin (under 20% of a core while it
cannot accept), and within 5 s of their closing it serves in full again."""
import os, resource, selectors, shutil, socket, time

from relib import CORPUS, Probe, Result, Server, pct, run_index, tempdir

TIMEOUT = 10        # the server's --timeout, seconds
SLACK = 1.5         # what "within its timeout" allows the scheduler
FD_LIMIT = 256


class Dribblers:
    """n connections, each sending its request a byte every second."""
    REQ = b"GET /api/search?q=fritidsbanken HTTP/1.1\r\nHost: sok\r\nUser-Agent: slow\r\n\r\n"

    def __init__(self, port, n):
        self.port, self.n = port, n
        self.sel = selectors.DefaultSelector()
        self.lifetimes = []
        self.refused = 0
        self.completed = 0          # whole requests sent (should not happen)

    def open_one(self, now, stagger):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            self.refused += 1
            return
        s.setblocking(False)
        self.sel.register(s, selectors.EVENT_READ, {"t0": now, "sent": 0, "next": now + stagger})

    def run(self, seconds):
        now = time.monotonic()
        for i in range(self.n):
            self.open_one(now, i / self.n)
        end = now + seconds
        while True:
            now = time.monotonic()
            if now >= end:
                break
            for key, _ in self.sel.select(timeout=0.05):
                s, st = key.fileobj, key.data
                try:
                    s.recv(4096)
                except OSError:
                    pass
                # An answer (a 408) or the close: either way the
                # server has ended this one.
                self.lifetimes.append(now - st["t0"])
                self.sel.unregister(s)
                s.close()
                self.open_one(now, 0.5)
            for key in list(self.sel.get_map().values()):
                st = key.data
                if now >= st["next"]:
                    st["next"] = now + 1.0
                    if st["sent"] < len(self.REQ):
                        try:
                            key.fileobj.send(self.REQ[st["sent"]:st["sent"] + 1])
                            st["sent"] += 1
                        except OSError:
                            pass
                        if st["sent"] == len(self.REQ):
                            self.completed += 1
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()


def slow_part(res, db, quick):
    n, seconds = (100, 15) if quick else (500, 60)
    srv = Server(db, "--quiet", "--timeout", str(TIMEOUT), "--cache-mb", "0")
    probe = Probe(srv.port)
    try:
        probe.start()
        d = Dribblers(srv.port, n)
        d.run(seconds)
        probe.stop()
        longest = max(d.lifetimes) if d.lifetimes else 0.0
        res.fig("%d dribbling connections for %d s: %d closed by the server, longest %.1f s "
                "(timeout %d s)" % (n, seconds, len(d.lifetimes), longest, TIMEOUT))
        res.fig("probe %d searches, p50 %.1f ms, p99 %.1f ms, %d failed"
                % (len(probe.lat), pct(probe.lat, 50), probe.p99(), len(probe.failures)))
        res.expect(probe.p99() < 50, "probe p99 %.1f ms under dribblers" % probe.p99())
        res.expect(not probe.failures, "probe failed: %s" % probe.failures[:3])
        res.expect(longest <= TIMEOUT + SLACK, "a slow connection lived %.1f s" % longest)
        res.expect(len(d.lifetimes) >= n * (seconds // (TIMEOUT + SLACK)) * 0.9,
                   "only %d slow connections were closed" % len(d.lifetimes))
        res.expect(d.refused == 0, "%d dribblers could not connect" % d.refused)
        res.expect(d.completed == 0, "a dribbler finished its request before the timeout")
    finally:
        probe.stop()
        res.expect(srv.stop() == 0, "dribbled server exit")


def limit_fds():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def fd_part(res, db):
    srv = Server(db, "--quiet", "--max-conns", "4096", preexec_fn=limit_fds)
    socks = []
    try:
        for _ in range(FD_LIMIT + 100):
            try:
                socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=2))
            except OSError:
                break
        time.sleep(0.5)
        c0, t0 = srv.cpu_seconds(), time.monotonic()
        time.sleep(3.0)
        cpu = (srv.cpu_seconds() - c0) / (time.monotonic() - t0)
        for s in socks:
            s.close()
        t = time.monotonic()
        back = None
        while time.monotonic() - t < 10:
            try:
                ok = all(srv.request("/api/search?q=barn", timeout=2)[0] == 200 for _ in range(20))
            except OSError:
                ok = False
            if ok:
                back = time.monotonic() - t
                break
            time.sleep(0.1)
        res.fig("%d connections on a %d-descriptor server: %.0f%% CPU, full service %s"
                % (len(socks), FD_LIMIT, cpu * 100,
                   "after %.1f s" % back if back is not None else "not back in 10 s"))
        res.expect(len(socks) >= FD_LIMIT + 100, "only %d connections opened" % len(socks))
        res.expect(cpu < 0.20, "%.0f%% CPU while out of descriptors" % (cpu * 100))
        res.expect(back is not None and back <= 5.0, "service not back within 5 s")
    finally:
        for s in socks:
            s.close()
        res.expect(srv.stop() == 0, "descriptor-starved server exit")


def run(quick=False):
    res = Result("slow clients")
    tmp = tempdir("slow")
    try:
        db = os.path.join(tmp, "db")
        rc, out, err = run_index(db, CORPUS)
        res.expect(rc == 0, "index: exit %d" % rc)
        slow_part(res, db, quick)
        fd_part(res, db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res.finish()
