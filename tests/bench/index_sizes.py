#!/usr/bin/python3
"""Where a sok index's bytes go: the Xapian tables on disk, and per term
prefix its terms, postings (entries and wdf-sum) and positions, per value
slot its entries and bytes, and the document data.  Raw counts are what
Xapian's tables hold before their own compression; the table sizes on disk
are the real bytes.  It walks every term; positions are counted
on every N-th term (--sample, 50) and scaled up.

    /usr/bin/python3 tests/bench/index_sizes.py INDEX_DIR [--sample N] [--json OUT]
"""
import json, os, re, sys
import xapian

PREFIX = re.compile(r"^([A-Z]*)")


def tables(d):
    stub = os.path.join(d, "XAPIANDB")
    if os.path.isfile(stub):
        gen = open(stub).read().split()[-1]
        d = os.path.join(d, gen)
    out = {}
    for f in sorted(os.listdir(d)):
        out[f] = os.path.getsize(os.path.join(d, f))
    return d, out


def main():
    a = sys.argv[1:]
    sample = int(a[a.index("--sample") + 1]) if "--sample" in a else 50
    jout = a[a.index("--json") + 1] if "--json" in a else None
    d, tb = tables(a[0])
    db = xapian.Database(d)
    res = {"dir": d, "docs": db.get_doccount(), "tables": tb, "prefixes": {}, "slots": {}}
    P = res["prefixes"]
    n = 0
    for t in db.allterms():
        term = t.term.decode("utf-8", "replace")
        p = PREFIX.match(term).group(1) or "(none)"
        x = P.setdefault(p, {"terms": 0, "term_bytes": 0, "postings": 0, "wdf": 0, "positions": 0})
        x["terms"] += 1
        x["term_bytes"] += len(t.term)
        x["postings"] += t.termfreq
        x["wdf"] += db.get_collection_freq(t.term)
        n += 1
        if n % sample == 0:     # positions: every sample-th term, scaled up
            x["positions"] += sample * sum(sum(1 for _ in db.positionlist(pi.docid, t.term))
                                           for pi in db.postlist(t.term))
    S = res["slots"]
    docdata = 0
    for i, doc in enumerate(db.postlist("")):
        dd = db.get_document(doc.docid)
        docdata += len(dd.get_data())
        for v in dd.values():
            x = S.setdefault(v.num, {"entries": 0, "bytes": 0})
            x["entries"] += 1
            x["bytes"] += len(v.value)
    res["doc_data_bytes"] = docdata
    print(f"{d}: {res['docs']:,} documents")
    print("tables on disk: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in tb.items() if v > 0))
    print(f"document data (uncompressed, in docdata.glass): {docdata / 1e6:.1f} MB")
    print("prefix | terms | term bytes | postings | wdf sum | positions (sampled)")
    for p, x in sorted(P.items(), key=lambda kv: -kv[1]["postings"]):
        print(f"{p} | {x['terms']:,} | {x['term_bytes']:,} | {x['postings']:,} | {x['wdf']:,} | {x['positions']:,}")
    print("slot | entries | bytes")
    for s, x in sorted(S.items()):
        print(f"{s} | {x['entries']:,} | {x['bytes']:,}")
    if jout:
        with open(jout, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
