#!/usr/bin/env python3
"""What an administrator runs into: sok-server's options through
getopt_long (--db=DIR), its config file (--config, --check-config, the
command line over the file), SIGHUP re-reading it (what changes at once,
what waits for a restart), systemd's readiness protocol on $NOTIFY_SOCKET,
--wait-for-index, the access log in the combined format read by GoAccess,
q kept, masked or dropped, X-Forwarded-For believed only from a trusted
proxy; /healthz and /metrics on the index's commit time and age, the build
and the process (promtool check metrics); sok-index's node-exporter
textfile and config file."""
import json, os, re, shutil, signal, socket, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir, copy_corpus, SOK_SERVER, SOK_INDEX
from sokutil import Server, ServerPool, q

COMBINED = re.compile(r'^(\S+) - - \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) \+0000\] '
                      r'"(\S+) (\S+) HTTP/1\.[01]" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)" (\d+)$')
tmp = tempdir()
pool = ServerPool()


def run(*cmd, timeout=60, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    return p.returncode, p.stdout, p.stderr


def access_lines(srv):
    return [l for l in srv.raw_log() if COMBINED.match(l)]


def wait_for(pred, secs=10):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    db = os.path.join(tmp, "db")
    prom = os.path.join(tmp, "sok-index.prom")
    rc, out, err = run_index(db, corpus, args=("--metrics-file", prom))
    check(rc == 0, "sok-index builds the index", err)

    # ------------------------------------------------ the indexer's file
    text = open(prom).read() if os.path.exists(prom) else ""
    vals = dict(re.findall(r"^(\S+) (\S+)$", text, re.M))
    check(vals.get("sok_index_last_run_success") == "1" and
          vals.get("sok_index_last_run_exit_code") == "0" and
          int(vals.get('sok_index_last_run_files{result="added"}', 0)) == 5 and
          float(vals.get("sok_index_last_run_timestamp_seconds", 0)) > time.time() - 60,
          "--metrics-file: last run time, success, counts", text)
    rc, out, err = run("promtool", "check", "metrics", input=text)
    check(rc == 0, "promtool check metrics passes on the textfile", out + err)
    ok_at = vals.get("sok_index_last_success_timestamp_seconds")
    rc, out, err = run_index(os.path.join(tmp, "nodb", "x"), os.path.join(tmp, "no-such-dir"),
                             args=("--metrics-file", prom))
    vals = dict(re.findall(r"^(\S+) (\S+)$", open(prom).read(), re.M))
    check(rc == 1 and vals.get("sok_index_last_run_success") == "0" and
          vals.get("sok_index_last_run_exit_code") == "1" and
          vals.get("sok_index_last_success_timestamp_seconds") == ok_at,
          "a failed run: success 0, its exit code, the last success's time kept", vals)
    conf = os.path.join(tmp, "index.conf")
    with open(conf, "w") as f:
        f.write("# the nightly run\ndb = %s\npath = %s\njson\n" % (db, corpus))
    rc, out, err = run(SOK_INDEX, "--config", conf)
    check(rc == 0 and json.loads(out.strip().splitlines()[-1]).get("unchanged") == 5,
          "sok-index --config: db, path and a switch from the file", (out, err))
    with open(conf, "a") as f:
        f.write("colour = blue\n")
    rc, out, err = run(SOK_INDEX, "--config", conf)
    check(rc == 1 and "%s:5: unknown key colour" % conf in err, "sok-index: an unknown key is "
          "a usage error naming the line", err)

    # ----------------------------------------------------- getopt_long
    srv = pool.start(db, "--quiet")
    rc, out, err = run(SOK_SERVER, "--db=" + db, "--listen=127.0.0.1:0", "--threads=1",
                       "--check-config")
    check(rc == 0 and "valid" in out, "--db=DIR and --opt=value are read (getopt_long)", (out, err))
    rc, out, err = run(SOK_SERVER, "--version")
    check(rc == 0 and re.match(r"sok-server \d+\.\d+\.\d+", out), "--version", out)
    for prog in (SOK_SERVER, SOK_INDEX):
        for flag in ("--help", "-h"):
            rc, out, err = run(prog, flag)
            check(rc == 0 and out.startswith("usage: ") and err == "",
                  "%s %s: usage on stdout, exit 0" % (os.path.basename(prog), flag),
                  "exit %d\n%s%s" % (rc, out[:200], err))
    rc, out, err = run(SOK_SERVER, "--db", db, "stray")
    check(rc == 1 and "stray" in err, "a stray argument is a usage error", err)
    rc, out, err = run(SOK_SERVER, "--log-query", "hide")
    check(rc == 1 and "keep, mask or drop" in err, "a bad value is a usage error", err)

    # ----------------------------------------------------- config file
    cfg = os.path.join(tmp, "server.conf")
    def write_cfg(*lines):
        with open(cfg, "w") as f:
            f.write("# sok-server\n" + "\n".join(lines) + "\n")
    write_cfg("db = " + db, "threads = 1", "log-query = keep  # as typed",
              "trusted-proxy = 127.0.0.1", "cors-origin = https://a.example")
    rc, out, err = run(SOK_SERVER, "--config", cfg, "--check-config")
    check(rc == 0, "--check-config: a valid file", (out, err))
    write_cfg("db = " + db, "threads = many")
    rc, out, err = run(SOK_SERVER, "--config", cfg, "--check-config")
    check(rc == 1 and "%s:3" % cfg in err and "threads" in err,
          "--check-config: a bad value, with the file and line", err)
    write_cfg("db = " + db, "colour = blue")
    rc, out, err = run(SOK_SERVER, "--config", cfg, "--check-config")
    check(rc == 1 and "unknown key colour" in err, "--check-config: an unknown key", err)
    write_cfg("db = " + db, "listen 127.0.0.1:1")
    rc, out, err = run(SOK_SERVER, "--config", cfg, "--check-config")
    check(rc == 1 and "expected" in err, "--check-config: a line that is no key = value", err)
    rc, out, err = run(SOK_SERVER, "--config", os.path.join(tmp, "missing.conf"), "--check-config")
    check(rc == 1 and "missing.conf" in err, "--check-config: a missing file", err)

    # -------------------------------------- the log, masking, SIGHUP, notify
    nsock = os.path.join(tmp, "notify.sock")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(nsock)
    ns.settimeout(10)
    write_cfg("db = " + os.path.join(tmp, "other-db"), "threads = 1", "log-query = keep",
              "trusted-proxy = 127.0.0.1")
    env = dict(os.environ, NOTIFY_SOCKET=nsock)
    # the command line's --db wins over the file's
    s = pool.start(db, "--config", cfg, env=env)
    try:
        first = ns.recv(4096).decode()
    except socket.timeout:
        first = ""
    check(first.startswith("READY=1") and "STATUS=" in first,
          "Type=notify: READY=1 on $NOTIFY_SOCKET once listening", first)
    st, _, r = s.json("/healthz")
    check(st == 200 and r["docs"] > 0, "the command line wins over the file (--db)", r)
    ua = "Mozilla/5.0 (X11; sok test) \"quoted\""
    s.request("/api/search?q=" + q("Fritidsbanken") + "&page=1",
              headers={"User-Agent": ua, "Referer": "https://www.kommun.se/", "X-Forwarded-For": "203.0.113.9, 127.0.0.1"})
    s.request("/?q=" + q("hälsa") , headers={"X-Forwarded-For": "not an address"})
    wait_for(lambda: len(access_lines(s)) >= 3)
    lines = access_lines(s)
    m = [COMBINED.match(l) for l in lines]
    check(len(lines) >= 3 and all(m), "every request is one combined-format line", s.log())
    api = [x for x in m if x and x.group(4).startswith("/api/search")]
    check(api and api[0].group(1) == "203.0.113.9" and api[0].group(7) == "https://www.kommun.se/" and
          api[0].group(8) == 'Mozilla/5.0 (X11; sok test) \\x22quoted\\x22' and
          "q=Fritidsbanken&page=1" in api[0].group(4) and int(api[0].group(9)) > 0,
          "the log: the client from a trusted proxy's X-Forwarded-For, referer, user agent "
          "(quotes escaped), q kept, duration", lines)
    pg = [x for x in m if x and x.group(4).startswith("/?q=")]
    check(pg and pg[0].group(1) == "127.0.0.1", "an X-Forwarded-For that is no address: the peer", lines)

    logf = os.path.join(tmp, "access.log")
    write_cfg("db = " + os.path.join(tmp, "other-db"), "timeout = 30", "log-query = mask",
              "access-log = " + logf, "cors-origin = https://b.example", "cache-max-age = 5")
    s.p.send_signal(signal.SIGHUP)
    try:
        msgs = [ns.recv(4096).decode(), ns.recv(4096).decode()]
    except socket.timeout:
        msgs = []
    check(msgs == ["RELOADING=1", "READY=1"], "SIGHUP: RELOADING=1, then READY=1", msgs)
    wait_for(lambda: any("reloaded" in l for l in s.raw_log()))
    log = "\n".join(s.raw_log())
    check("reload: timeout changes only at a restart" in log and "reload: db" not in log,
          "a reload names the keys that need a restart (timeout), not those the command line sets",
          log[-600:])
    st, h, _ = s.request("/api/search?q=" + q("hälsa") + "&type=news",
                         headers={"Origin": "https://b.example"})
    check(h.get("access-control-allow-origin") == "https://b.example" and
          h.get("cache-control") == "public, max-age=5",
          "after SIGHUP: the new CORS origin and max-age", h)
    s.request("/api/suggest?q=frit")
    wait_for(lambda: os.path.exists(logf) and open(logf).read().count("\n") >= 2)
    flines = open(logf).read().splitlines() if os.path.exists(logf) else []
    check(len(flines) >= 2 and all(COMBINED.match(l) for l in flines) and
          any("/api/search?q=-&type=news" in l for l in flines) and
          any("/api/suggest?q=- " in l for l in flines) and not any("h%C3%A4lsa" in l for l in flines),
          "after SIGHUP: the log goes to access-log, q masked (q=-)", flines)
    os.rename(logf, logf + ".1")              # what logrotate does
    write_cfg("db = " + db, "threads = 1", "log-query = drop", "access-log = " + logf)
    s.p.send_signal(signal.SIGHUP)
    wait_for(lambda: sum("reloaded" in l for l in s.raw_log()) >= 2)
    try:
        msgs = [ns.recv(4096).decode(), ns.recv(4096).decode()]
    except socket.timeout:
        msgs = []
    s.request("/api/search?q=" + q("hälsa") + "&per_page=3")
    s.request("/api/search?per_page=3&q=" + q("hälsa"))
    wait_for(lambda: os.path.exists(logf) and open(logf).read().count("\n") >= 2)
    flines = open(logf).read().splitlines() if os.path.exists(logf) else []
    check(len(flines) >= 2 and "/api/search?per_page=3 " in flines[-1] and
          "/api/search?per_page=3 " in flines[-2],
          "log-query = drop: q left out; the log reopened after rotation", flines)

    # GoAccess reads the log as it is, with the format the man page gives.
    gj = os.path.join(tmp, "report.json")
    allf = open(logf + ".1").read() + open(logf).read()
    with open(os.path.join(tmp, "all.log"), "w") as f:
        f.write(allf)
    rc, out, err = run("goaccess", os.path.join(tmp, "all.log"), "--no-global-config",
                       "--log-format=%h %^[%d:%t %^] \"%r\" %s %b \"%R\" \"%u\" %D",
                       "--date-format=%d/%b/%Y", "--time-format=%T", "-o", gj)
    rep = json.load(open(gj)) if rc == 0 and os.path.exists(gj) else {}
    gen = rep.get("general", {})
    check(rc == 0 and gen.get("total_requests") == len(allf.splitlines()) and
          gen.get("failed_requests") == 0, "GoAccess parses every line (%s)" %
          {k: gen.get(k) for k in ("total_requests", "valid_requests", "failed_requests")}, err[-500:])

    # -------------------------------------------------- health, metrics
    st, _, r = s.json("/healthz")
    check(st == 200 and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", r.get("committed") or "") and
          0 <= r.get("age_seconds", -1) < 600 and r.get("version"),
          "/healthz: the index's commit time, age and the version", r)
    st, _, body = s.request("/metrics")
    m = body.decode()
    rc, out, err = run("promtool", "check", "metrics", input=m)
    check(rc == 0, "promtool check metrics passes on /metrics", out + err)
    vals = dict(re.findall(r"^([a-z_]+(?:\{[^}]*\})?) (\S+)$", m, re.M))
    want = ["sok_index_commit_timestamp_seconds", "sok_index_age_seconds",
            "process_cpu_seconds_total", "process_resident_memory_bytes",
            "process_start_time_seconds", "process_open_fds", "process_max_fds"]
    check(all(k in vals for k in want) and
          any(k.startswith("sok_build_info{version=") for k in vals) and
          abs(float(vals.get("sok_index_commit_timestamp_seconds", 0)) - time.time()) < 600 and
          abs(float(vals.get("process_start_time_seconds", 0)) - time.time()) < 600,
          "/metrics: commit time and age, sok_build_info, process metrics",
          [k for k in want if k not in vals])
    rc = s.stop()
    try:
        last = ns.recv(4096).decode()
    except socket.timeout:
        last = ""
    check(rc == 0 and last == "STOPPING=1", "SIGTERM: STOPPING=1, exit 0", (rc, last))
    ns.close()

    # ----------------------------------------------------- wait for index
    later = os.path.join(tmp, "later-db")
    w = pool.start(later, "--wait-for-index", "--quiet")
    st, _, r = w.json("/healthz")
    check(st == 503 and r["status"] == "unavailable", "--wait-for-index: serving 503 without an index",
          (st, r))
    st, _, r = w.json("/api/search?q=Fritidsbanken")
    check(st == 503, "--wait-for-index: a search is 503 meanwhile", st)
    rc, out, err = run_index(later, corpus)
    ok = wait_for(lambda: w.json("/healthz")[0] == 200)
    st, _, r = w.json("/api/search?q=Fritidsbanken")
    check(ok and st == 200 and r["total"] > 0, "the first index is served without a restart", (st, r))
finally:
    pool.stop_all()
    shutil.rmtree(tmp, ignore_errors=True)
done()
