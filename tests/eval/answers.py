#!/usr/bin/python3
"""Every answer sok gives to a fixed set of requests, written out so two builds can be compared.

For a refactoring that must not change what a user sees: run it on the build before and after,
then diff the two files.  It indexes each corpus with BUILD/sok-index, starts BUILD/sok-server on a
loopback port (--cache-mb 0, so every answer is computed) and sends:
  seed    corpus/: the public relevance and spelling queries of ../shared/eval, the queries residents
          type that the search box must read, filters, pages, sort, /api/suggest, /doc/<id>, the
          HTML page for each, and bad parameters; both as is and with --plain;
  syn     tests/bench's 200-query mix on the synthetic corpus BUILD/bench/corpus/synNk (built by
          make bench, or here through bench.py's Corpora when missing).
Indexing runs on one thread, so that document ids are the same from run to run.  Each answer is one
line: the request, the status, the content type and the body, with the fields
that differ between two runs of one build (took_ms, the Date header) removed.

  answers.py BUILD OUT [--shared ../shared] [--syn-docs 10000] [--skip syn]
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time
import urllib.error, urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (make_mix, sok_qs, Corpora)
import eval_all  # noqa: E402  (start, stop)

TYPED = ['"fritidsbanken', 'fritidsbanken"', 'Bättre hälsa - för unga romer', 'Skolfam - fyller tio år',
         'fr* skolfam', 'eftermiddagsskola -', 'OR stödgrupper', 'stödgrupper OR', '*', '(stödgrupper',
         'stödgrupper)', 'fritids banken', 'fritid bank', 'vag', 'iop-av*', '"catch up-metoden"',
         '-skolfam barn', 'Vorta Drom', 'stadsmässa', 'och', 'för', 'far', 'fontanhuset', 'for',
         'missbruk och beroende', 'stödgrupper barn', 'Fritidsbanken', 'FRITIDSBANKEN', 'h22',
         'romsk kultur', 'skol*', '"romska barn"', 'barn -romska', 'barn AND romska', 'barn OR romska',
         'barn NOT romska', '+barn', 'Stöd', 'ekonomiskt bistånd', 'x' * 300, 'å', 'ää öö']
PARAMS = [{"type": "news"}, {"type": "minutes"}, {"type": ["news", "report"]}, {"sort": "date"},
          {"from": "2017-01-01", "to": "2017-12-31"}, {"page": "2", "per_page": "5"},
          {"per_page": "100"}]
BAD = ["/api/search", "/api/search?q=", "/api/search?q=barn&page=0", "/api/search?q=barn&page=x",
       "/api/search?q=barn&per_page=101", "/api/search?q=barn&type=blog",
       "/api/search?q=barn&from=2017-13-01", "/api/search?q=barn&sort=name",
       "/api/search?q=%ff%fe", "/api/search?q=" + "a" * 5000, "/doc/0000000000000000",
       "/doc/xyz", "/nosuch", "/?q=barn&page=0", "/?q=%ff"]


def start(server, db, extra):
    p, base = eval_all.start(server, db, False, ["--threads", "1", "--cache-mb", "0", *extra])
    # the spelling data is built in the background after start; let it settle so edit-tolerant
    # answers do not depend on timing
    time.sleep(1.0)
    return p, base


def fetch(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            st, ct, body = r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        st, ct, body = e.code, e.headers.get("Content-Type", ""), e.read()
    text = body.decode("utf-8", "replace")
    if ct.startswith("application/json"):
        try:
            j = json.loads(text)
            j.pop("took_ms", None)
            text = json.dumps(j, ensure_ascii=False, sort_keys=True)
        except ValueError:
            pass
    else:
        text = re.sub(r"\d+(\.\d+)? ms", "N ms", text)
    return {"path": path, "status": st, "type": ct, "body": text}


def qs(d):
    return urllib.parse.urlencode(d, doseq=True)


def seed_requests(shared):
    qs_list = []
    for name in ("queries.tsv", "spelling.tsv"):
        for line in open(os.path.join(shared, "eval", name), encoding="utf-8"):
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            qs_list.append(cols[2] if name == "queries.tsv" else cols[1])
    qs_list += TYPED
    reqs = []
    for q in qs_list:
        reqs.append("/api/search?" + qs({"q": q}))
        reqs.append("/?" + qs({"q": q}))
        reqs.append("/api/suggest?" + qs({"q": q[:4]}))
    for q in ("barn", "romska", "stöd"):
        for p in PARAMS:
            reqs.append("/api/search?" + qs({"q": q, **p}))
            reqs.append("/?" + qs({"q": q, **p}))
    return reqs + BAD


def run_set(args, label, db, reqs, extra, out):
    p, base = start(os.path.join(args.build, "sok-server"), db, extra)
    try:
        n = 0
        for path in reqs:
            a = fetch(base, path)
            a["set"] = label
            out.write(json.dumps(a, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
            # the sections the seed queries find, as /doc pages (ids are stable)
            if label.startswith("seed") and path.startswith("/api/search?") and a["status"] == 200:
                try:
                    hits = json.loads(a["body"]).get("hits", [])
                except ValueError:
                    hits = []
                for h in hits[:2]:
                    q = urllib.parse.parse_qs(path.split("?", 1)[1]).get("q", [""])[0]
                    d = fetch(base, "/doc/%s?%s" % (h["id"], qs({"q": q})))
                    d["set"] = label
                    out.write(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n")
        print(f"answers: {label}: {n} requests", file=sys.stderr)
    finally:
        eval_all.stop(p)


def index(args, corpus, db):
    # one indexing thread: the document ids, and with them the order of equal scores and the
    # matches an estimated facet count examines, are then the same in every run
    env = dict(os.environ, SOK_INDEX_THREADS="1")
    subprocess.run([os.path.join(args.build, "sok-index"), "--quiet", "--db", db, corpus], check=True,
                   stdout=subprocess.DEVNULL, env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--syn-docs", type=int, default=10000)
    ap.add_argument("--skip", default="")
    args = ap.parse_args()
    skip = set(args.skip.split(",")) - {""}
    work = tempfile.mkdtemp(prefix="sok-answers-")
    try:
        with open(args.out, "w", encoding="utf-8") as out:
            db = os.path.join(work, "seed")
            index(args, os.path.join(ROOT, "corpus"), db)
            reqs = seed_requests(args.shared)
            run_set(args, "seed", db, reqs, [], out)
            run_set(args, "seed-plain", db, reqs, ["--plain"], out)
            if "syn" not in skip:
                corp = bench.Corpora(os.path.join(ROOT, "build", "bench", "corpus"),
                                     os.path.abspath(os.path.join(args.shared, "bench")))
                syn = corp.syn(args.syn_docs)
                db = os.path.join(work, "syn")
                index(args, syn, db)
                mix = bench.make_mix(corp.vocab(), syn)
                reqs = ["/api/search?" + bench.sok_qs(q) for q in mix]
                run_set(args, "syn", db, reqs, [], out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
