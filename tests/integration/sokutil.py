"""Helpers for the sok-server integration tests (stdlib only).

Server starts the real build/sok-server on 127.0.0.1 port 0 and reads the
bound port back from its "listening on ADDR:PORT" line; its stderr (the
access log) is collected in the background so the pipe never fills.
"""
import http.client, json, os, re, signal, socket, subprocess, threading, time

from harness import SOK_SERVER


class Server:
    def __init__(self, db, *args, threads=2, preexec_fn=None, wait=True,
                 binary=SOK_SERVER, env=None):
        self.cmd = [binary, "--db", db, "--listen", "127.0.0.1:0",
                    "--threads", str(threads), *args]
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, preexec_fn=preexec_fn,
                                  env=env)
        self.lines = []
        self.port = None
        self._ready = threading.Event()
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()
        if wait:
            self._ready.wait(20)
            if self.port is None:
                raise RuntimeError("sok-server did not start: %s" % self.log())

    def _read(self):
        for raw in self.p.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            m = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m and self.port is None:
                self.port = int(m.group(1))
                self._ready.set()
        self._ready.set()

    def log(self):
        return "\n".join(self.lines[-40:])

    def raw_log(self):
        return list(self.lines)

    def request(self, path, method="GET", headers=None, body=None, timeout=10):
        """Returns (status, headers dict lower-cased, body bytes)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def json(self, path, **kw):
        st, h, body = self.request(path, **kw)
        try:
            return st, h, json.loads(body.decode("utf-8"))
        except ValueError:
            return st, h, None

    def raw(self, data, timeout=5, read=True):
        """Sends raw bytes on a new connection; returns what came back."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            if not read:
                return b""
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
            return out
        finally:
            s.close()

    def alive(self):
        try:
            return self.request("/healthz", timeout=5)[0] == 200
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Signals the server and returns its exit code (None: it hung)."""
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        self._t.join(5)
        return rc

    def cpu_seconds(self):
        """User + system CPU time the server has used so far."""
        with open("/proc/%d/stat" % self.p.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def q(s):
    """URL-encodes a query value."""
    import urllib.parse
    return urllib.parse.quote(s, safe="")


class ServerPool:
    """Starts Servers and stops every one of them at the end of a test, even
    one that failed half-way (call stop_all() in a finally)."""
    def __init__(self):
        self.servers = []

    def start(self, db, *args, **kw):
        s = Server(db, *args, **kw)
        self.servers.append(s)
        return s

    def stop_all(self):
        for s in self.servers:
            try:
                s.stop()
            except Exception:
                pass
