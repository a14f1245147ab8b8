#!/usr/bin/python3
"""make bench: sok's speed and memory, side by side with Xapian omindex/Omega,
SQLite FTS5 and a bare evhttp server, on the same corpora in the same run.

Usage (from the repository root; `make bench` does this):
    /usr/bin/python3 tests/bench/bench.py [--build build]

Environment:
    BENCH_DOCS         synthetic corpus size (10000; 100000; 1000000)
    BENCH_RUNS         repetitions per measurement, medians reported (3, at least 3)
    BENCH_WRK_SECONDS  duration of one wrk run (5)
    BENCH_SHARED       where extract_real.py / gen_corpus.py live (../shared/bench)
    BENCH_GROWTH_BASE  the smaller size of the growth table (10000)
    BENCH_REPORT_DIR   where report.md/.json go (BUILD/bench)
    BENCH_SKIP         comma-separated parts to skip: real, incremental, omindex,
                       fts5, omega, growth (for quick runs; the default runs all);
                       index: measure queries only, on the indexes a previous run
                       left in BUILD/bench/work/
    BENCH_INDEX_FROM   with BENCH_SKIP=index: a report.json whose indexing figures
                       are carried into this report (marked as such)

Over HTTP sok-server is measured twice: as deployed (its response cache on, warmed
until a pass through the mix adds no miss, so nearly every answer is cached) and
with --cache-mb 0 (the engine for every request); the report's Done-when table
gives the ratios of the speed goals for both.

Corpora are cached under BUILD/bench/corpus/ (real, vocab.txt, synNNNk); indexes
and scratch files go to BUILD/bench/work/.  Results: BUILD/bench/report.md and
BUILD/bench/report.json.  Nothing here asserts a timing: the bench reports.

Internal sub-commands (run as separate processes so their peak RSS is their own):
    bench.py fts5-index DB CORPUS_DIR
"""
import json, os, platform, random, re, shutil, signal, socket, sqlite3, statistics, subprocess, sys, time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lucene  # noqa: E402  (Lucene's part: tests/bench/lucene.py)

PY = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
WORDRE = re.compile(r"[a-zåäöéü]+")


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- helpers

def run_rss(cmd, env=None, cwd=None, log_path=None):
    """Runs cmd with stdout to log_path (or a pipe); returns dict wall, rss_kib, rc, out, err.
    Peak RSS comes from wait4() on that very child (ru_maxrss, KiB)."""
    fo = open(log_path, "wb") if log_path else subprocess.PIPE
    fe = subprocess.PIPE
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=fo, stderr=fe, env=env, cwd=cwd)
    # drain stderr (and stdout when piped) in the parent without reaping
    out_chunks, err_chunks = [], []
    import selectors
    sel = selectors.DefaultSelector()
    if fo is subprocess.PIPE:
        sel.register(p.stdout, selectors.EVENT_READ, out_chunks)
    sel.register(p.stderr, selectors.EVENT_READ, err_chunks)
    while sel.get_map():
        for key, _ in sel.select():
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
            else:
                key.data.append(chunk)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if log_path:
        fo.close()
    return {"wall": wall, "rss_kib": ru.ru_maxrss, "rc": p.returncode,
            "out": b"".join(out_chunks).decode("utf-8", "replace"),
            "err": b"".join(err_chunks).decode("utf-8", "replace")}


def dir_bytes(path):
    tot = 0
    for dp, _, fns in os.walk(path):
        for f in fns:
            try:
                tot += os.lstat(os.path.join(dp, f)).st_size
            except OSError:
                pass
    return tot if os.path.isdir(path) else (os.path.getsize(path) if os.path.exists(path) else 0)


def corpus_files(path):
    out = []
    for dp, dns, fns in os.walk(path):
        dns.sort()
        for f in sorted(fns):
            if f.endswith(".txt"):
                out.append(os.path.join(dp, f))
    return out


def rmrf(p):
    if os.path.isdir(p) and not os.path.islink(p):
        shutil.rmtree(p)
    elif os.path.lexists(p):
        os.unlink(p)


def med(xs):
    return statistics.median(xs) if xs else None


def pct(xs, p):
    """Nearest-rank percentile."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def summary(vals):
    return {"median": med(vals), "min": min(vals) if vals else None,
            "max": max(vals) if vals else None, "runs": vals}


def size_name(n):
    return f"syn{n // 1000}k" if n % 1000 == 0 else f"syn{n}"


def fmt(x, nd=1):
    if x is None:
        return "–"
    if isinstance(x, (int,)) or (isinstance(x, float) and abs(x) >= 1000):
        return f"{x:,.0f}"
    if x != 0 and abs(x) < 10 ** -nd * 10:
        return f"{x:.2g}"     # keep two significant digits of small figures
    return f"{x:.{nd}f}"


def mb(b):
    return b / 1e6


def tool_version(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except Exception as e:  # noqa
        return f"unknown ({e})"


# ---------------------------------------------------------------- corpora

class Corpora:
    def __init__(self, root, shared):
        self.root = root
        self.shared = shared
        os.makedirs(root, exist_ok=True)

    def real(self):
        d = os.path.join(self.root, "real")
        if not os.path.isdir(d):
            log("building the real corpus (extract_real.py)")
            tmp = d + ".tmp"
            rmrf(tmp)
            subprocess.run([PY, os.path.join(self.shared, "extract_real.py"), tmp], check=True,
                           stdout=subprocess.DEVNULL)
            os.rename(tmp, d)
        return d

    def vocab(self):
        v = os.path.join(self.root, "vocab.txt")
        if not os.path.isfile(v):
            log("building the vocabulary (gen_corpus.py, hunspell)")
            tmp = os.path.join(self.root, "vocab.tmpdir")
            rmrf(tmp)
            subprocess.run([PY, os.path.join(self.shared, "gen_corpus.py"), "--docs", "0", "--seed", "1",
                            "--real", self.real(), "--vocab-out", v + ".tmp", "--out", tmp],
                           check=True, stdout=subprocess.DEVNULL)
            rmrf(tmp)
            os.rename(v + ".tmp", v)
        return v

    def syn(self, n):
        d = os.path.join(self.root, size_name(n))
        if not os.path.isdir(d):
            log(f"building the synthetic corpus {size_name(n)} (gen_corpus.py --docs {n} --seed 1)")
            tmp = d + ".tmp"
            rmrf(tmp)
            subprocess.run([PY, os.path.join(self.shared, "gen_corpus.py"), "--docs", str(n), "--seed", "1",
                            "--vocab", self.vocab(), "--out", tmp], check=True, stdout=subprocess.DEVNULL)
            os.rename(tmp, d)
        return d


# ---------------------------------------------------------------- indexing

def parse_sok_line(out):
    last = [l for l in out.strip().splitlines() if l.strip()]
    kv = {}
    if last:
        for tok in last[-1].split():
            if "=" in tok:
                k, v = tok.split("=", 1)
                try:
                    kv[k] = float(v) if "." in v else int(v)
                except ValueError:
                    kv[k] = v
    return kv


def fts5_index(db, corpus):
    """Sub-command: SQLite FTS5 (unicode61, no stemming), title/body, one transaction."""
    rmrf(db)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, date UNINDEXED, path UNINDEXED, "
                "tokenize='unicode61')")
    n = 0
    with con:
        for f in corpus_files(corpus):
            with open(f, encoding="utf-8", errors="replace") as fh:
                t = fh.read()
            lines = t.split("\n", 3)
            title = lines[0] if lines else ""
            date = lines[1] if len(lines) > 1 else ""
            body = lines[3] if len(lines) > 3 else ""
            con.execute("INSERT INTO docs(title, body, date, path) VALUES (?,?,?,?)", (title, body, date, f))
            n += 1
    con.execute("INSERT INTO docs(docs) VALUES('optimize')")
    con.commit()
    con.close()
    print(f"docs={n}")


class Indexers:
    def __init__(self, b):
        self.b = b

    def cmd(self, engine, db, corpus):
        if engine == "sok":
            return [self.b.sok_index, "--db", db, "--full", "--quiet", corpus]
        if engine == "omindex":
            return ["omindex", "--db", db, "--url", "/", "--stemmer=swedish", "--overwrite", corpus]
        if engine == "fts5":
            return [PY, os.path.abspath(__file__), "fts5-index", db, corpus]
        if engine == "lucene":
            return lucene.index_cmd(self.b.build, db, corpus)
        raise ValueError(engine)

    def measure_all(self, engines, corpus, dbs, runs, label):
        """Full builds of corpus by each engine into dbs[engine], runs times,
        interleaved: round r runs every engine once, so a change in the
        machine's load over the minutes a big corpus takes hits every engine
        alike instead of whichever ran then."""
        cbytes = dir_bytes(corpus)
        ndocs = len(corpus_files(corpus))
        res = {e: [] for e in engines}
        for r in range(runs):
            for e in engines:
                db = dbs[e]
                rmrf(db)
                os.sync()
                m = run_rss(self.cmd(e, db, corpus), log_path=db + ".log")
                if m["rc"] != 0:
                    raise RuntimeError(f"{e} on {corpus} exited {m['rc']}: {m['err'][-2000:]}")
                size = dir_bytes(db)
                extra = parse_sok_line(open(db + ".log", encoding="utf-8", errors="replace").read()) \
                    if e == "sok" else {}
                res[e].append({"seconds": m["wall"], "rss_kib": m["rss_kib"], "index_bytes": size,
                               "extra": extra})
                log(f"  {label} {e} run {r + 1}/{runs}: {m['wall']:.1f} s, "
                    f"{m['rss_kib'] / 1024:.0f} MiB peak, {mb(size):.0f} MB")
        out = {}
        for e, lst in res.items():
            secs = [x["seconds"] for x in lst]
            out[e] = {
                "engine": e, "corpus": label, "docs": ndocs, "corpus_bytes": cbytes,
                "seconds": summary(secs),
                "docs_per_s": summary([ndocs / x for x in secs]),
                "mb_per_s": summary([mb(cbytes) / x for x in secs]),
                "peak_rss_mib": summary([x["rss_kib"] / 1024 for x in lst]),
                "index_mb": summary([mb(x["index_bytes"]) for x in lst]),
                "sok_summary": lst[-1]["extra"],
            }
        return out

    def measure(self, engine, corpus, db, runs, label):
        return self.measure_all([engine], corpus, {engine: db}, runs, label)[engine]


def incremental(b, copy, base_db, base_seconds, work, runs):
    """A nightly run where 1% of the files changed.  copy is a private copy of
    the corpus that base_db (a full build of it) indexes; the index is copied,
    then per run 1% of the files (every 100th, deterministically) get a new
    sentence and sok-index runs without --full.  Also a run with nothing changed."""
    db = os.path.join(work, "incr-db")
    rmrf(db)
    shutil.copytree(base_db, db, symlinks=True)
    files = corpus_files(copy)
    changed = files[::100]
    base = base_seconds
    res, noop = [], []
    for r in range(runs):
        # nothing changed
        m = run_rss([b.sok_index, "--db", db, "--quiet", copy])
        if m["rc"] != 0:
            raise RuntimeError(f"sok-index (no change) exited {m['rc']}: {m['err'][-2000:]}")
        noop.append({"seconds": m["wall"], "rss_kib": m["rss_kib"], "summary": parse_sok_line(m["out"])})
        # 1% changed
        for i, f in enumerate(changed):
            with open(f, "a", encoding="utf-8") as fh:
                fh.write(f"\nÄndrad under natt {r + 1}, fil {i}: nya uppgifter om budgeten.\n")
        m = run_rss([b.sok_index, "--db", db, "--quiet", copy])
        if m["rc"] != 0:
            raise RuntimeError(f"sok-index (incremental) exited {m['rc']}: {m['err'][-2000:]}")
        s = parse_sok_line(m["out"])
        res.append({"seconds": m["wall"], "rss_kib": m["rss_kib"], "summary": s})
        log(f"  incremental run {r + 1}/{runs}: {len(changed)} files changed, {m['wall']:.2f} s "
            f"({s.get('updated', '?')} updated), no-change run {noop[-1]['seconds']:.2f} s")
    size = dir_bytes(db)
    rmrf(db)
    return {
        "files": len(files), "changed": len(changed), "full_build_seconds": base,
        "seconds": summary([x["seconds"] for x in res]),
        "peak_rss_mib": summary([x["rss_kib"] / 1024 for x in res]),
        "noop_seconds": summary([x["seconds"] for x in noop]),
        "noop_peak_rss_mib": summary([x["rss_kib"] / 1024 for x in noop]),
        "index_mb_after": mb(size),
        "last_summary": res[-1]["summary"] if res else {},
    }


# ---------------------------------------------------------------- the query mix

def make_mix(vocab_path, corpus, seed=6):
    """A fixed, deterministic mix of 200 queries from the corpus vocabulary."""
    vocab = open(vocab_path, encoding="utf-8").read().split()
    vs = set(vocab)
    rng = random.Random(seed)
    V = len(vocab)
    bands = {
        "high": (30, 200), "mid": (1000, 3000), "low": (10000, 30000), "rare": (60000, min(V, 140000)),
    }

    def pick(band):
        lo, hi = bands[band]
        return vocab[rng.randrange(lo, hi)]

    mix = []
    for band in ("high", "mid", "low", "rare"):
        for _ in range(15):
            mix.append({"kind": f"word-{band}", "words": [pick(band)]})
    for _ in range(30):
        mix.append({"kind": "and2", "words": [pick(rng.choice(["high", "mid"])), pick("mid")]})
    for _ in range(20):
        mix.append({"kind": "and3", "words": [pick("high"), pick("mid"), pick(rng.choice(["mid", "low"]))]})
    # phrases: consecutive words out of real documents of the corpus
    files = corpus_files(corpus)
    for k in range(30):
        f = files[rng.randrange(len(files))]
        body = open(f, encoding="utf-8").read().split("\n", 3)[-1]
        sents = [WORDRE.findall(s.lower()) for s in body.split(".")]
        sents = [s for s in sents if len(s) >= 4]
        s = sents[rng.randrange(len(sents))]
        n = 2 + (k % 2)
        i = rng.randrange(len(s) - n + 1)
        mix.append({"kind": "phrase", "words": s[i:i + n], "phrase": True})
    for _ in range(20):
        while True:
            w = pick("mid")
            if len(w) >= 6:
                i = rng.randrange(1, len(w) - 2)
                t = w[:i] + w[i + 1] + w[i] + w[i + 2:]
                if t != w and t not in vs:
                    break
        mix.append({"kind": "typo", "words": [t], "intended": w})
    for _ in range(20):
        y = rng.randrange(2015, 2025)
        mix.append({"kind": "filter", "words": [pick("mid")], "type": "other",
                    "from": f"{y}-01-01", "to": f"{min(y + 2, 2025)}-12-31"})
    for _ in range(20):
        mix.append({"kind": "page5", "words": [pick("high")], "page": 5})
    return mix


def q_text(q):
    t = " ".join(q["words"])
    return f'"{t}"' if q.get("phrase") else t


def sok_qs(q):
    p = [("q", q_text(q))]
    if q.get("page"):
        p.append(("page", str(q["page"])))
    if q.get("type"):
        p.append(("type", q["type"]))
    if q.get("from"):
        p += [("from", q["from"]), ("to", q["to"])]
    return urllib.parse.urlencode(p)


def omega_qs(q, dbname):
    # omindex knows neither the document's type nor its date (only the file's
    # mtime), so a filter query runs as its words alone there.
    p = [("DB", dbname), ("P", q_text(q)), ("HITSPERPAGE", "10")]
    if q.get("page"):
        p.append(("TOPDOC", str((q["page"] - 1) * 10)))
    return urllib.parse.urlencode(p)


def fts5_sql(q):
    if q.get("phrase"):
        m = '"' + " ".join(q["words"]) + '"'
    else:
        m = " AND ".join('"' + w + '"' for w in q["words"])
    sql = "SELECT rowid, title FROM docs WHERE docs MATCH ?"
    args = [m]
    if q.get("from"):
        sql += " AND date BETWEEN ? AND ?"
        args += [q["from"], q["to"]]
    sql += " ORDER BY rank LIMIT 10 OFFSET ?"
    args.append(((q.get("page") or 1) - 1) * 10)
    return sql, args


def lat_stats(ms):
    return {"n": len(ms), "p50_ms": pct(ms, 50), "p99_ms": pct(ms, 99), "mean_ms": statistics.fmean(ms) if ms else None,
            "max_ms": max(ms) if ms else None}


def combine(runs):
    """runs: list of dicts with p50_ms, p99_ms, qps -> medians and min–max."""
    out = {}
    for k in ("p50_ms", "p99_ms", "qps"):
        vals = [r[k] for r in runs if r.get(k) is not None]
        out[k] = summary(vals)
    return out


def bench_inproc(b, db, qfile, runs):
    per = []
    for r in range(runs):
        p = subprocess.run([b.inproc, "--db", db, "--queries", qfile, "--rounds", "1", "--warmup", "1"],
                           capture_output=True, text=True)
        if p.returncode not in (0, 4):
            raise RuntimeError(f"inproc exited {p.returncode}: {p.stderr[-2000:]}")
        ms, totals, qps = [], [], None
        for line in p.stdout.splitlines():
            if line.startswith("#"):
                qps = float(line.split("qps=")[1])
                continue
            _, _, t, tot = line.split()
            ms.append(float(t))
            totals.append(int(tot))
        st = lat_stats(ms)
        st["qps"] = qps
        st["failed"] = sum(1 for t in totals if t < 0)
        st["zero_hits"] = sum(1 for t in totals if t == 0)
        st["per_query_ms"] = ms
        per.append(st)
        log(f"  in process run {r + 1}/{runs}: p50 {st['p50_ms']:.2f} ms, p99 {st['p99_ms']:.2f} ms, "
            f"{qps:.0f} q/s, {st['zero_hits']} without hits")
    out = combine(per)
    out["zero_hits"] = per[-1]["zero_hits"]
    out["failed"] = per[-1]["failed"]
    out["per_query_ms_last_run"] = per[-1]["per_query_ms"]
    return out


def bench_fts5_queries(db, mix, runs):
    con = sqlite3.connect(db)
    per = []
    for r in range(runs + 1):
        ms = []
        zero = 0
        t0 = time.perf_counter()
        for q in mix:
            sql, args = fts5_sql(q)
            a = time.perf_counter()
            rows = con.execute(sql, args).fetchall()
            ms.append((time.perf_counter() - a) * 1e3)
            zero += not rows
        secs = time.perf_counter() - t0
        if r == 0:
            continue        # warm-up round
        st = lat_stats(ms)
        st["qps"] = len(mix) / secs
        st["zero_hits"] = zero
        per.append(st)
        log(f"  FTS5 run {r}/{runs}: p50 {st['p50_ms']:.2f} ms, p99 {st['p99_ms']:.2f} ms")
    con.close()
    out = combine(per)
    out["zero_hits"] = per[-1]["zero_hits"]
    return out


def setup_omega(work, omdb):
    od = os.path.join(work, "omega")
    rmrf(od)
    os.makedirs(os.path.join(od, "data"))
    os.makedirs(os.path.join(od, "templates"))
    os.makedirs(os.path.join(od, "log"))
    os.symlink(os.path.abspath(omdb), os.path.join(od, "data", "syn"))
    src = "/usr/share/xapian-omega/templates"
    for f in os.listdir(src):
        s = os.path.join(src, f)
        if os.path.isdir(s):
            shutil.copytree(s, os.path.join(od, "templates", f))
        else:
            shutil.copy(s, os.path.join(od, "templates", f))
    # the stock query template, in Swedish stemming and AND (as sok does)
    q = os.path.join(od, "templates", "query")
    body = open(q, encoding="utf-8").read()
    with open(q, "w", encoding="utf-8") as fh:
        fh.write("$set{stemmer,swedish}$set{default_op,and}" + body)
    conf = os.path.join(od, "omega.conf")
    with open(conf, "w") as fh:
        fh.write(f"database_dir {os.path.abspath(os.path.join(od, 'data'))}\n"
                 f"template_dir {os.path.abspath(os.path.join(od, 'templates'))}\n"
                 f"log_dir {os.path.abspath(os.path.join(od, 'log'))}\n"
                 f"cdb_dir {os.path.abspath(od)}\n")
    return conf


OMEGA = "/usr/lib/cgi-bin/omega/omega"


def bench_omega(conf, mix, runs):
    """One omega process per query, as a CGI is deployed."""
    base = {"PATH": "/usr/bin:/bin", "OMEGA_CONFIG_FILE": conf, "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": "GET", "SERVER_NAME": "localhost", "SCRIPT_NAME": "/cgi-bin/omega"}
    per = []
    for r in range(runs + 1):
        ms, bad, rss = [], 0, []
        t0 = time.perf_counter()
        for q in mix:
            env = dict(base, QUERY_STRING=omega_qs(q, "syn"))
            a = time.perf_counter()
            m = run_rss([OMEGA], env=env)
            ms.append((time.perf_counter() - a) * 1e3)
            rss.append(m["rss_kib"])
            if m["rc"] != 0 or not m["out"].startswith("Content-Type") \
                    or re.search(r"Database(NotFound|Opening)|Exception|[Ee]rror:", m["out"]):
                bad += 1
                if bad == 1:
                    log(f"  omega: unexpected answer for {q_text(q)!r}: rc={m['rc']} {m['out'][:300]!r}"
                        f" {m['err'][:300]!r}")
        secs = time.perf_counter() - t0
        if r == 0:
            continue
        st = lat_stats(ms)
        st["qps"] = len(mix) / secs
        st["bad"] = bad
        st["peak_rss_mib"] = max(rss) / 1024
        per.append(st)
        log(f"  Omega CGI run {r}/{runs}: p50 {st['p50_ms']:.2f} ms, p99 {st['p99_ms']:.2f} ms ({bad} bad)")
    out = combine(per)
    out["bad"] = per[-1]["bad"]
    out["peak_rss_mib"] = max(p["peak_rss_mib"] for p in per)
    return out


# ---------------------------------------------------------------- HTTP (wrk)

def start_server(cmd, logf):
    fe = open(logf, "wb")
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=fe)
    for _ in range(400):
        time.sleep(0.05)
        txt = open(logf, "rb").read().decode("utf-8", "replace")
        m = re.search(r"listening on [^ ]*:(\d+)", txt)
        if m:
            return p, int(m.group(1))
        if p.poll() is not None:
            break
    p.kill()
    p.wait()
    raise RuntimeError(f"{cmd[0]} did not start: {open(logf, 'rb').read()[-2000:]!r}")


def stop_server(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def vm_hwm_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def write_lua(path, paths):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("-- generated by tests/bench/bench.py: cycles through the query mix\n")
        fh.write("local paths = {\n")
        for p in paths:
            fh.write('  "' + p.replace("\\", "\\\\").replace('"', '\\"') + '",\n')
        fh.write("}\n")
        fh.write("local i = 0\n")
        fh.write("setup = function(thread)\n  thread:set('first', math.random(#paths))\nend\n")
        fh.write("init = function(args)\n  i = (tonumber(first) or 1) - 1\nend\n")
        fh.write("request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", s.strip())
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def wrk(url, conns, secs, lua=None):
    threads = min(2, conns)
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{secs}s", "--latency", "--timeout", "10s"]
    if lua:
        cmd += ["-s", lua]
    cmd.append(url)
    p = subprocess.run(cmd, capture_output=True, text=True)
    out = p.stdout
    r = {"conns": conns, "threads": threads}
    m = re.search(r"Requests/sec:\s*([\d.]+)", out)
    r["qps"] = float(m.group(1)) if m else None
    for k, lab in (("p50_ms", "50%"), ("p99_ms", "99%")):
        m = re.search(r"^\s*" + re.escape(lab) + r"\s+(\S+)", out, re.M)
        r[k] = to_ms(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in", out)
    r["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:(.*)", out)
    r["socket_errors"] = m.group(1).strip() if m else ""
    if r["qps"] is None:
        log(f"  wrk gave no figures: {out[-500:]!r} {p.stderr[-500:]!r}")
    return r


def cache_misses(port):
    """sok_cache_misses_total from the server's /metrics (None when absent)."""
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            m = re.search(r"^sok_cache_misses_total (\d+)", r.read().decode(), re.M)
            return int(m.group(1)) if m else None
    except OSError:
        return None


# The two ways sok-server is measured: as deployed (the response cache on, its
# default size) and with --cache-mb 0 (every request runs the engine).
SOK_VARIANTS = (("sok", "sok-server (cache on, as deployed)", []),
                ("sok_nocache", "sok-server --cache-mb 0 (engine over HTTP)", ["--cache-mb", "0"]))


def bench_http(b, db, mix, work, runs, secs, conns_list, with_hello=True):
    lua = os.path.join(work, "mix.lua")
    write_lua(lua, ["/api/search?" + sok_qs(q) for q in mix])
    res = {"hello": {}, "variants": {}}
    for key, label, extra in SOK_VARIANTS:
        sp, sport = start_server([b.sok_server, "--db", db, "--listen", "127.0.0.1:0", "--quiet", *extra],
                                 os.path.join(work, f"server-{key}.log"))
        try:
            rss_start = vm_hwm_kib(sp.pid)
            # warm-up: the page cache and the spelling data; with the response
            # cache on, until a pass through the mix adds no more misses (each
            # worker thread has its own cache), so the runs measure its steady state
            wrk(f"http://127.0.0.1:{sport}", 2, 2, lua)
            warm = 0
            if not extra:
                last = cache_misses(sport)
                for warm in range(1, 16):
                    wrk(f"http://127.0.0.1:{sport}", 4, 2, lua)
                    now = cache_misses(sport)
                    if now is None or now == last:
                        break
                    last = now
            out = {}
            for c in conns_list:
                sr = []
                for r in range(runs):
                    x = wrk(f"http://127.0.0.1:{sport}", c, secs, lua)
                    sr.append(x)
                    log(f"  wrk -c{c} run {r + 1}/{runs}: {key} {fmt(x['qps'])} req/s p50 {fmt(x['p50_ms'], 2)} ms "
                        f"p99 {fmt(x['p99_ms'], 2)} ms (non-2xx {x['non2xx']})")
                out[str(c)] = dict(combine(sr), non2xx=sum(x["non2xx"] for x in sr),
                                   socket_errors=[x["socket_errors"] for x in sr if x["socket_errors"]])
            res[key] = out
            res["variants"][key] = {"label": label, "args": extra,
                                    "vmhwm_mib": (vm_hwm_kib(sp.pid) or 0) / 1024,
                                    "rss_at_start_mib": (rss_start or 0) / 1024,
                                    "warmup_passes": warm,
                                    "cache_misses": cache_misses(sport) if not extra else None}
        finally:
            stop_server(sp)
    if with_hello:
        hp, hport = start_server([b.hello, "--listen", "127.0.0.1:0"], os.path.join(work, "hello.log"))
        try:
            for c in conns_list:
                hr = []
                for r in range(runs):
                    hr.append(wrk(f"http://127.0.0.1:{hport}/", c, secs))
                    log(f"  wrk -c{c} run {r + 1}/{runs}: hello {fmt(hr[-1]['qps'])} req/s")
                res["hello"][str(c)] = dict(combine(hr), non2xx=sum(x["non2xx"] for x in hr))
            res["hello_vmhwm_mib"] = (vm_hwm_kib(hp.pid) or 0) / 1024
        finally:
            stop_server(hp)
    first = res["variants"].get("sok") or next(iter(res["variants"].values()))
    res["sok_server_vmhwm_mib"] = first["vmhwm_mib"]
    res["sok_server_rss_at_start_mib"] = first["rss_at_start_mib"]
    res["wrk_seconds"] = secs
    res["wrk_threads"] = "min(2, connections)"
    return res


# ---------------------------------------------------------------- shards

def free_port():
    """A loopback port free right now (xapian-tcpsrv takes no port 0)."""
    import socket
    sk = socket.socket()
    sk.bind(("127.0.0.1", 0))
    port = sk.getsockname()[1]
    sk.close()
    return port


def start_tcpsrv(path, port, logf):
    """xapian-tcpsrv for one shard, in a process group of its own (it forks
    one process per connection)."""
    fe = open(logf, "wb")
    p = subprocess.Popen(["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), path],
                         stdout=fe, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(200):
        time.sleep(0.05)
        if b"Listening" in open(logf, "rb").read():
            return p
        if p.poll() is not None:
            break
    raise RuntimeError(f"xapian-tcpsrv did not start: {open(logf, 'rb').read()[-1000:]!r}")


def stop_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


def bench_shards(b, corpus, mix, work, runs, secs, counts=(0, 1, 2, 3), conns=(1, 16)):
    """sok-server --shards over 1, 2 and 3 xapian-tcpsrv on loopback, the
    corpus indexed with sok-index --shards N, and (0) sok-server --db on the
    corpus as one local database, the baseline: p50/p99 at one connection
    (latency) and q/s at 16, --cache-mb 0.  On one machine the shards share
    its cores, so this measures what the remote protocol and the merge cost,
    not what more machines would gain."""
    if shutil.which("xapian-tcpsrv") is None:
        log("shards skipped: no xapian-tcpsrv (apt-get install xapian-tools)")
        return None
    lua = os.path.join(work, "mix-shards.lua")
    write_lua(lua, ["/api/search?" + sok_qs(q) for q in mix])
    res = {"counts": list(counts), "conns": list(conns), "wrk_seconds": secs}
    for n in counts:
        db = os.path.join(work, f"sok-shards-{n}")
        rmrf(db)
        t = time.monotonic()
        p = subprocess.run([b.sok_index, "--db", db, "--quiet", *(["--shards", str(n)] if n else []), corpus],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"sok-index --shards {n} exited {p.returncode}: {p.stderr[-2000:]}")
        row = {"index_seconds": time.monotonic() - t}
        ports = [free_port() for _ in range(n)]
        tcps, sp = [], None
        try:
            for k in range(n):
                tcps.append(start_tcpsrv(os.path.join(db, f"shard-{k}"), ports[k],
                                         os.path.join(work, f"tcpsrv-{n}-{k}.log")))
            sf = os.path.join(work, f"shards-{n}")
            with open(sf, "w") as fh:
                fh.write("".join(f"remote 127.0.0.1:{pt}\n" for pt in ports))
            what = ["--shards", sf] if n else ["--db", db]
            sp, sport = start_server([b.sok_server, *what, "--listen", "127.0.0.1:0", "--quiet",
                                      "--cache-mb", "0"], os.path.join(work, f"server-shards-{n}.log"))
            wrk(f"http://127.0.0.1:{sport}", 2, 2, lua)
            for c in conns:
                sr = []
                for r in range(runs):
                    x = wrk(f"http://127.0.0.1:{sport}", c, secs, lua)
                    sr.append(x)
                    log(f"  shards {n}, wrk -c{c} run {r + 1}/{runs}: {fmt(x['qps'])} req/s "
                        f"p50 {fmt(x['p50_ms'], 2)} ms p99 {fmt(x['p99_ms'], 2)} ms (non-2xx {x['non2xx']})")
                row[str(c)] = dict(combine(sr), non2xx=sum(x["non2xx"] for x in sr))
        finally:
            if sp is not None:
                stop_server(sp)
            for tp in tcps:
                stop_group(tp)
            rmrf(db)
        res[str(n)] = row
    return res


def render_shards(S, corpus):
    L = [f"## Shards over loopback ({corpus}, sok-server --shards, --cache-mb 0)\n",
         "Each shard an xapian-tcpsrv on 127.0.0.1, all on this machine's cores with the server and wrk: "
         "what the remote protocol and the merge cost, not what more machines gain.\n",
         "| remote shards | index s | c1 p50 / p99 ms | c1 q/s | c16 p50 / p99 ms | c16 q/s |",
         "|---:|---:|---:|---:|---:|---:|"]
    for n in S["counts"]:
        r = S.get(str(n))
        if not r:
            continue
        cells = []
        for c in ("1", "16"):
            x = r.get(c)
            cells.append(f"{fmt(x['p50_ms']['median'], 2)} / {fmt(x['p99_ms']['median'], 2)}" if x else "–")
            cells.append(fmt(x["qps"]["median"]) if x else "–")
        L.append(f"| {n or '1 database, local (--db)'} | {fmt(r['index_seconds'])} | " + " | ".join(cells) + " |")
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- report

def ratio(a, b):
    return (a / b) if (a and b) else None


def render_md(R):
    L = []
    meta = R["meta"]
    L.append(f"# sok benchmark — {meta['date']}\n")
    L.append(f"Machine: {meta['cpus']} cores, {meta['mem_gb']:.0f} GB RAM, {meta['kernel']}; "
             f"{meta['runs']} runs per figure (median, min–max). Main corpus: **{R['main_corpus']}** "
             f"({R['corpora'][R['main_corpus']]['docs']:,} docs, "
             f"{R['corpora'][R['main_corpus']]['mb']:.1f} MB). "
             f"Versions: {meta['versions']['omindex']}; SQLite {meta['versions']['sqlite']}; "
             f"{meta['versions']['wrk']}"
             + (f"; {meta['versions']['lucene']}" if meta['versions'].get('lucene') else "") + ".\n")
    L.append("All figures from one `make bench` run on the same corpora; nothing here is asserted by `make test`. "
             "Clients and servers share the same cores"
             + (f"; load average {meta['loadavg_start']:.1f} at the start, {meta['loadavg_end']:.1f} at the end "
                "(other work on the machine widens the min–max)" if "loadavg_start" in meta else "") + ".\n")

    L += lucene.render_done_when(R)
    L.append("## Indexing (full build from nothing)\n")
    if R.get("indexing_from"):
        f = R["indexing_from"]
        L.append(f"This run measured queries only (BENCH_SKIP=index) on the indexes of an earlier run; "
                 f"the indexing figures below are that run's ({f['date']}, `{f['path']}`"
                 + (f"; {f['order']}" if f.get("order") else "") + ").\n")
    L.append("Engines run interleaved (round 1: sok, omindex, FTS5; round 2: ...), so the machine's load "
             "hits them alike.\n")
    L.append("| corpus | engine | docs/s | MB/s | seconds (min–max) | peak RSS MiB | index MB | time vs sok |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, rows in R["indexing"].items():
        sok = rows.get("sok")
        for eng, x in rows.items():
            name = {"sok": "sok-index --full", "omindex": "omindex --stemmer=swedish",
                    "fts5": "SQLite FTS5 (unicode61)",
                    "lucene": "Lucene (SwedishAnalyzer, 2 threads)"}[eng]
            rt = ratio(x["seconds"]["median"], sok["seconds"]["median"]) if sok else None
            L.append(f"| {label} | {name} | {fmt(x['docs_per_s']['median'])} | {fmt(x['mb_per_s']['median'], 2)} | "
                     f"{fmt(x['seconds']['median'], 2)} ({fmt(x['seconds']['min'], 2)}–{fmt(x['seconds']['max'], 2)}) | "
                     f"{fmt(x['peak_rss_mib']['median'])} | {fmt(x['index_mb']['median'])} | "
                     f"{'1.00×' if eng == 'sok' else (fmt(rt, 2) + '×' if rt else '–')} |")
    L.append("\n“time vs sok” > 1 means the other engine took longer than sok-index.\n")
    for label, rows in R["indexing"].items():
        if label.startswith("syn") and rows.get("sok") and rows.get("omindex"):
            r = ratio(rows["sok"]["docs_per_s"]["median"], rows["omindex"]["docs_per_s"]["median"])
            # The goal is set on syn100k; smaller corpora show the ratio
            # only (fixed costs weigh more there).
            verdict = ("✓" if r and r >= 3 else "✗") if label == "syn100k" else \
                "(the goal applies to syn100k: BENCH_DOCS=100000)"
            L.append(f"Done-when (issue 6), full indexing of {label}: sok-index docs/s ÷ omindex docs/s = "
                     f"**{fmt(r, 2)}×** (goal ≥ 3 on syn100k) {verdict}.\n")

    inc = R.get("incremental")
    if inc:
        L.append("## Incremental nightly run (sok-index without --full)\n")
        L.append(f"On the copy of {R['main_corpus']} ({inc['files']:,} files) indexed with --full "
                 f"(the full builds above, median {inc['full_build_seconds']:.1f} s); each run first re-indexes with nothing changed, "
                 f"then after {inc['changed']} files (1%, every 100th) got a new sentence.\n")
        L.append("| run | seconds, median (min–max) | peak RSS MiB | vs full build |")
        L.append("|---|---:|---:|---:|")
        L.append(f"| nothing changed | {fmt(inc['noop_seconds']['median'], 2)} ({fmt(inc['noop_seconds']['min'], 2)}–"
                 f"{fmt(inc['noop_seconds']['max'], 2)}) | "
                 f"{fmt(inc.get('noop_peak_rss_mib', {}).get('median'))} | "
                 f"{fmt(ratio(inc['noop_seconds']['median'], inc['full_build_seconds']), 3)}× |")
        L.append(f"| 1% changed | {fmt(inc['seconds']['median'], 2)} ({fmt(inc['seconds']['min'], 2)}–"
                 f"{fmt(inc['seconds']['max'], 2)}) | {fmt(inc['peak_rss_mib']['median'])} | "
                 f"{fmt(ratio(inc['seconds']['median'], inc['full_build_seconds']), 3)}× |")
        L.append(f"\nLast run's summary line: `{' '.join(f'{k}={v}' for k, v in inc['last_summary'].items())}`\n")

    Q = R.get("queries")
    if Q:
        L.append(f"## Queries on {R['main_corpus']} ({Q['mix_size']} mixed queries, fixed mix)\n")
        L.append("Mix: " + ", ".join(f"{v} {k}" for k, v in Q["mix_kinds"].items()) + ". "
                 "Words from four frequency bands of the corpus vocabulary (ranks 30–200, 1k–3k, 10k–30k, 60k+); "
                 "phrases are consecutive words of corpus documents; typos swap two letters of a mid-band word; "
                 "filter = type=other and a 2–3 year date range; page5 = page=5.\n")
        L.append("### In process (one query at a time)\n")
        L.append("| engine | p50 ms | p99 ms | queries/s | p50 vs sok |")
        L.append("|---|---:|---:|---:|---:|")
        base = Q["inproc"]["p50_ms"]["median"]
        rows = [("sok (sok_search_run through the shim, in process)", Q["inproc"])]
        if Q.get("fts5"):
            rows.append(("SQLite FTS5 bm25, top 10 (in process, Python)", Q["fts5"]))
        if Q.get("omega"):
            rows.append(("Omega CGI (one process per query, as deployed)", Q["omega"]))
        for name, x in rows:
            L.append(f"| {name} | {fmt(x['p50_ms']['median'], 2)} ({fmt(x['p50_ms']['min'], 2)}–{fmt(x['p50_ms']['max'], 2)}) | "
                     f"{fmt(x['p99_ms']['median'], 2)} ({fmt(x['p99_ms']['min'], 2)}–{fmt(x['p99_ms']['max'], 2)}) | "
                     f"{fmt(x['qps']['median'])} | {fmt(ratio(x['p50_ms']['median'], base), 2)}× |")
        notes = [f"sok: {Q['inproc']['zero_hits']} of {Q['mix_size']} queries without hits"]
        if Q.get("fts5"):
            notes.append(f"FTS5: {Q['fts5']['zero_hits']} without hits (no stemming, no spelling correction; "
                         "it fetches the top 10, no total count or facets)")
        if Q.get("omega"):
            notes.append(f"Omega: filter queries run as words only (omindex stores no document type or date); "
                         f"{Q['omega']['bad']} unexpected answers; peak RSS a process {fmt(Q['omega']['peak_rss_mib'])} MiB")
        L.append("\n" + "; ".join(notes) + ".\n")
        by_kind = Q.get("inproc_by_kind")
        if by_kind:
            L.append("sok in process by kind (last run): " + ", ".join(
                f"{k} p50 {v['p50_ms']:.2f} / max {v['max_ms']:.2f} ms" for k, v in by_kind.items()) + ".\n")
        L += lucene.render_queries(Q)

    H = R.get("http")
    if H:
        L.append(f"### Over HTTP (wrk, {H['wrk_seconds']} s a run, -t min(2, c), Lua script cycling through the mix)\n")
        keys = [k for k, _, _ in SOK_VARIANTS if k in H]
        L.append("Two sok-server runs over the same index: **cache on** is the server as deployed (its response "
                 "cache, default size, warmed by passes through the mix until they add no miss): with a fixed "
                 "200-query mix nearly every request is then answered from the cache, so those figures measure "
                 "the cache, not the search. **--cache-mb 0** runs the engine for every request. The bare evhttp "
                 "hello server (1 KiB body) is the ceiling of the HTTP layer on this machine.\n")
        L.append("| connections | cached req/s | cached p50 / p99 ms | --cache-mb 0 req/s | --cache-mb 0 p50 / p99 ms "
                 "| hello req/s | hello p50 / p99 ms |")
        L.append("|---:|---:|---:|---:|---:|---:|---:|")
        for c in H.get("sok", {}):
            cells = []
            for k in ("sok", "sok_nocache"):
                x = H.get(k, {}).get(c)
                if x:
                    cells.append(f"{fmt(x['qps']['median'])} ({fmt(x['qps']['min'])}–{fmt(x['qps']['max'])})")
                    cells.append(f"{fmt(x['p50_ms']['median'], 2)} / {fmt(x['p99_ms']['median'], 2)}")
                else:
                    cells += ["–", "–"]
            h = H["hello"].get(c)
            cells.append(fmt(h["qps"]["median"]) if h else "–")
            cells.append(f"{fmt(h['p50_ms']['median'], 2)} / {fmt(h['p99_ms']['median'], 2)}" if h else "–")
            L.append(f"| {c} | " + " | ".join(cells) + " |")
        notes = []
        for k in keys:
            v = H.get("variants", {}).get(k, {})
            errs = sum(x["non2xx"] for x in H[k].values())
            notes.append(f"{v.get('label', k)}: peak RSS (VmHWM) **{v.get('vmhwm_mib', 0):.0f} MiB** (at start "
                         f"{v.get('rss_at_start_mib', 0):.0f} MiB), non-2xx answers {errs}"
                         + (f", {v['cache_misses']} cache misses in all (warm-up passes: {v['warmup_passes']})"
                            if v.get("cache_misses") is not None else ""))
        L.append("\n" + "; ".join(notes) + ".\n")
        # The Done-when lines, for both runs.
        inq = Q["inproc"]["qps"]["median"] if Q else None
        omq = Q["omega"]["qps"]["median"] if Q and Q.get("omega") else None
        L.append("#### Done-when (issue 6), at 64 connections\n")
        L.append("| measure | goal | cache on (cached answers) | --cache-mb 0 (engine) |")
        L.append("|---|---|---:|---:|")

        def cell(k, f, goal_ok):
            x = H.get(k, {}).get("64")
            var = H.get("variants", {}).get(k)
            if not x or not var or x["qps"]["median"] is None:
                return "–"
            v = f(x, var)
            if v is None:
                return "–"
            return f"{v} {'✓' if goal_ok(x, var) else '✗'}"
        rows = [
            ("server q/s ÷ in-process q/s", "≥ 0.5",
             lambda x, v: f"{fmt(ratio(x['qps']['median'], inq), 2)}×" if inq else None,
             lambda x, v: bool(inq) and x["qps"]["median"] / inq >= 0.5),
            ("server q/s ÷ Omega CGI q/s", "≥ 20",
             lambda x, v: f"{fmt(ratio(x['qps']['median'], omq), 1)}×" if omq else None,
             lambda x, v: bool(omq) and x["qps"]["median"] / omq >= 20),
            ("p99 latency", "< 15 ms",
             lambda x, v: f"{fmt(x['p99_ms']['median'], 2)} ms",
             lambda x, v: x["p99_ms"]["median"] is not None and x["p99_ms"]["median"] < 15),
            ("peak RSS", "< 200 MB",
             lambda x, v: f"{v['vmhwm_mib'] * 1.048576:.0f} MB",
             lambda x, v: v["vmhwm_mib"] * 1.048576 < 200),
        ]
        for name, goal, f, ok in rows:
            L.append(f"| {name} | {goal} | {cell('sok', f, ok)} | {cell('sok_nocache', f, ok)} |")
        L.append(f"\nIn process: {fmt(inq)} q/s (one query at a time, one core); Omega CGI: "
                 f"{fmt(omq) if omq else '– (not run)'} q/s. The server and wrk share the machine's "
                 f"{meta['cpus']} cores. The cache-on column answers repeated queries from memory; "
                 "a stream of queries never seen before gets the --cache-mb 0 figures.\n")

    G = R.get("growth")
    if G:
        L.append("## Growth (sok only)\n")
        L.append("| corpus | docs | MB | index docs/s | index MB/s | index MB | peak RSS MiB | in-process p50 / p99 ms | "
                 "HTTP c16 req/s (--cache-mb 0) | HTTP c16 p50 / p99 ms |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for g in G:
            ix, iq, hq = g["index"], g["inproc"], g["http_c16"]
            L.append(f"| {g['corpus']} | {g['docs']:,} | {g['mb']:.0f} | {fmt(ix['docs_per_s']['median'])} | "
                     f"{fmt(ix['mb_per_s']['median'], 2)} | {fmt(ix['index_mb']['median'])} | "
                     f"{fmt(ix['peak_rss_mib']['median'])} | {fmt(iq['p50_ms']['median'], 2)} / {fmt(iq['p99_ms']['median'], 2)} | "
                     f"{fmt(hq['qps']['median']) if hq else '–'} | "
                     f"{(fmt(hq['p50_ms']['median'], 2) + ' / ' + fmt(hq['p99_ms']['median'], 2)) if hq else '–'} |")
        if len(G) > 1:
            a, z = G[0], G[-1]
            f = z["docs"] / a["docs"]
            L.append(f"\nFrom {a['corpus']} to {z['corpus']} ({f:.0f}× the documents): index time ×"
                     f"{fmt(ratio(z['index']['seconds']['median'], a['index']['seconds']['median']), 1)}, "
                     f"in-process p50 ×{fmt(ratio(z['inproc']['p50_ms']['median'], a['inproc']['p50_ms']['median']), 1)}, "
                     f"p99 ×{fmt(ratio(z['inproc']['p99_ms']['median'], a['inproc']['p99_ms']['median']), 1)}.\n")
        else:
            L.append("\n(One size only: run with BENCH_DOCS=100000 or 1000000 for the growth rows.)\n")
    L += lucene.render_growth(R)
    if R.get("shards"):
        L.append(render_shards(R["shards"], R["main_corpus"]))
    L.append(f"\nTotal bench time: {R['meta']['seconds'] / 60:.1f} min. Raw figures: report.json.\n")
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- main

class Bins:
    def __init__(self, build, need_all=True):
        self.build = build
        self.sok_index = os.path.abspath(os.path.join(build, "sok-index"))
        self.sok_server = os.path.abspath(os.path.join(build, "sok-server"))
        self.hello = os.path.abspath(os.path.join(build, "bench", "hello"))
        self.inproc = os.path.abspath(os.path.join(build, "bench", "inproc"))
        for p in (self.sok_index, self.sok_server) + ((self.hello, self.inproc) if need_all else ()):
            if not os.access(p, os.X_OK):
                sys.exit(f"bench: {p} is missing (make bench builds it)")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "fts5-index":
        fts5_index(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "render":
        # re-renders report.md from report.json: bench.py render [BUILD/bench]
        d = sys.argv[2] if len(sys.argv) > 2 else "build/bench"
        with open(os.path.join(d, "report.json"), encoding="utf-8") as fh:
            md = render_md(json.load(fh))
        with open(os.path.join(d, "report.md"), "w", encoding="utf-8") as fh:
            fh.write(md)
        print(md)
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "shards":
        # the shards rows alone: bench.py shards [BUILD], on BENCH_DOCS
        build = sys.argv[2] if len(sys.argv) > 2 else "build"
        docs = int(os.environ.get("BENCH_DOCS", "10000"))
        shared = os.environ.get("BENCH_SHARED", os.path.join(os.path.dirname(os.path.abspath(".")),
                                                             "shared", "bench"))
        work = os.path.join(build, "bench", "work")
        os.makedirs(work, exist_ok=True)
        C = Corpora(os.path.join(build, "bench", "corpus"), shared)
        corpus = C.syn(docs)
        runs = max(1, int(os.environ.get("BENCH_RUNS", "3")))
        secs = int(os.environ.get("BENCH_WRK_SECONDS", "5"))
        mix = make_mix(C.vocab(), corpus)
        S = bench_shards(Bins(build, need_all=False), corpus, mix, work, runs, secs)
        if S:
            with open(os.path.join(work, "shards.json"), "w", encoding="utf-8") as fh:
                json.dump(S, fh, indent=1)
            print(render_shards(S, size_name(docs)))
        return
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    t_start = time.time()
    load_start = os.getloadavg()
    docs = int(os.environ.get("BENCH_DOCS", "10000"))
    # fewer than 3 runs only when asked for (a 1M run takes an hour a round)
    runs = max(1, int(os.environ.get("BENCH_RUNS", "3")))
    wsecs = int(os.environ.get("BENCH_WRK_SECONDS", "5"))
    skip = set(x for x in os.environ.get("BENCH_SKIP", "").split(",") if x)
    shared = os.environ.get("BENCH_SHARED", os.path.join(os.path.dirname(os.path.abspath(".")), "shared", "bench"))
    if not os.path.isfile(os.path.join(shared, "gen_corpus.py")):
        sys.exit(f"bench: {shared}/gen_corpus.py not found (set BENCH_SHARED)")
    b = Bins(a.build)
    out = os.path.join(a.build, "bench")
    work = os.path.join(out, "work")
    os.makedirs(work, exist_ok=True)
    C = Corpora(os.path.join(out, "corpus"), shared)
    ix = Indexers(b)

    real = C.real()
    vocab = C.vocab()
    main_name = size_name(docs)
    gbase = int(os.environ.get("BENCH_GROWTH_BASE", "10000"))
    sizes = sorted(set([docs] + ([gbase] if docs > gbase and "growth" not in skip else [])))
    corp = {n: C.syn(n) for n in sizes}
    R = {"meta": {}, "main_corpus": main_name, "corpora": {}, "indexing": {}}
    R["corpora"]["real"] = {"docs": len(corpus_files(real)), "mb": mb(dir_bytes(real)), "path": real}
    for n in sizes:
        R["corpora"][size_name(n)] = {"docs": len(corpus_files(corp[n])), "mb": mb(dir_bytes(corp[n])),
                                      "path": corp[n]}

    engines = ["sok"] + [e for e in ("omindex", "fts5") if e not in skip]
    if "lucene" not in skip:
        why = lucene.available(a.build)
        if why:
            sys.exit(f"bench: Lucene: {why} (or BENCH_SKIP=lucene)")
        engines.append("lucene")
    dbs = {e: os.path.join(work, f"{e}-{main_name}" + (".sqlite" if e == "fts5" else "")) for e in engines}

    # 1. indexing: the main corpus, then the real one.  The main corpus is
    # indexed from a private copy (same bytes) that the incremental run then
    # modifies, so the last full sok build is the incremental's starting point.
    syn_copy = os.path.join(work, f"{main_name}-copy")
    rmrf(syn_copy)
    shutil.copytree(corp[docs], syn_copy)
    if "index" in skip:
        # Query half only, on the indexes an earlier run left in work/; its
        # indexing figures are carried over from BENCH_INDEX_FROM if given.
        for e in engines:
            if not os.path.exists(dbs[e]):
                sys.exit(f"bench: BENCH_SKIP=index but {dbs[e]} is missing (run once without it)")
        src = os.environ.get("BENCH_INDEX_FROM")
        if src:
            with open(src, encoding="utf-8") as fh:
                old = json.load(fh)
            R["indexing"] = old.get("indexing", {})
            if old.get("incremental"):
                R["incremental"] = old["incremental"]
            R["indexing_from"] = {"path": src, "date": old.get("meta", {}).get("date", "?"),
                                  "order": old.get("meta", {}).get("order", "")}
        log(f"indexing skipped: reusing {', '.join(dbs[e] for e in engines)}")
    else:
        log(f"indexing {main_name}: {', '.join(engines)} × {runs}, interleaved")
        R["indexing"][main_name] = ix.measure_all(engines, syn_copy, dbs, runs, main_name)
    if "real" not in skip and "index" not in skip:
        log(f"indexing real: {', '.join(engines)} × {runs}, interleaved")
        rdbs = {e: os.path.join(work, f"{e}-real" + (".sqlite" if e == "fts5" else "")) for e in engines}
        R["indexing"]["real"] = ix.measure_all(engines, real, rdbs, runs, "real")
        for d in rdbs.values():
            rmrf(d)

    # 2. incremental nightly run
    if "incremental" not in skip and "index" not in skip:
        log(f"incremental: 1% of {main_name} changed × {runs}")
        R["incremental"] = incremental(b, syn_copy, dbs["sok"],
                                       R["indexing"][main_name]["sok"]["seconds"]["median"], work, runs)

    # 3. queries on the main index
    mix = make_mix(vocab, corp[docs])
    kinds = {}
    for q in mix:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    qfile = os.path.join(work, "mix.qs")
    with open(qfile, "w", encoding="utf-8") as fh:
        fh.write("".join(sok_qs(q) + "\n" for q in mix))
    os.makedirs(os.environ.get("BENCH_REPORT_DIR", out), exist_ok=True)
    with open(os.path.join(os.environ.get("BENCH_REPORT_DIR", out), "query-mix.json"), "w", encoding="utf-8") as fh:
        json.dump(mix, fh, ensure_ascii=False, indent=0)
    Q = {"mix_size": len(mix), "mix_kinds": kinds}
    log(f"queries in process on {main_name}: sok × {runs}")
    Q["inproc"] = bench_inproc(b, dbs["sok"], qfile, runs)
    bk = {}
    for q, t in zip(mix, Q["inproc"]["per_query_ms_last_run"]):
        bk.setdefault(q["kind"], []).append(t)
    Q["inproc_by_kind"] = {k: lat_stats(v) for k, v in bk.items()}
    if "fts5" in engines:
        log(f"queries in process on {main_name}: FTS5 × {runs}")
        Q["fts5"] = bench_fts5_queries(dbs["fts5"], mix, runs)
    if "lucene" in engines:
        log(f"queries in process on {main_name}: Lucene × {runs}")
        Q["lucene"] = lucene.bench_queries(b.build, dbs["lucene"], mix, work, runs, run_rss, lat_stats,
                                           combine, log)
    if "omindex" in engines and "omega" not in skip:
        log(f"queries through the Omega CGI on {main_name} × {runs}")
        conf = setup_omega(work, dbs["omindex"])
        Q["omega"] = bench_omega(conf, mix, runs)
    R["queries"] = Q
    log(f"HTTP: wrk at 1, 16, 64 connections × {runs}, {wsecs} s each: sok-server with its cache, "
        f"with --cache-mb 0, and hello")
    R["http"] = bench_http(b, dbs["sok"], mix, work, runs, wsecs, [1, 16, 64])
    if "shards" not in skip:
        log(f"shards: sok-server --shards over 1, 2, 3 loopback xapian-tcpsrv on {main_name} × {runs}")
        R["shards"] = bench_shards(b, corp[docs], mix, work, runs, wsecs)

    # 4. growth (sok only): the main size from above, plus 10k when the main is bigger
    G = []
    if R["indexing"].get(main_name, {}).get("sok") is None:
        sizes = []          # queries-only run without carried indexing figures
    for n in sizes:
        name = size_name(n)
        if n == docs:
            g = {"corpus": name, "docs": R["corpora"][name]["docs"], "mb": R["corpora"][name]["mb"],
                 "index": R["indexing"].get(name, {}).get("sok"), "inproc": Q["inproc"],
                 "http_c16": R["http"]["sok_nocache"].get("16")}
            if "lucene" in engines:
                g["lucene_index"] = R["indexing"].get(name, {}).get("lucene")
                g["lucene_q"] = Q.get("lucene")
        else:
            log(f"growth: {name}, sok only × {runs}")
            gdb = os.path.join(work, f"sok-{name}")
            gi = ix.measure("sok", corp[n], gdb, runs, name)
            gmix = make_mix(vocab, corp[n])
            gq = os.path.join(work, f"mix-{name}.qs")
            with open(gq, "w", encoding="utf-8") as fh:
                fh.write("".join(sok_qs(q) + "\n" for q in gmix))
            gin = bench_inproc(b, gdb, gq, runs)
            gh = bench_http(b, gdb, gmix, work, runs, wsecs, [16], with_hello=False)
            g = {"corpus": name, "docs": R["corpora"][name]["docs"], "mb": R["corpora"][name]["mb"],
                 "index": gi, "inproc": gin, "http_c16": gh["sok_nocache"].get("16")}
            rmrf(gdb)
            if "lucene" in engines:
                log(f"growth: {name}, Lucene × {runs}")
                ldb = os.path.join(work, f"lucene-{name}")
                g["lucene_index"] = ix.measure("lucene", corp[n], ldb, runs, name)
                g["lucene_q"] = lucene.bench_queries(b.build, ldb, gmix, work, runs, run_rss, lat_stats,
                                                     combine, log)
                rmrf(ldb)
        G.append(g)
    # BENCH_GROWTH_FROM: rows of other sizes from an earlier report (a 1M run
    # with BENCH_SKIP=growth gets the 10k and 100k rows of the 100k run)
    src = os.environ.get("BENCH_GROWTH_FROM")
    if src:
        with open(src, encoding="utf-8") as fh:
            old = json.load(fh)
        have = {g["corpus"] for g in G}
        for g in old.get("growth", []):
            if g["corpus"] not in have:
                G.append(dict(g, carried_from=f"{src} ({old.get('meta', {}).get('date', '?')})"))
        G.sort(key=lambda g: g["docs"])
    R["growth"] = G

    R["meta"] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t_start)),
        "cpus": os.cpu_count(),
        "mem_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9,
        "kernel": platform.platform(),
        "runs": runs, "bench_docs": docs, "wrk_seconds": wsecs, "skipped": sorted(skip),
        "versions": {"omindex": tool_version(["omindex", "--version"]), "sqlite": sqlite3.sqlite_version,
                     "lucene": lucene.version() + ", " + lucene.java_version(),
                     "wrk": tool_version(["wrk", "--version"]).split(" [")[0]},
        "seconds": time.time() - t_start,
        "loadavg_start": load_start[0], "loadavg_end": os.getloadavg()[0],
    }
    R["done_when_14"] = lucene.done_when(R)
    # drop the bulky per-query list from the JSON's top level copy
    rdir = os.environ.get("BENCH_REPORT_DIR", out)
    os.makedirs(rdir, exist_ok=True)
    with open(os.path.join(rdir, "report.json"), "w", encoding="utf-8") as fh:
        json.dump(R, fh, ensure_ascii=False, indent=1)
    md = render_md(R)
    with open(os.path.join(rdir, "report.md"), "w", encoding="utf-8") as fh:
        fh.write(md)
    print(md)
    log(f"done in {R['meta']['seconds'] / 60:.1f} min: {rdir}/report.md, {rdir}/report.json")


if __name__ == "__main__":
    main()
