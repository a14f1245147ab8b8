#!/usr/bin/env python3
"""make eval: relevance of sok with the Swedish features on and off.

Indexes corpus/ and the gimp-help-sv pages into two separate indexes (the
known-item judge goes by source path), starts sok-server on each twice (as is,
and with --plain: exact + stem only), runs the shared judges
(../shared/eval/eval.py on the public seed set, known_item.py in the modes
title, body and noisy) against each, and prints one table, on beside off.
Long documents by their sections (../shared/eval/sections.py, 150 queries,
seed 5, modes body, heading and noisy): the cfi-sv book as HTML, the same
book printed to PDF by Chromium (no outline: headings from the layout), both
together (--twins: the top 10 holding one passage twice), and the
lifelines-doc-sv manuals (Latin-1 DocBook HTML).
Then replays every query of those runs against both servers of the same
index and prints latency p50/p90 (milliseconds, wall clock over HTTP).

  eval_all.py BUILD_DIR SHARED_DIR [GIMP_ROOT]
"""
import json, os, re, shutil, statistics, subprocess, sys, tempfile, time
import urllib.parse, urllib.request


def start(server, db, plain, extra=()):
    """Starts sok-server on db (--plain when plain) on a loopback port; returns (process, base URL)."""
    args = [server, "--db", db, "--listen", "127.0.0.1:0", "--quiet", *extra]
    if plain:
        args.append("--plain")
    p = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = p.stderr.readline()
        if not line:
            break
        m = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
        if m:
            return p, "http://" + m.group(1)
    p.kill()
    raise SystemExit(f"eval: {server} did not start")


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800).stdout
    return out


def kv(line):
    return dict(re.findall(r"(\S+)=(\S+)", line))


def latency(base, queries, rounds=1):
    ts = []
    for _ in range(rounds):
        for q in queries:
            url = f"{base}/api/search?" + urllib.parse.urlencode({"q": q, "per_page": 10})
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    r.read()
            except Exception:
                continue
            ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    if not ts:
        return 0.0, 0.0
    return statistics.median(ts), ts[int(0.9 * (len(ts) - 1))]


CFI = "/usr/share/doc/cfi-sv/cfi.html"
LIFELINES = "/usr/share/doc/lifelines-doc-sv"


def print_pdf(html, out, tmp):
    """Chromium's print of html into out (as sections.py's documentation says); True when made."""
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--user-data-dir=" + os.path.join(tmp, "chrome"),
           "--no-pdf-header-footer", "--print-to-pdf=" + out, "file://" + html]
    try:
        subprocess.run(cmd, capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return os.path.exists(out) and os.path.getsize(out) > 0


def section_sets(index, tmp):
    """(label, db, sections.py arguments, twins) for each long-document set, indexed."""
    sets = []
    pdf_dir, both = os.path.join(tmp, "cfi-pdf"), os.path.join(tmp, "cfi-both")
    os.makedirs(pdf_dir)
    os.makedirs(both)
    have_pdf = os.path.exists(CFI) and print_pdf(CFI, os.path.join(pdf_dir, "cfi.pdf"), tmp)
    if have_pdf:
        shutil.copy(CFI, both)
        shutil.copy(os.path.join(pdf_dir, "cfi.pdf"), both)
    cfi = ["--file", CFI, "--any-source"]
    for label, src, args, twins in (("cfi html", os.path.dirname(CFI), cfi, False),
                                    ("cfi pdf", pdf_dir if have_pdf else None, cfi, False),
                                    ("cfi html+pdf", both if have_pdf else None, cfi, True),
                                    ("lifelines", LIFELINES, ["--root", LIFELINES], False)):
        if src is None or not os.path.exists(src):
            print(f"eval: {label}: not available")
            continue
        db = os.path.join(tmp, label.replace(" ", "-").replace("+", "-"))
        r = subprocess.run([index, "--db", db, "--full", "--quiet", src],
                           capture_output=True, text=True)
        print(f"eval: indexed {label}: {r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr}")
        sets.append((label, db, args, twins))
    return sets


def run_sections(server, shared, sets, rows):
    """sections.py on each set, features on and off, into rows."""
    py = "/usr/bin/python3"
    script = os.path.join(shared, "eval", "sections.py")
    for label, db, args, twins in sets:
        for mode in ("on", "off"):
            p, base = start(server, db, mode == "off")
            try:
                for sm in (("body",) if twins else ("body", "heading", "noisy")):
                    extra = ["--twins"] if twins else []
                    out = run([py, script, "--base", base, *args, "--mode", sm, "--n", "150",
                               "--seed", "5", *extra])
                    lines = out.strip().splitlines()
                    last = kv(lines[-1]) if lines else {}
                    rows.setdefault(f"sections {label} {sm} s@1 (n={last.get('queries', '?')})",
                                    {})[mode] = last.get("success@1", "?")
                    if twins:
                        rows.setdefault(f"sections {label} body twins", {})[mode] = \
                            last.get("twins", "?")
            finally:
                stop(p)


def main():
    build, shared = sys.argv[1], sys.argv[2]
    gimp = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/gimp/2.0/help/sv"
    py = "/usr/bin/python3"
    index, server = os.path.join(build, "sok-index"), os.path.join(build, "sok-server")
    tmp = tempfile.mkdtemp(prefix="sok-eval-")
    try:
        dbc, dbg = os.path.join(tmp, "corpus"), os.path.join(tmp, "gimp")
        for db, src in ((dbc, "corpus/"), (dbg, gimp)):
            r = subprocess.run([index, "--db", db, "--full", "--quiet", src],
                               capture_output=True, text=True)
            print(f"eval: indexed {src}: {r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr}")
        rows = {}          # label -> {"on": str, "off": str}
        lat = {}           # index -> {"on": (p50, p90), "off": ...}
        queries = {"corpus": [], "gimp": []}
        for line in open(os.path.join(shared, "eval", "queries.tsv"), encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                queries["corpus"].append(line.rstrip("\n").split("\t")[2])
        for mode in ("on", "off"):
            pc, bc = start(server, dbc, mode == "off")
            pg, bg = start(server, dbg, mode == "off")
            try:
                out = run([py, os.path.join(shared, "eval", "eval.py"), "--base", bc,
                           "--queries", os.path.join(shared, "eval", "queries.tsv")])
                lines = out.strip().splitlines()
                hdr = next(i for i, l in enumerate(lines) if l.startswith("kind"))
                for l in lines[hdr + 1:-1]:
                    f = l.split()
                    rows.setdefault(f"public {f[0]} s@3 (n={f[1]})", {})[mode] = f[3]
                last = kv(lines[-1])
                for k in ("success@1", "success@3", "mrr@10"):
                    rows.setdefault(f"public all {k}", {})[mode] = last.get(k, "?")
                for km in ("title", "body", "noisy"):
                    out = run([py, os.path.join(shared, "eval", "known_item.py"), "--base", bg,
                               "--root", gimp, "--mode", km, "--n", "300", "--seed", "7",
                               "--verbose"])
                    lines = out.strip().splitlines()
                    last = kv(lines[-1]) if lines else {}
                    for k in ("success@1", "success@3", "success@10"):
                        rows.setdefault(f"gimp {km} {k}", {})[mode] = last.get(k, "?")
                    if mode == "on":
                        for l in lines[:-1]:
                            m = re.match(r"rank=\s*\S+ (['\"])(.*)\1 \S+$", l)
                            if m:
                                queries["gimp"].append(m.group(2))
                lat.setdefault("corpus", {})[mode] = None
            finally:
                stop(pc)
                stop(pg)
        run_sections(server, shared, section_sets(index, tmp), rows)
        # Latency: both servers of one index up at once, queries interleaved
        # by round so neither gets a warmer cache.
        for name, db in (("corpus", dbc), ("gimp", dbg)):
            on, bon = start(server, db, False)
            off, boff = start(server, db, True)
            try:
                latency(bon, queries[name][:50])
                latency(boff, queries[name][:50])
                lat[name] = {"on": latency(bon, queries[name], 2),
                             "off": latency(boff, queries[name], 2)}
            finally:
                stop(on)
                stop(off)
        w = max(len(k) for k in rows)
        print()
        print(f"{'measure':{w}}  {'on':>6}  {'off (--plain)':>13}")
        for k, v in rows.items():
            print(f"{k:{w}}  {v.get('on', '?'):>6}  {v.get('off', '?'):>13}")
        print()
        for name in ("corpus", "gimp"):
            (a50, a90), (b50, b90) = lat[name]["on"], lat[name]["off"]
            print(f"latency {name:6} ({len(queries[name])} queries x2): "
                  f"on p50={a50:.2f}ms p90={a90:.2f}ms  off p50={b50:.2f}ms p90={b90:.2f}ms  "
                  f"ratio p50={a50 / b50 if b50 else 0:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
