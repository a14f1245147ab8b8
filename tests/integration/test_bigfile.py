#!/usr/bin/env python3
"""What one file may cost: a big text file without a heading (SOK_BIG_MB,
default 20; make reliability uses 50), a paragraph of a megabyte without a
blank line, a word of 10,000 letters and a title of 100 kB.  Each section
the indexer stores holds at most 64 KiB of text (a long one is cut into
parts "(del N)" in order, prev/next running through them, each its own
id); a query that finds the big file answers quickly, with snippets of
bounded size; /doc/<id> of any part is bounded too; titles are cut.

Runs the real build/sok-index and build/sok-server on 127.0.0.1."""
import json, os, random, re, shutil, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, record, run_index, summary, tempdir
from sokutil import Server, q
import xapian

MB = int(os.environ.get("SOK_BIG_MB", "20"))
SECTION_MAX = 65536
WORDS = ("kommun socialtjänst barn familj stöd boende äldre omsorg beslut nämnd "
         "ansökan insats hemtjänst ekonomi bistånd handläggare utredning placering "
         "skola fritid").split()


def big_text(path, mb, rng):
    """Paragraphs of 80 words, no heading: one section before the cut."""
    extra = ["ord%d" % i for i in range(5000)]
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("Stor fil\n\n")
        while n < mb * 1024 * 1024:
            p = " ".join(rng.choice(WORDS) if rng.random() < 0.7 else rng.choice(extra)
                         for _ in range(80)) + ".\n\n"
            f.write(p)
            n += len(p)


def records(db):
    d = xapian.Database(db)
    return {j["id"]: j for j in (record(d.get_document(p.docid).get_data())
                                 for p in d.postlist(""))}


tmp = tempdir()
srv = None
try:
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(corpus)
    rng = random.Random(15)
    big_text(os.path.join(corpus, "stor.txt"), MB, rng)
    with open(os.path.join(corpus, "rad.txt"), "w", encoding="utf-8") as f:
        f.write("En enda rad\n\n" + " ".join(rng.choice(WORDS) for _ in range(140000)) + "\n")
    with open(os.path.join(corpus, "ord.txt"), "w", encoding="utf-8") as f:
        f.write("Långt ord\n\nHär kommer ett ord: " + "a" * 10000 + " och sedan text om tallkottar.\n")
    with open(os.path.join(corpus, "titel.html"), "w", encoding="utf-8") as f:
        f.write("<html><head><title>%s</title></head><body><h1>%s</h1><p>Granris och "
                "tallbarr.</p></body></html>" % ("Titel " * 20000, "Rubrik " * 20000))
    db = os.path.join(tmp, "db")
    t = time.monotonic()
    rc, out, err = run_index(db, corpus)
    took = time.monotonic() - t
    s = summary(out)
    check(rc == 0 and s.get("failed") == 0, "a %d MB file indexed in %.1f s" % (MB, took), out + err)

    recs = records(db)
    longest = max(len(r["text"].encode()) for r in recs.values())
    check(longest <= SECTION_MAX, "no stored section holds more than 64 KiB of text (longest %d bytes)"
          % longest)
    for name, least in (("stor.txt", MB * 1024 * 1024 // SECTION_MAX), ("rad.txt", 12)):
        parts = sorted((r for r in recs.values() if r["source"].endswith(name)),
                       key=lambda r: r["ordinal"])
        titles = [r["title"] for r in parts]
        base = titles[0] if titles else ""
        check(len(parts) >= least and all(t == "%s (del %d)" % (base, i + 1)
                                          for i, t in enumerate(titles) if i),
              "%s: %d parts, titled \"%s\", \"%s (del 2)\", ..." % (name, len(parts), base, base),
              titles[:4])
        chain = all(parts[i]["next"] == parts[i + 1]["id"] and parts[i + 1]["prev"] == parts[i]["id"]
                    for i in range(len(parts) - 1))
        check(chain and len({r["id"] for r in parts}) == len(parts) and
              [r["ordinal"] for r in parts] == list(range(len(parts))),
              "%s: each part its own id, in order, prev/next linking them" % name)
    titles = [r for r in recs.values() if r["source"].endswith("titel.html")]
    check(titles and all(len(r["title"].encode()) <= 400 and len(r["doc_title"].encode()) <= 400
                         and r["title"].endswith("\u2026") for r in titles),
          "a 120 kB title and heading are cut to 400 bytes, with an ellipsis",
          [(len(r["title"]), len(r["doc_title"])) for r in titles])

    srv = Server(db, "--cache-mb", "0", "--quiet")
    worst = 0
    for query in ("kommun", "barn ekonomi", "ord17", '"familj stöd"'):
        t = time.monotonic()
        st, _, body = srv.request("/api/search?q=" + q(query))
        worst = max(worst, time.monotonic() - t)
        r = json.loads(body)
        check(st == 200 and r["total"] > 0 and len(body) < 64 * 1024,
              "q=%s: %d hits in %d bytes" % (query, r["total"], len(body)))
    check(worst < 1.0, "each of those queries answered within 1 s (slowest %.0f ms)" % (worst * 1000))
    st, _, r = srv.json("/api/search?q=tallkottar")
    snip = r["hits"][0]["snippet"] if st == 200 and r["hits"] else ""
    check(0 < len(snip.encode()) <= 600, "a 10,000-letter word gives a snippet of %d bytes" % len(snip.encode()))
    sizes = []
    for rid in list(recs)[:40]:
        t = time.monotonic()
        st, _, body = srv.request("/doc/" + rid + "?q=kommun")
        sizes.append((len(body), time.monotonic() - t, st))
    check(all(st == 200 and n < 200 * 1024 for n, _, st in sizes),
          "/doc/<id> of 40 sections: at most %d bytes" % max(n for n, _, _ in sizes))
    st, _, page = srv.request("/?q=" + q("kommun"))
    check(st == 200 and len(page) < 128 * 1024, "the search page: %d bytes" % len(page))
finally:
    if srv:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
