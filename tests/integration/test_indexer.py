#!/usr/bin/python3
"""Integration tests of sok-index's nightly behaviour on a temporary copy of
corpus/: first run, unchanged run, changed/removed/added files, a bad file,
--full, --json, the run lock, usage and index errors, and xapian-check."""
import fcntl, json, os, shutil, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from harness import *
import xapian

tmp = tempdir()
try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    db = os.path.join(tmp, "db")

    rc, out, err = run_index(db, corpus)
    s = summary(out)
    check(rc == 0, "first run exits 0", err)
    check(s.get("added") == 5 and s.get("docs") == 5, "first run adds 5 docs", out)
    check(s.get("sections", 0) >= 30, "first run gives >= 30 sections", out)
    sections0 = s.get("sections")
    check(os.path.isfile(os.path.join(db, "XAPIANDB")), "index has a stub file")

    r = subprocess.run(["xapian-check", current_gen(db)], capture_output=True, text=True)
    check(r.returncode == 0, "xapian-check passes after first run", r.stdout + r.stderr)

    d = xapian.Database(db)
    check(d.get_doccount() == sections0, "stub opens the database with every section")
    check(d.get_termfreq("fritidsbanken") > 0 and d.get_termfreq("Zfritidsbank") > 0,
          "exact and stemmed terms indexed")
    sugg = d.get_spelling_suggestion("fritidsbankn")
    sugg = sugg.decode() if isinstance(sugg, bytes) else sugg
    check(sugg in ("fritidsbanken", "fritidsbank"), "spelling dictionary fed from the corpus", sugg)

    rc, out, err = run_index(db, corpus)
    s = summary(out)
    check(rc == 0 and (s["added"], s["updated"], s["deleted"], s["unchanged"]) == (0, 0, 0, 5),
          "second run: added=0 updated=0 deleted=0 unchanged=5", out)

    # A changed file: its sections are replaced, including ones that vanish.
    f4 = os.path.join(corpus, "004_6ca101327afddc16.txt")
    text = open(f4, encoding="utf-8").read()
    text = text.replace("I, Daniel Blake", "Filmvisning").replace("Yoga", "Zumbaklass")
    open(f4, "w", encoding="utf-8").write(text)
    rc, out, err = run_index(db, corpus)
    s = summary(out)
    check(rc == 0 and s["updated"] == 1 and s["unchanged"] == 4 and s["added"] == 0,
          "one changed file: updated=1", out)
    d = xapian.Database(db)
    check(d.get_termfreq("zumbaklass") > 0, "changed text is searchable")
    check(d.get_termfreq("yoga") == 0, "old text of the changed file is gone")

    # A removed file.
    os.remove(os.path.join(corpus, "002_288d83a5f98fd846.txt"))
    rc, out, err = run_index(db, corpus)
    s = summary(out)
    check(rc == 0 and s["deleted"] == 1 and s["docs"] == 4, "one removed file: deleted=1", out)
    d = xapian.Database(db)
    check(s["sections"] == d.get_doccount() and s["sections"] < sections0,
          "sections of the removed file deleted", out)

    # An added file, given as a single file path: paths outside are kept.
    extra = os.path.join(tmp, "extra")
    os.makedirs(extra)
    with open(os.path.join(extra, "nytt.md"), "w", encoding="utf-8") as f:
        f.write("# Nyhet om simskola\n\nSimskolan startar den 3 juni 2024 i Helsingborg.\n")
    rc, out, err = run_index(db, os.path.join(extra, "nytt.md"))
    s = summary(out)
    check(rc == 0 and s["added"] == 1 and s["deleted"] == 0 and s["docs"] == 5,
          "indexing one file leaves files under other paths alone", out)

    # --json: the same keys as one object.
    rc, out, err = run_index(db, corpus, args=("--json",))
    try:
        j = json.loads(out.strip().splitlines()[-1])
        keys = {"added", "updated", "deleted", "unchanged", "failed", "docs", "sections", "seconds",
                "skipped"}
        check(rc == 0 and set(j) == keys and j["unchanged"] == 4, "--json summary", out)
    except (ValueError, IndexError) as e:
        check(False, "--json summary", "%s: %r" % (e, out))

    # Bad documents: counted, named, and nothing else lost.
    bad = os.path.join(corpus, "trasig.pdf")
    open(bad, "wb").write(b"%PDF-1.4 this is not really a pdf\n")
    latin = os.path.join(corpus, "latin1.txt")
    open(latin, "wb").write("Räksmörgås på Öresund\n\nGott med räkor.\n".encode("latin-1"))
    rc, out, err = run_index(db, corpus)
    s = summary(out)
    check(rc == 0 and s["failed"] == 1 and "trasig.pdf" in err, "a broken PDF is counted and named",
          out + err)
    check(s["added"] == 1, "a Latin-1 file is repaired and indexed", out)
    d = xapian.Database(db)
    check(d.get_termfreq("räksmörgås") > 0, "repaired text indexed as UTF-8")

    # A file that was fine and now fails keeps its previous sections.
    before = xapian.Database(db).get_doccount()
    good = os.path.join(corpus, "000_ad137860c49b8856.txt")
    saved = open(good, "rb").read()
    os.remove(bad)
    os.chmod(good, 0)
    if os.geteuid() != 0:
        rc, out, err = run_index(db, corpus)
        s = summary(out)
        check(rc == 0 and s["failed"] == 1 and xapian.Database(db).get_doccount() == before,
              "an unreadable file keeps its sections", out + err)
    os.chmod(good, 0o644)

    # The run lock: a second writer exits 2 at once and touches nothing.
    rev = xapian.Database(db).get_revision()
    with open(os.path.join(db, "sok.lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        open(os.path.join(corpus, "ny.txt"), "w").write("Helt ny text om badhus.\n")
        rc, out, err = run_index(db, corpus, timeout=10)
        check(rc == 2, "a concurrent run exits 2", "rc=%d %s" % (rc, err))
        check(xapian.Database(db).get_revision() == rev, "a locked run does not touch the index")
    rc, out, err = run_index(db, corpus)
    check(rc == 0 and summary(out)["added"] == 1, "after the lock is gone the run proceeds", out)

    # --full: a new generation swapped in, same content, old one pruned later.
    g1 = current_gen(db)
    rev_meta = lambda: int(xapian.Database(db).get_metadata("sok:revision") or 0)
    rev1 = rev_meta()
    # --full indexes exactly the PATHs given: compare with a fresh index of them.
    fresh = os.path.join(tmp, "fresh")
    run_index(fresh, corpus)
    n_before = xapian.Database(fresh).get_doccount()
    rc, out, err = run_index(db, corpus, args=("--full",))
    s = summary(out)
    g2 = current_gen(db)
    check(rc == 0 and g2 != g1, "--full builds a new generation", out + err)
    check(xapian.Database(db).get_doccount() == n_before, "--full gives the same sections")
    check(rev_meta() == rev1 + 1, "the revision goes on across --full (%d -> %d), it does not "
          "start again at 1" % (rev1, rev_meta()))
    rc, out, err = run_index(db, corpus, args=("--full",))
    check(rc == 0 and not os.path.exists(g1), "old generations are pruned", str(os.listdir(db)))
    check(rev_meta() == rev1 + 2, "and across the next --full (%d)" % rev_meta())

    # Usage and index errors.
    rc, out, err = run_index(db, os.path.join(tmp, "no-such-dir"))
    check(rc == 1 and "no-such-dir" in err, "a missing PATH is a usage error (1)", err)
    p = subprocess.run([SOK_INDEX, "--bogus", corpus], capture_output=True, text=True)
    check(p.returncode == 1, "an unknown flag is a usage error (1)", p.stderr)
    p = subprocess.run([SOK_INDEX, "--db", db], capture_output=True, text=True)
    check(p.returncode == 1, "no PATH is a usage error (1)", p.stderr)
    notdir = os.path.join(tmp, "file-not-dir")
    open(notdir, "w").write("x")
    rc, out, err = run_index(notdir, corpus)
    check(rc == 3 and out == "", "an index path that is a file: exit 3, no summary", err)
    brokenstub = os.path.join(tmp, "brokenstub")
    os.makedirs(brokenstub)
    open(os.path.join(brokenstub, "XAPIANDB"), "w").write("garbage\n")
    rc, out, err = run_index(brokenstub, corpus)
    check(rc == 3, "a foreign stub: exit 3", err)

    # Progress goes to a terminal only: none in captured stderr.
    rc, out, err = run_index(db, corpus)
    check("\r" not in err, "no progress display when stderr is not a terminal", repr(err[:200]))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
done()
