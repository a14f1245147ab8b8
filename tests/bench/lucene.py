"""Lucene's part of make bench (tests/bench/bench.py): the command lines of
tests/bench/LuceneBench.java (compiled by make bench into BUILD/bench/java),
the query mix in the form it reads, its query runs, and the report's issue 14
tables (Done-when and growth, sok beside Lucene).

How each query kind maps to a Lucene query is in tests/bench/README.md.
"""
import glob, os, statistics, subprocess

JARS = ("lucene-core", "lucene-analyzers-common", "lucene-highlighter", "lucene-queries", "lucene-memory")
JAVA = "/usr/bin/java"
# ES's default heap (jvm.options: -Xms1g -Xmx1g); the peak RSS includes it.
JVM_OPTS = ["-Xms1g", "-Xmx1g", "-XX:+UseG1GC"]
THREADS = 2         # indexing threads, as sok-index uses one per core here
WARMUP = 3          # passes through all four modes before the measured one (the JIT)
MODES = (("plain1", "no highlighting, 1 thread"), ("hl1", "highlighted passages, 1 thread"),
         ("plain2", "no highlighting, 2 threads"), ("hl2", "highlighted passages, 2 threads"))


def classpath(build):
    jars = []
    for j in JARS:
        found = sorted(glob.glob(f"/usr/share/java/{j}-8*.jar"))
        if not found:
            return None
        jars.append(found[-1])
    return ":".join([os.path.abspath(os.path.join(build, "bench", "java"))] + jars)


def available(build):
    """The reason Lucene cannot run, or None."""
    cp = classpath(build)
    if cp is None:
        return "liblucene8-java is not installed"
    if not os.path.isfile(os.path.join(build, "bench", "java", "LuceneBench.class")):
        return "BUILD/bench/java/LuceneBench.class is missing (make bench compiles it)"
    if not os.access(JAVA, os.X_OK):
        return "no java (default-jdk-headless)"
    return None


def version():
    cp = classpath(".") or ""
    core = cp.split(":")[1] if ":" in cp else ""
    try:
        out = subprocess.run(["unzip", "-p", core, "META-INF/MANIFEST.MF"], capture_output=True,
                             text=True, timeout=20).stdout
        for line in out.splitlines():
            if line.startswith("Specification-Version:"):
                return "Lucene " + line.split(":", 1)[1].strip()
    except Exception:   # noqa
        pass
    return "Lucene 8 (liblucene8-java)"


def java_version():
    p = subprocess.run([JAVA, "-version"], capture_output=True, text=True)
    return (p.stderr or p.stdout).strip().splitlines()[0] if (p.stderr or p.stdout) else "java"


def index_cmd(build, db, corpus):
    return [JAVA, *JVM_OPTS, "-cp", classpath(build), "LuceneBench", "index", db, corpus, str(THREADS)]


def write_mix(mix, path):
    """The mix as LuceneBench reads it: kind, words, phrase, from, to, type, page."""
    with open(path, "w", encoding="utf-8") as fh:
        for q in mix:
            fh.write("\t".join([q["kind"], " ".join(q["words"]), "1" if q.get("phrase") else "0",
                                q.get("from", ""), q.get("to", ""), q.get("type", ""),
                                str(q.get("page", ""))]) + "\n")


def bench_queries(build, db, mix, work, runs, run_rss, lat_stats, combine, log):
    """runs JVMs, each WARMUP passes then one measured pass per mode; returns
    {mode: combined p50/p99/qps, ...}, by kind (1 thread, last run) and peak RSS."""
    tsv = os.path.join(work, "mix-lucene.tsv")
    write_mix(mix, tsv)
    per = {m: [] for m, _ in MODES}
    kinds, rss = {}, []
    for r in range(runs):
        kinds = {}          # by kind: the last run's
        m = run_rss([JAVA, *JVM_OPTS, "-cp", classpath(build), "LuceneBench", "query", db, tsv, str(WARMUP)])
        if m["rc"] != 0:
            raise RuntimeError(f"LuceneBench query exited {m['rc']}: {m['err'][-2000:]}")
        rss.append(m["rss_kib"] / 1024)
        ms, tot, qps = {}, {}, {}
        for line in m["out"].splitlines():
            if line.startswith("#"):
                kv = dict(x.split("=", 1) for x in line[1:].split())
                qps[kv["mode"]] = float(kv["qps"])
                continue
            mode, th, i, t, total = line.split()
            ms.setdefault(mode, []).append(float(t))
            if th == "0":
                tot.setdefault(mode, []).append(int(total))
        for mode, _ in MODES:
            st = lat_stats(ms[mode])
            st["qps"] = qps[mode]
            st["zero_hits"] = sum(1 for t in tot[mode] if t == 0)
            per[mode].append(st)
        for mode in ("plain1", "hl1"):
            for q, t in zip(mix, ms[mode][:len(mix)]):
                kinds.setdefault(mode, {}).setdefault(q["kind"], []).append(t)
        log(f"  Lucene run {r + 1}/{runs}: " + ", ".join(
            f"{mode} p50 {per[mode][-1]['p50_ms']:.2f} p99 {per[mode][-1]['p99_ms']:.2f} ms "
            f"{per[mode][-1]['qps']:.0f} q/s" for mode, _ in MODES))
    out = {mode: dict(combine(per[mode]), zero_hits=per[mode][-1]["zero_hits"]) for mode, _ in MODES}
    n = len(mix)
    out["by_kind"] = {mode: {k: lat_stats(v) for k, v in d.items()} for mode, d in kinds.items()}
    out["peak_rss_mib"] = statistics.median(rss)
    out["warmup_passes"] = WARMUP
    out["mix_size"] = n
    return out


# ---------------------------------------------------------------- report

def _r(a, b):
    return (a / b) if (a and b) else None


def _f(x, nd=2):
    return "–" if x is None else (f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.{nd}f}")


def done_when(R):
    """The issue 14 Done-when rows: list of dicts (measure, goal, sok, lucene,
    ratio, pass) from one report; None for a row the run has no figures for."""
    main = R["main_corpus"]
    Q = R.get("queries", {})
    L = Q.get("lucene") or {}
    ix = R.get("indexing", {}).get(main, {})
    sok_q = Q.get("inproc")
    rows = []

    def add(measure, goal, sv, lv, rv, ok, unit=""):
        rows.append({"measure": measure, "goal": goal, "sok": sv, "lucene": lv, "ratio": rv,
                     "pass": ok, "unit": unit})
    hl = L.get("hl1")
    if sok_q and hl:
        s, l = sok_q["qps"]["median"], hl["qps"]["median"]
        add(f"{main} in-process q/s, with snippets (sok) / highlighting (Lucene), 1 thread", "sok ÷ Lucene ≥ 1.5",
            s, l, _r(s, l), _r(s, l) is not None and s / l >= 1.5, "q/s")
        s, l = sok_q["p99_ms"]["median"], hl["p99_ms"]["median"]
        add(f"{main} in-process p99, same runs", "sok ≤ Lucene", s, l, _r(s, l), s <= l, "ms")
    if ix.get("sok") and ix.get("lucene"):
        s, l = ix["sok"]["index_mb"]["median"], ix["lucene"]["index_mb"]["median"]
        add(f"{main} index size (stored text included)", "sok ÷ Lucene ≤ 2", s, l, _r(s, l), s / l <= 2, "MB")
        s, l = ix["sok"]["docs_per_s"]["median"], ix["lucene"]["docs_per_s"]["median"]
        add(f"{main} full build docs/s, 2 threads each", "sok ÷ Lucene ≥ 0.5", s, l, _r(s, l), s / l >= 0.5,
            "docs/s")
    H = R.get("http", {}).get("sok_nocache", {}).get("64")
    if H and sok_q:
        s, l = H["qps"]["median"], sok_q["qps"]["median"]
        rows.append({"measure": "HTTP --cache-mb 0, 64 connections q/s ÷ sok in-process 1-thread q/s",
                     "goal": "≥ 1.8", "sok": s, "lucene": l, "ratio": _r(s, l),
                     "pass": _r(s, l) is not None and s / l >= 1.8, "unit": "q/s",
                     "note": "the second figure is sok in process, not Lucene"})
    return rows


def render_queries(Q):
    L = Q.get("lucene")
    if not L:
        return []
    out = ["### Lucene in process (LuceneBench.java, same mix)\n",
           f"Each run is one JVM ({' '.join(JVM_OPTS)}): {L['warmup_passes']} warm-up passes through all four "
           "modes, then one measured pass each. Highlighting: UnifiedHighlighter (offsets from re-analysis, "
           "as Elasticsearch's default), the best passage of the body and the title of each hit on the page. "
           "2 threads: two threads share one IndexSearcher, each runs the whole mix once (starting half way "
           "apart); q/s = all queries ÷ wall time.\n",
           "| Lucene mode | p50 ms | p99 ms | queries/s | without hits |", "|---|---:|---:|---:|---:|"]
    for mode, label in MODES:
        x = L[mode]
        out.append(f"| {label} | {_f(x['p50_ms']['median'])} ({_f(x['p50_ms']['min'])}–{_f(x['p50_ms']['max'])}) | "
                   f"{_f(x['p99_ms']['median'])} ({_f(x['p99_ms']['min'])}–{_f(x['p99_ms']['max'])}) | "
                   f"{_f(x['qps']['median'], 0)} ({_f(x['qps']['min'], 0)}–{_f(x['qps']['max'], 0)}) | "
                   f"{x['zero_hits']} |")
    out.append(f"\nPeak RSS of the query JVM: {L['peak_rss_mib']:.0f} MiB.\n")
    bk, sk = L.get("by_kind", {}), Q.get("inproc_by_kind", {})
    if bk:
        out.append("By kind (last run, p50 / max ms): sok with snippets vs Lucene plain and highlighted:\n")
        out.append("| kind | n | sok | Lucene plain | Lucene highlighted |")
        out.append("|---|---:|---:|---:|---:|")
        for k, v in bk.get("hl1", {}).items():
            s, p = sk.get(k), bk.get("plain1", {}).get(k)
            cell = (lambda x: f"{x['p50_ms']:.2f} / {x['max_ms']:.2f}" if x else "–")
            out.append(f"| {k} | {v['n']} | {cell(s)} | {cell(p)} | {cell(v)} |")
        out.append("")
    return out


def render_done_when(R):
    rows = R.get("done_when_14") or done_when(R)
    if not rows:
        return []
    out = ["## Done-when (issue 14): sok beside Lucene\n",
           f"From this one run ({R['meta']['date']}, machine shared with other work: load average "
           f"{R['meta'].get('loadavg_start', 0):.1f} → {R['meta'].get('loadavg_end', 0):.1f}); "
           "ratios of figures measured side by side, medians of the runs.\n",
           "| measure | goal | sok | Lucene | ratio | verdict |", "|---|---|---:|---:|---:|---|"]
    for x in rows:
        second = f"{_f(x['lucene'])} {x['unit']}" + (" (sok in process)" if x.get("note") else "")
        out.append(f"| {x['measure']} | {x['goal']} | {_f(x['sok'])} {x['unit']} | {second} | "
                   f"{_f(x['ratio'])}× | {'PASS' if x['pass'] else 'FAIL'} |")
    out.append("")
    return out


def render_growth(R):
    """Rows per corpus size, sok beside Lucene."""
    G = R.get("growth") or []
    if not G:
        return []
    out = ["## Growth: sok beside Lucene\n",
           "| corpus | docs | engine | docs/s | index MB | build peak RSS MiB | in-process p50 / p99 ms "
           "(sok snippets; Lucene highlighted) | q/s 1 thread |",
           "|---|---:|---|---:|---:|---:|---:|---:|"]
    for g in G:
        ix, iq = g.get("index"), g.get("inproc")
        if ix and iq:
            out.append(f"| {g['corpus']} | {g['docs']:,} | sok | {_f(ix['docs_per_s']['median'], 0)} | "
                       f"{_f(ix['index_mb']['median'], 0)} | {_f(ix['peak_rss_mib']['median'], 0)} | "
                       f"{_f(iq['p50_ms']['median'])} / {_f(iq['p99_ms']['median'])} | {_f(iq['qps']['median'], 0)} |")
        li, lq = g.get("lucene_index"), (g.get("lucene_q") or {}).get("hl1")
        if li and lq:
            out.append(f"| {g['corpus']} | {g['docs']:,} | Lucene | {_f(li['docs_per_s']['median'], 0)} | "
                       f"{_f(li['index_mb']['median'], 0)} | {_f(li['peak_rss_mib']['median'], 0)} | "
                       f"{_f(lq['p50_ms']['median'])} / {_f(lq['p99_ms']['median'])} | {_f(lq['qps']['median'], 0)} |")
    if len(G) > 1:
        a, z = G[0], G[-1]
        try:
            sg = _r(z["inproc"]["p99_ms"]["median"], a["inproc"]["p99_ms"]["median"])
            lg = _r(z["lucene_q"]["hl1"]["p99_ms"]["median"], a["lucene_q"]["hl1"]["p99_ms"]["median"])
            out.append(f"\nFrom {a['corpus']} to {z['corpus']}: sok p99 ×{_f(sg)}, Lucene (highlighted) p99 "
                       f"×{_f(lg)}.\n")
        except (KeyError, TypeError):
            pass
    if R["meta"].get("bench_docs", 0) >= 1000000 and "omindex" in R["meta"].get("skipped", []):
        out.append("omindex/Omega were skipped at 1M (BENCH_SKIP=omindex).\n")
    out.append("")
    return out
