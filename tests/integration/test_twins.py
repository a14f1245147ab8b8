#!/usr/bin/python3
"""One hit per passage, facets a filter UI can use, highlighted titles.

Indexes a copy of corpus/ plus minutes published twice, as a web page and as
a PDF print of it (written here, cut into pages at other places than the
page's headings), with the real build/sok-index, and asks the real
build/sok-server on 127.0.0.1:
  - a passage found in both files is one hit: the web page, with the PDF in
    "also" and a "Finns även som PDF" link on the HTML page; total and
    facets count it once; the seed pair 001_/002_ stays one hit;
  - with type=news the type facet still counts the other types, as the
    search without that filter does; the year facet counts within it;
  - title_html is the title escaped as a snippet is, the query's words in
    <mark>, and the page's heading uses it."""
import collections, html, os, re, shutil, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir, copy_corpus
from sokutil import Server, q

TITLE = "Socialnämndens protokoll 12 mars 2024"
SECTIONS = [
    ("Närvarande och justering",
     "Ordförande Maria Lindqvist öppnade sammanträdet och hälsade ledamöterna "
     "välkomna. Till att justera protokollet utsågs Anders Berg. Justeringen "
     "äger rum på socialförvaltningens kansli tisdagen den 19 mars klockan "
     "nio. Nämnden godkände dagordningen utan ändringar och konstaterade att "
     "kallelsen hade skickats ut i rätt tid enligt arbetsordningen."),
    ("Budget & <uppföljning>",
     "Ekonomichefen redovisade utfallet för januari och februari. Kostnaderna "
     "för placeringar av barn och unga ligger högre än budgeterat, främst på "
     "grund av fler konsulentstödda familjehem. Försörjningsstödet minskar "
     "något jämfört med samma period förra året. Nämnden beslutade att "
     "uppdra åt förvaltningen att ta fram en åtgärdsplan till aprilmötet "
     "med förslag på hur underskottet kan hämtas hem under hösten."),
    ("Trygghetsvandringar i Norra Fäladen",
     "Områdessamordnaren berättade om höstens trygghetsvandringar där boende, "
     "fastighetsägare och polisen gick tillsammans genom stadsdelen. Många "
     "pekade på dålig belysning vid gångtunnlarna och på buskage som skymmer "
     "sikten vid busshållplatserna. Synpunkterna har lämnats till "
     "tekniska förvaltningen som lovat att byta armaturer före vintern. "
     "Nämnden tackade för redovisningen och lade den till handlingarna."),
    ("Övriga frågor",
     "Ledamoten Sara Holm frågade hur väntetiderna till budget- och "
     "skuldrådgivningen har utvecklats. Förvaltningen återkommer med en "
     "skriftlig redovisning. Mötet avslutades klockan halv fem och nästa "
     "sammanträde hålls den sextonde april i stadshusets stora sal."),
]
PASSAGE = '"trygghetsvandringar där boende fastighetsägare och polisen"'


def page_html():
    body = "".join("<h2>%s</h2>\n<p>%s</p>\n" % (html.escape(h), html.escape(t))
                   for h, t in SECTIONS)
    return ("<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
            "<title>%s</title></head><body><h1>%s</h1>\n%s</body></html>\n"
            % (TITLE, TITLE, body))


def pdf_escape(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(lines_per_page=14):
    """The page printed: the same words, wrapped at 70 characters, headings
    as lines of their own, cut into pages every lines_per_page lines (so a
    page ends inside a section), in Helvetica with WinAnsi encoding."""
    lines = [TITLE, ""]
    for h, t in SECTIONS:
        lines += ["", h]
        cur = ""
        for w in t.split():
            if len(cur) + len(w) + 1 > 70:
                lines.append(cur)
                cur = w
            else:
                cur = (cur + " " + w).strip()
        lines.append(cur)
    pages = [lines[i:i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>"}
    kids = []
    for k, page in enumerate(pages):
        pid, cid = 4 + 2 * k, 5 + 2 * k
        kids.append(b"%d 0 R" % pid)
        ops = ["BT /F1 11 Tf 14 TL 60 780 Td"]
        for ln in page:
            ops.append("(%s) Tj T*" % pdf_escape(ln))
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252")
        objs[cid] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objs[pid] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                     b"/Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>" % cid)
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(pages))
    out, off = bytearray(b"%PDF-1.4\n"), {}
    for n in sorted(objs):
        off[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objs[n])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for n in sorted(objs):
        out += b"%010d 00000 n \n" % off[n]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, xref)
    return bytes(out)


def plain(s):
    return " ".join(html.unescape(re.sub(r"</?mark>", "", s or "")).split())


tmp = tempdir()
srv = None
try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    twins = os.path.join(corpus, "snd")
    os.makedirs(twins)
    with open(os.path.join(twins, ".sok-type"), "w") as f:
        f.write("minutes\n")
    with open(os.path.join(twins, "protokoll-2024-03-12.html"), "w", encoding="utf-8") as f:
        f.write(page_html())
    with open(os.path.join(twins, "protokoll-2024-03-12.pdf"), "wb") as f:
        f.write(make_pdf())
    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus)
    check(rc == 0 and "failed=0" in out, "sok-index reads the page and its PDF print", out + err)
    srv = Server(db, "--cache-mb", "0")

    # ------------------------------------------------ one hit per passage
    st, _, r = srv.json("/api/search?q=" + q(PASSAGE))
    hits = r["hits"] if st == 200 else []
    srcs = [os.path.basename(h["source"]) for h in hits]
    check(st == 200 and len(hits) == 1 and r["total"] == 1,
          "a passage in the page and its PDF print: one hit, total 1", (r and r["total"], srcs))
    h0 = hits[0] if hits else {}
    check(srcs[:1] == ["protokoll-2024-03-12.html"],
          "the web page is the hit, not the PDF", srcs)
    also = h0.get("also", [])
    check(len(also) == 1 and also[0]["source"].endswith("protokoll-2024-03-12.pdf")
          and set(also[0]) == {"url", "source", "id"} and
          also[0]["url"] == "/doc/" + also[0]["id"],
          "the PDF copy is named beside it in \"also\"", also)
    check(h0.get("collapsed", 0) >= len(also), "collapsed still counts the copies", h0)
    check(r["facets"] == {"type": {"minutes": 1}, "year": {"2024": 1}} and
          r["facets_exact"] is True,
          "facets count the passage once", r and r["facets"])
    st, _, body = srv.request("/?q=" + q(PASSAGE))
    page = body.decode("utf-8", "replace")
    pdf_link = '<a href="/doc/%s?q=%s">Finns även som PDF</a>' % (
        also[0]["id"] if also else "", q(PASSAGE))
    check(st == 200 and pdf_link in page and page.count("Finns även") == 1,
          "the page shows \"Finns även som PDF\" as a link to the PDF copy",
          re.findall(r'<p class="also">.*?</p>', page) or page[-2000:])

    # A word of each section (the PDF holds some inside a longer section,
    # some under the same duplicate key): one hit from the two files, the
    # web page, the PDF beside it, and no passage twice in the top 10.
    words = ["justera", "familjehem", "underskottet", "Fäladen", "armaturer",
             "busshållplatserna", "skuldrådgivningen", "stadshusets"]
    dups = []
    for w in words:
        st, _, r = srv.json("/api/search?q=" + q(w))
        hs = r["hits"] if st == 200 else []
        seen = [plain(h["snippet"]) for h in hs[:10]]
        seen = [s for s in seen if len(s) > 40]
        ours = [h for h in hs if "/snd/" in h["source"]]
        if (len(seen) != len(set(seen)) or len(ours) != 1 or
                not ours[0]["source"].endswith(".html") or
                [a["source"][-4:] for a in ours[0]["also"]] != [".pdf"]):
            dups.append((w, st, [(os.path.basename(h["source"]), len(h["also"]))
                                 for h in hs]))
        elif not all("also" in h and "title_html" in h for h in hs):
            dups.append((w, "keys", hs[:1]))
    check(not dups, "each section's words: one hit, the page, the PDF in \"also\"", dups)

    st, _, r = srv.json("/api/search?q=Fritidsbanken")
    srcs = [os.path.basename(h["source"])[:3] for h in r["hits"]]
    also = [os.path.basename(a["source"])[:3] for a in r["hits"][0]["also"]] if r["hits"] else []
    check(srcs[:1] in (["001"], ["002"]) and "002" not in srcs[1:] and
          sorted(srcs[:1] + also) == ["001", "002"],
          "the seed pair 001_/002_ is one hit, the other named in \"also\"", (srcs, also))
    check(all(isinstance(h["also"], list) for h in r["hits"]), "\"also\" is always a list")
    st, _, r = srv.json("/api/search?q=" + q("Skolfam"))
    check(st == 200 and r["hits"] and any(h["also"] == [] for h in r["hits"]),
          "a hit without another copy: \"also\": []", r and [h["also"] for h in r["hits"]])

    # ------------------------------------------------ disjunctive facets
    # (a word of the seed minutes and news only: hits folded by content
    # among the top of a list are counted once in its facets, which the
    # second count of the types not chosen cannot know)
    st, _, ra = srv.json("/api/search?q=" + q("romer") + "&per_page=100")
    st2, _, rn = srv.json("/api/search?q=" + q("romer") + "&type=news&per_page=100")
    fa, fn = ra["facets"], rn["facets"]
    check(st == 200 and st2 == 200 and fa["type"].get("minutes", 0) > 0 and
          fn["type"].get("minutes") == fa["type"]["minutes"],
          "type=news: the type facet still counts the minutes as without the filter",
          (fa, fn))
    check(all(h["type"] == "news" for h in rn["hits"]) and
          fn["type"].get("news") == rn["total"] > 0,
          "type=news: the hits and the chosen type's count are the news", (rn["total"], fn))
    years = collections.Counter(h["date"][:4] for h in rn["hits"] if h["date"])
    check(fn["year"] == dict(years), "type=news: the year facet counts within the filter",
          (fn["year"], years))
    st, _, rm = srv.json("/api/search?q=" + q("romer") + "&type=minutes&per_page=100")
    years = collections.Counter(h["date"][:4] for h in rm["hits"] if h["date"])
    check(st == 200 and rm["facets"]["year"] == dict(years) and
          rm["facets"]["type"].get("news") == fa["type"].get("news") and
          rm["facets"]["type"]["minutes"] == rm["total"],
          "type=minutes: year within it, news counted beside", rm["facets"])
    st, _, ry = srv.json("/api/search?q=" + q("romer") + "&type=minutes&from=2017-01-01"
                         "&to=2017-12-31&per_page=100")
    check(st == 200 and set(ry["facets"]["year"]) <= {"2017"} and
          ry["facets"]["type"]["minutes"] == ry["total"],
          "type and dates: the year facet within both", ry["facets"])
    st, _, body = srv.request("/?q=" + q("romer") + "&type=news")
    page = body.decode("utf-8", "replace")
    check(st == 200 and re.search(r'type=minutes">Protokoll/minnesanteckningar '
                                  r'<span class="count">\(%d\)</span>'
                                  % fa["type"]["minutes"], page),
          "the page offers the minutes with their count beside the chosen news",
          re.findall(r"<li><a[^>]*>[^<]*<span class=\"count\">[^<]*</span>", page))

    # ------------------------------------------------ highlighted titles
    st, _, r = srv.json("/api/search?q=" + q("uppföljning budget"))
    t = [h for h in r["hits"] if h["title"] == "Budget & <uppföljning>"]
    check(t and t[0]["title_html"] ==
          "<mark>Budget</mark> &amp; &lt;<mark>uppföljning</mark>&gt;",
          "title_html: escaped, the query's words marked", t[:1])
    bad = [h for h in r["hits"] if plain(h["title_html"]) != " ".join(h["title"].split())
           or re.sub(r"</?mark>", "", h["title_html"]).find("<") >= 0]
    check(not bad, "title_html is the title, <mark> its only markup", bad[:2])
    st, _, body = srv.request("/?q=" + q("uppföljning budget"))
    page = body.decode("utf-8", "replace")
    check("\"><mark>Budget</mark> &amp; &lt;<mark>uppföljning</mark>&gt;</a></h3>" in page,
          "the page's heading is the highlighted title", re.findall(r"<h3>.*?</h3>", page)[:3])

    check(srv.stop() == 0, "server stops cleanly")
    srv = None
finally:
    if srv is not None:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
