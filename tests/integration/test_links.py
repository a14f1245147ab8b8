#!/usr/bin/env python3
"""Symbolic links in the corpus: the indexer follows none out of the given
PATHs (a "passwd.txt -> /etc/passwd" would publish the password file), nor
any to a folder; a dangling link and a link loop are named too, and every
link not followed is counted in skipped=.  A link to a file inside the
PATHs is indexed as any file is.  --follow-links lifts the rule.

Runs the real build/sok-index and build/sok-server on 127.0.0.1."""
import os, shutil, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, summary, tempdir, copy_corpus
from sokutil import Server, q

tmp = tempdir()
srv = None
try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    os.makedirs(os.path.join(corpus, "sub"))
    secret = os.path.join(tmp, "hemligt.txt")
    with open(secret, "w") as f:
        f.write("Hemligt\n\nLösenordet till servern är zyxwvu.\n")
    os.symlink(secret, os.path.join(corpus, "ut.txt"))                 # out of the corpus
    os.symlink("/etc/passwd", os.path.join(corpus, "passwd.txt"))     # out, absolute
    os.symlink("../000_ad137860c49b8856.txt", os.path.join(corpus, "sub", "inne.txt"))  # inside
    os.symlink("saknas.txt", os.path.join(corpus, "dinglar.txt"))      # dangling
    os.symlink("b.md", os.path.join(corpus, "a.md"))                   # a loop
    os.symlink("a.md", os.path.join(corpus, "b.md"))
    os.symlink("..", os.path.join(corpus, "sub", "upp"))               # back up: a loop
    ext = os.path.join(tmp, "ext")
    os.makedirs(ext)
    with open(os.path.join(ext, "extern.txt"), "w") as f:
        f.write("Extern\n\nEn mapp utanför, med ordet qwertzuiop.\n")
    os.symlink(ext, os.path.join(corpus, "extern"))                    # a folder outside

    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus)
    s = summary(out)
    check(rc == 0, "sok-index runs over a corpus with links", err)
    check(s.get("skipped") == 7, "seven links not followed, counted: skipped=%s" % s.get("skipped"), out)
    for name, why in (("ut.txt", "out of the indexed folders"), ("passwd.txt", "out of the indexed folders"),
                      ("dinglar.txt", "dangling"), ("a.md", "loop"), ("b.md", "loop"),
                      ("sub/upp", "loop"), ("extern", "folder")):
        check(any(name in l and why in l for l in err.splitlines()),
              "stderr names %s (%s)" % (name, why), err)
    check(s.get("docs") == 6 and s.get("failed") == 0,
          "the five seed files and the link inside the corpus are indexed", out)

    srv = Server(db)
    st, _, r = srv.json("/api/search?q=" + q("zyxwvu"))
    check(st == 200 and r["total"] == 0, "nothing from the file behind a link out of the corpus", r)
    st, _, r = srv.json("/api/search?q=" + q("root"))
    check(st == 200 and not any("passwd" in h["source"] for h in r["hits"]),
          "nothing from /etc/passwd", [h["source"] for h in r["hits"]])
    st, _, r = srv.json("/api/search?q=" + q("Skolfam") + "&per_page=100")
    check(st == 200 and any(h["source"].endswith("sub/inne.txt") for h in r["hits"]) or
          any(h.get("collapsed") for h in r["hits"]),
          "the link inside the corpus is searched (as a twin of its target)", r and r.get("total"))
    srv.stop()
    srv = None

    # --follow-links: links out of the PATHs are followed (folders too, bounded).
    db2 = os.path.join(tmp, "db2")
    rc, out, err = run_index(db2, corpus, args=("--follow-links",))
    s = summary(out)
    check(rc == 0 and s.get("skipped") == 4 and s.get("docs") == 9,
          "--follow-links: only the dangling link and the loops are skipped", out + err)
    srv = Server(db2)
    st, _, r = srv.json("/api/search?q=" + q("zyxwvu"))
    check(st == 200 and r["total"] >= 1, "--follow-links: the linked file is indexed", r)
    st, _, r = srv.json("/api/search?q=" + q("qwertzuiop"))
    check(st == 200 and r["total"] >= 1, "--follow-links: the linked folder is walked", r)
finally:
    if srv:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
