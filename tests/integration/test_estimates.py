#!/usr/bin/env python3
"""The total and the facets a search reports, on an index larger than
SOK_FACET_CHECK (server/search.h): exact where the matches are fewer, and
close where they are more.

Xapian's own estimate takes a query's terms for independent, and sok's
queries OR a word with its stem and its compound parts, which match nearly
the same sections: on syn100k "antal" (20,031 sections) was reported as
40,000 and the phrase "innehåll använder" (329) as 10,000.  With a collapse
key Xapian also leaves its bounds apart after examining every match, so a
phrase with a few dozen hits got the estimate too.

Indexes 5,000 short minutes with the real build/sok-index (a tenth each
year, 2015 to 2024, in file order so every stretch of docids holds all
years; the word searched for in the even ones, of five years) and asks the real build/sok-server on 127.0.0.1."""
import os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir
from sokutil import Server, q

N = 5000
FILLER = ("cyklar parkering biblioteket simhallen förskolan gatubelysning snöröjning bygglov "
          "äldreboende fritidsgården skolskjuts vattenledning cykelbana lekplats torget hamnen "
          "busslinjen trafiken återvinning matsalen idrottshallen konstgräs badplatsen parken "
          "stadsdelen hyresgäster bostäder detaljplan remiss yttrande medborgarförslag motion "
          "ungdomar pensionärer familjer föreningar kulturhuset teatern museet arkivet skogen "
          "sjön bron vägen järnvägen stationen taxan avgiften tillsynen miljön klimatet energin").split()


def text(i):
    """Minutes i: year 2015 + i % 10, and a dozen words of its own (texts
    alike but for their numbers would be twins, one hit)."""
    rnd = random.Random(i)
    w = rnd.sample(FILLER, 14)
    year = 2015 + i % 10
    parts = ["Protokoll %d" % i, "",
             "Möte den 3 mars %d." % year, "",
             "Nämnden talade om %s." % " och ".join(w[:6]),
             "Vidare diskuterades %s." % ", ".join(w[6:12])]
    if i % 2 == 0:      # 2,500 sections: the word, and its stem's forms in half of them
        parts.append("Budget för %s behandlades%s." % (w[12], " och budgeten godkändes" if i % 4 == 0 else ""))
    if i % 2 == 1:      # the phrase's words apart in the other 2,500
        parts.append("Ett anslag till %s och en extra insats för %s." % (w[13], w[0]))
    if i % 125 == 0:    # the phrase itself in 40
        parts.append("Nämnden beviljade extra anslag till %s." % w[1])
    return "\n".join(parts) + "\n"


def search(srv, query):
    st, _, r = srv.json("/api/search?q=" + q(query))
    return r if st == 200 else {"total": None, "facets": {}, "facets_exact": None, "status": st}


tmp = tempdir()
srv = None
try:
    corpus, db = os.path.join(tmp, "corpus"), os.path.join(tmp, "db")
    os.makedirs(corpus)
    for i in range(N):
        with open(os.path.join(corpus, "p%05d.txt" % i), "w", encoding="utf-8") as f:
            f.write(text(i))
    rc, out, err = run_index(db, corpus, args=("--full",))
    check(rc == 0 and "failed=0" in out, "sok-index indexes the 5,000 minutes", out + err)
    srv = Server(db, "--cache-mb", "0")

    r = search(srv, '"extra anslag"')
    check(r["total"] == 40 and r["facets_exact"] is True,
          "a phrase in 40 of 5,000 sections, its words apart in 2,500 more: total 40, exact",
          (r["total"], r["facets_exact"]))
    check(sum(r["facets"].get("year", {}).values()) == 40,
          "its year facet counts the 40", r["facets"])

    r = search(srv, "budget")
    tot = r["total"] or 0
    # The sample is a docid prefix; a parallel --full build lays files out by
    # part (parts sized by postings, and the word lengthens its sections), so
    # under load the prefix can hold more of them: 2,700 was seen in CI.
    # Xapian's own estimate said 4,000.
    check(abs(tot - 2500) <= 300 and r["facets_exact"] is False,
          "a word and its stem in 2,500 sections: the estimate within 12% of 2,500, "
          "and said to be one", (tot, r["facets_exact"]))
    years = r["facets"].get("year", {})
    check(len(years) == 5 and all(abs(c - 500) <= 75 for c in years.values()),
          "its year facet: the five years of even sections, near 500 each (within 15%)", years)
    check(abs(sum(years.values()) - tot) <= 10,
          "the year facet adds up to the total", (sum(years.values()), tot))

    r = search(srv, "budget protokoll")
    check(abs((r["total"] or 0) - 2500) <= 300,
          "two words, every section has one: within 12% of 2,500", r["total"])
finally:
    if srv:
        srv.stop()
done()
