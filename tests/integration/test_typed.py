#!/usr/bin/env python3
"""The search box never says no: queries as residents type them (a quote
never closed, a pasted title with a dash, an operator at an edge, a lone
'*', a short prefix, brackets that do not pair up) are each answered 200
with the section they meant first, on the API and on the page, with a
notice saying how they were read; bad parameters are still 400.

Runs the real build/sok-index on a copy of corpus/ and the real
build/sok-server on 127.0.0.1 port 0."""
import html.parser, os, shutil, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir, copy_corpus
from sokutil import Server, q

# (query, the title of the section expected first (a prefix, case folded), notice codes)
TYPED = [
    ('"fritidsbanken', "fritidsbank", ["unclosed_quote"]),
    ('fritidsbanken"', "fritidsbank", ["unclosed_quote"]),
    ('"Bättre hälsa för unga', "tema: hälsa – bättre hälsa", ["unclosed_quote"]),
    ("Bättre hälsa - för unga romer", "tema: hälsa – bättre hälsa", ["operator_ignored"]),
    ("Skolfam - fyller tio år", "skolfam fyller tio år", ["operator_ignored"]),
    ("eftermiddagsskola -", "eftermiddagsskola", ["operator_ignored"]),
    ("- eftermiddagsskola", "eftermiddagsskola", ["operator_ignored"]),
    ("OR stödgrupper", "vårens stödgrupper", ["operator_ignored"]),
    ("stödgrupper OR", "vårens stödgrupper", ["operator_ignored"]),
    ("stödgrupper OR OR barn", "vårens stödgrupper", ["operator_ignored"]),
    ("AND stödgrupper", "vårens stödgrupper", ["operator_ignored"]),
    ("fr* skolfam", "skolfam fyller tio år", ["short_prefix"]),
    ("(stödgrupper", "vårens stödgrupper", ["unbalanced_brackets"]),
    ("stödgrupper)", "vårens stödgrupper", ["unbalanced_brackets"]),
    ("-skolfam", "skolfam fyller tio år", ["only_excluded"]),
    ("+Skolfam", "skolfam fyller tio år", []),
]


class Page(html.parser.HTMLParser):
    """What a reader sees of a results page: the hits' headings, the error
    line if any, the notice line."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hits, self.error, self.notice = [], [], []
        self._in = None

    def handle_starttag(self, tag, a):
        cls = dict(a).get("class", "")
        if tag == "li":
            self._hit = cls == "hit"
        if tag == "h3" and getattr(self, "_hit", False):
            self._in = self.hits
            self.hits.append("")
        elif tag == "p" and cls in ("error", "notice"):
            self._in = self.error if cls == "error" else self.notice
            self._in.append("")

    def handle_endtag(self, tag):
        if tag in ("h3", "p"):
            self._in = None

    def handle_data(self, d):
        if self._in is not None:
            self._in[-1] += d


def page(srv, path):
    st, h, body = srv.request(path)
    p = Page()
    p.feed(body.decode("utf-8", "replace"))
    return st, p


tmp = tempdir()
srv = None
try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus)
    check(rc == 0, "sok-index builds the test index", err)
    srv = Server(db)

    for text, want, notices in TYPED:
        st, _, r = srv.json("/api/search?q=" + q(text))
        first = (r or {}).get("hits", [{}])[0].get("title", "") if r and r.get("hits") else ""
        got = [n["code"] for n in (r or {}).get("notices", [])]
        check(st == 200 and first.casefold().startswith(want) and got == notices and
              all(n.get("message") for n in r["notices"]),
              "API %r: 200, %r first, notices %s" % (text, want, notices), (st, first, got))
        st, p = page(srv, "/?q=" + q(text))
        check(st == 200 and not p.error and p.hits and p.hits[0].casefold().startswith(want) and
              bool(p.notice) == bool(notices),
              "page %r: 200, no error, %r first, %s" % (text, want, "a notice" if notices else "no notice"),
              (st, p.error, p.hits[:1], p.notice))

    # Nothing to search for: the newest sections, filters and facets as a browse page.
    for text in ("*", "", "()", '""'):
        st, _, r = srv.json("/api/search?q=" + q(text) + "&per_page=100")
        dates = [h["date"] for h in (r or {}).get("hits", []) if h.get("date")]
        check(st == 200 and r["total"] > 0 and "browse" in [n["code"] for n in r["notices"]] and
              dates == sorted(dates, reverse=True) and r["facets"]["type"],
              "API %r: a browse of the newest sections with facets" % text,
              (st, r and r.get("total"), r and r.get("notices")))
    st, _, r = srv.json("/api/search?q=*&type=news")
    check(st == 200 and r["total"] > 0 and all(h["type"] == "news" for h in r["hits"]),
          "a browse keeps the type filter", (st, r and r.get("total")))
    st, p = page(srv, "/?q=" + q("*"))
    check(st == 200 and not p.error and len(p.hits) == 10 and p.notice,
          "the page of '*': ten newest sections and a notice line", (st, p.error, p.notice))
    st, p = page(srv, "/?q=")
    check(st == 200 and not p.error and not p.hits, "an empty box on the page is the form")

    # A filter that emptied the list: one click takes it off.
    st, h, body = srv.request("/?q=fritidsbanken&type=news")
    b = body.decode()
    check(st == 200 and "Ta bort filtret på typ" in b and 'href="/?q=fritidsbanken"' in b,
          "zero hits under a type filter: a link without it", b[-800:])

    # What still is a 400: bad parameters, invalid UTF-8, an over-long q.
    for path, param in (("/api/search?q=x&page=0", "page"), ("/api/search?q=x&per_page=101", "per_page"),
                        ("/api/search?q=x&type=blog", "type"), ("/api/search?q=x&from=2017-13-01", "from"),
                        ("/api/search?q=%FF", "q"), ("/api/search?q=" + "a" * 513, "q"),
                        ("/api/search", "q")):
        st, _, r = srv.json(path)
        check(st == 400 and r and r["error"]["parameter"] == param, "%s is still a 400" % path[:40],
              (st, r))
    check(srv.alive(), "the server is up after all of them")
finally:
    if srv:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
