#!/usr/bin/env python3
"""Facet counts come from per-docid columns the shim reads once per index
revision (common/sok_xapian.cc, column()): after sok-index --full writes a
new generation, and after an incremental run changes a section, the
server's facets are the new index's, never the columns of the one before.

Runs the real build/sok-index and build/sok-server on 127.0.0.1 port 0."""
import os, shutil, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir
from sokutil import Server

WORDS = ["cyklar", "parkering", "biblioteket", "simhallen", "förskolan"]


def write(corpus, year, n):
    shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus)
    for i in range(n):
        with open(os.path.join(corpus, "doc%d.txt" % i), "w", encoding="utf-8") as f:
            f.write("Protokoll %d\n\nMöte den 3 mars %d. Vi talade om cyklar och %s, "
                    "punkt %d på listan.\n" % (i, year, WORDS[i], i))


def years(srv):
    st, _, r = srv.json("/api/search?q=cyklar")
    return (r or {}).get("facets", {}).get("year") if st == 200 else st


tmp = tempdir()
srv = None
try:
    corpus, db = os.path.join(tmp, "corpus"), os.path.join(tmp, "db")
    write(corpus, 2017, 3)
    rc, out, err = run_index(db, corpus, args=("--full",))
    check(rc == 0, "sok-index --full builds the first generation", err)
    srv = Server(db)
    check(years(srv) == {"2017": 3}, "year facet of the first generation", years(srv))

    write(corpus, 2019, 2)
    rc, out, err = run_index(db, corpus, args=("--full",))
    check(rc == 0, "sok-index --full writes a second generation", err)
    got = None
    for _ in range(50):                  # the server follows the swap
        got = years(srv)
        if got != {"2017": 3}:
            break
        time.sleep(0.1)
    check(got == {"2019": 2}, "after the swap: the new generation's years only", got)

    with open(os.path.join(corpus, "doc1.txt"), "w", encoding="utf-8") as f:
        f.write("Protokoll 1\n\nMöte den 3 mars 2021. Vi talade om cyklar och parkering.\n")
    rc, out, err = run_index(db, corpus)
    check(rc == 0 and "updated=1" in out, "an incremental run updates one file", (out, err))
    for _ in range(50):
        got = years(srv)
        if got != {"2019": 2}:
            break
        time.sleep(0.1)
    check(got == {"2019": 1, "2021": 1}, "after the update: the changed year counted", got)
finally:
    if srv:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
