#!/usr/bin/env python3
"""PDFs as a reader sees them, through the real build/sok-index and
build/sok-server on 127.0.0.1: PDFs made here (pdfgen.py: a report laid out
with running headers, footers, page numbers, a contents page with dot
leaders and hyphenated line ends, headings by size, weight and numbering;
guidelines with an outline and metadata naming their title and address; and
Chromium's print of an HTML page when chromium is installed) are indexed with
the seed corpus, and the answers show their sections, first pages, "#page="
addresses and titles.  A broken PDF and one whose pdftohtml hangs are named
on stderr and counted in failed."""
import json, os, shutil, subprocess, sys, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SOK_INDEX, check, copy_corpus, done, record, summary, tempdir
from sokutil import Server
import pdfgen

BODY = 10.5
URL = "https://www.example.se/dokument/riktlinjer.pdf"


def furniture(p, n, total, name):
    p.text(72, 36, 8, name)
    p.text(72, 800, 8, "Socialförvaltningen, Exempelstad kommun")
    p.text(500, 800, 8, "Sida %d av %d" % (n, total))


def report():
    """Laid out only (no outline); its metadata title is Word's label."""
    doc = pdfgen.Pdf(info={"Title": "Microsoft Word - vb2024_slutlig.docx"})
    name = "Verksamhetsberättelse 2024"
    p = doc.page(); furniture(p, 1, 4, name)
    p.text(72, 200, 24, name, bold=True)
    p.text(72, 240, 14, "Individ- och familjeomsorgen")
    p = doc.page(); furniture(p, 2, 4, name)
    p.text(72, 90, 16, "Innehåll", bold=True)
    for k, (t, n) in enumerate([("1 Inledning", 3), ("1.1 Bakgrund", 3), ("2 Resultat", 4),
                                ("2.1 Tillförlitligheten i mätningarna", 4)]):
        p.text(72, 130 + 16 * k, BODY, t + " " + "." * (60 - len(t)))
        p.text(480, 130 + 16 * k, BODY, str(n))
    p = doc.page(); furniture(p, 3, 4, name)
    p.text(72, 90, 16, "1 Inledning", bold=True)
    top = p.lines(72, 120, BODY, [
        "Berättelsen beskriver hur individ- och familjeomsorgen har arbetat under året.",
        "Arbetet leds av social-",
        "förvaltningen tillsammans med skolan, och ett nytt IOP-",
        "avtal med föreningen Solrosen ger läxhjälp till barnen varje vecka.",
    ])
    p.text(72, top + 14, 13, "1.1 Bakgrund", bold=True)
    p.lines(72, top + 40, BODY, [
        "Kommunen har länge samverkat med civilsamhället om stöd till familjer med",
        "barn, och samverkan bygger på ömsesidigt förtroende mellan parterna.",
    ])
    p = doc.page(); furniture(p, 4, 4, name)
    p.text(72, 90, 16, "2 Resultat", bold=True)
    top = p.lines(72, 120, BODY, [
        "Fler barn än tidigare har fått hjälp med skolarbetet och frånvaron minskade.",
    ])
    p.text(72, top + 12, BODY, "2.1 Tillförlitligheten i mätningarna")
    p.lines(72, top + 32, BODY, [
        "Mätningarna gjordes med samma enkät som året innan och svarsfrekvensen",
        "var hög bland både vårdnadshavare och elever i årskurs sex.",
    ])
    return doc.bytes()


def guidelines():
    """With an outline, a real title and its own address in the metadata."""
    doc = pdfgen.Pdf(info={"Title": "Riktlinjer för ekonomiskt bistånd", "URL": URL})
    p = doc.page()
    p.text(72, 200, 24, "Riktlinjer", bold=True)
    p.text(72, 240, 14, "Antagna av socialnämnden")
    p = doc.page()
    p.text(72, 90, 16, "1 Ansökan", bold=True)
    p.lines(72, 120, BODY, ["Ansökan om ekonomiskt bistånd görs skriftligen på blankett",
                            "eller digitalt genom stadens e-tjänst för försörjningsstöd."])
    p.text(72, 170, 13, "1.1 Handläggningstid", bold=True)
    p.lines(72, 196, BODY, ["Beslut fattas normalt inom tre veckor från det att ansökan",
                            "är komplett med kontoutdrag och hyresavi."])
    p = doc.page()
    p.text(72, 90, 16, "2 Beslut och överklagande", bold=True)
    p.lines(72, 120, BODY, ["Ett beslut kan överklagas till förvaltningsrätten inom tre",
                            "veckor från den dag den sökande fick del av beslutet."])
    p.lines(72, 200, BODY, ["Blanketten för överklagande finns hos kommunens kontaktcenter",
                            "och kan lämnas in på valfritt servicekontor i staden."])
    doc.outline("1 Ansökan", 1)
    doc.outline("1.1 Handläggningstid", 1, 1)
    doc.outline("2 Beslut och överklagande", 2)
    doc.outline("Överklaga ett beslut", 2, 1)      # not spelt out on its page
    return doc.bytes()


PAGE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<title>Handbok för gode män</title></head><body>
<h1>Innehåll</h1><ul><li><a href="#a">Uppdraget som god man</a></li>
<li><a href="#b">Årsräkning till överförmyndaren</a></li></ul>
<h1 id="a">Uppdraget som god man</h1><p>En god man hjälper den som inte själv kan
sköta sina angelägenheter, till exempel att betala räkningar och ha kontakt med vården.</p>
<h1 id="b">Årsräkning till överförmyndaren</h1><p>Varje år lämnar den gode mannen en
årsräkning med alla in- och utbetalningar, tillsammans med kontoutdrag och kvitton.</p>
</body></html>"""


def chromium_pdf(tmp):
    exe = shutil.which("chromium")
    if not exe:
        return None
    html = os.path.join(tmp, "handbok.html")
    open(html, "w", encoding="utf-8").write(PAGE)
    out = os.path.join(tmp, "handbok.pdf")
    p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking",
                        "--user-data-dir=" + os.path.join(tmp, "chrome"), "--no-pdf-header-footer",
                        "--print-to-pdf=" + out, "file://" + html],
                       capture_output=True, timeout=120)
    return open(out, "rb").read() if p.returncode == 0 and os.path.exists(out) else None


def hits(srv, q):
    st, _, r = srv.json("/api/search?" + urllib.parse.urlencode({"q": q}))
    return r.get("hits", []) if st == 200 and r else []


tmp = tempdir()
srv = None
try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    pdfs = os.path.join(corpus, "pdf")
    os.makedirs(pdfs)
    open(os.path.join(pdfs, "vb2024.pdf"), "wb").write(report())
    open(os.path.join(pdfs, "riktlinjer.pdf"), "wb").write(guidelines())
    chrome = chromium_pdf(tmp)
    if chrome:
        open(os.path.join(pdfs, "handbok.pdf"), "wb").write(chrome)
    open(os.path.join(pdfs, "trasig.pdf"), "wb").write(b"%PDF-1.4 this is not really a pdf\n")
    open(os.path.join(pdfs, "haenger.pdf"), "wb").write(guidelines())
    # pdftohtml hangs on haenger.pdf (a stand-in for a PDF poppler loops on)
    bin_dir = os.path.join(tmp, "bin")
    os.makedirs(bin_dir)
    real = shutil.which("pdftohtml")
    wrap = os.path.join(bin_dir, "pdftohtml")
    open(wrap, "w").write('#!/bin/sh\nfor a; do case "$a" in *haenger.pdf) exec sleep 60;; esac; '
                          'done\nexec %s "$@"\n' % real)
    os.chmod(wrap, 0o755)
    env = dict(os.environ, PATH=bin_dir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
               SOK_PDF_TIMEOUT="2")
    db = os.path.join(tmp, "db")
    p = subprocess.run([SOK_INDEX, "--db", db, corpus], capture_output=True, text=True,
                       timeout=300, env=env)
    s = summary(p.stdout)
    check(p.returncode == 0 and s.get("failed") == 2, "a broken and a hanging PDF: failed=2",
          p.stdout + p.stderr)
    check("trasig.pdf" in p.stderr and "haenger.pdf" in p.stderr,
          "the broken and the hanging PDF are named on stderr", p.stderr)
    check(s.get("added") == 5 + 2 + (1 if chrome else 0), "the readable PDFs are indexed", p.stdout)

    srv = Server(db)
    # ------------------------------------------------ the laid-out report
    h = hits(srv, "socialförvaltningen tillsammans med skolan")
    check(h and h[0]["title"] == "1 Inledning" and h[0]["source"].endswith("vb2024.pdf"),
          "layout: the paragraph is found in its section", h[:2])
    check(h and h[0]["doc_title"] == "Verksamhetsberättelse 2024",
          "layout: Word's label is no title; the first heading is", h[:1])
    check(h and h[0]["url"].startswith("/doc/") and "#" not in h[0]["url"],
          "layout: no address of its own, our /doc/ page", h[:1])
    h = hits(srv, "IOP-avtal Solrosen")
    check(h and h[0]["title"] == "1 Inledning", "layout: a real hyphen kept across lines", h[:1])
    h = hits(srv, "Tillförlitligheten i mätningarna")
    check(h and h[0]["title"] == "2.1 Tillförlitligheten i mätningarna",
          "layout: a numbered heading at running size", [x["title"] for x in h])
    check(not any(x["title"] == "Innehåll" for x in h),
          "layout: the contents page is no hit for the titles it lists", [x["title"] for x in h])
    h = hits(srv, "Exempelstad")
    check(not any(x["source"].endswith("vb2024.pdf") for x in h),
          "layout: the running footer is not indexed", [x["title"] for x in h])
    h = hits(srv, "vårdnadshavare elever årskurs")
    check(h and h[0]["title"] == "2.1 Tillförlitligheten i mätningarna",
          "layout: a paragraph after the numbered heading", h[:1])

    # --------------------------------------------- the outline and its URL
    h = hits(srv, "kontoutdrag hyresavi")
    check(h and h[0]["title"] == "1.1 Handläggningstid", "outline: the item's section", h[:1])
    check(h and h[0]["url"] == URL + "#page=2", "outline: the file's own address at its page",
          h[:1])
    check(h and h[0]["doc_title"] == "Riktlinjer för ekonomiskt bistånd",
          "outline: a meaningful metadata title is the title", h[:1])
    h = hits(srv, "servicekontor")
    check(h and h[0]["title"] == "Överklaga ett beslut" and h[0]["url"] == URL + "#page=3",
          "outline: an item not spelt out on its page still starts a section there", h[:1])

    # ------------------------------------------- the pages stored with them
    import xapian
    d = xapian.Database(db)
    pages = {}
    for t in d.allterms("Q"):
        data = record(d.get_document(d.postlist(t.term).__next__().docid).get_data())
        pages[(os.path.basename(data["source"]), data["title"])] = data["page"]
    want = {("vb2024.pdf", "Verksamhetsberättelse 2024"): 1, ("vb2024.pdf", "Innehåll"): 2,
            ("vb2024.pdf", "1 Inledning"): 3, ("vb2024.pdf", "1.1 Bakgrund"): 3,
            ("vb2024.pdf", "2 Resultat"): 4, ("vb2024.pdf", "2.1 Tillförlitligheten i mätningarna"): 4,
            ("riktlinjer.pdf", "1 Ansökan"): 2, ("riktlinjer.pdf", "2 Beslut och överklagande"): 3}
    got = {k: pages.get(k) for k in want}
    check(got == want, "every section records its first page", got)
    check(all(v is None for (src, _), v in pages.items() if not src.endswith(".pdf")),
          "sections of other formats have no page", [k for k, v in pages.items()
                                                    if v is not None and not k[0].endswith(".pdf")])
    check(sum(1 for (src, _) in pages if src == "vb2024.pdf") == 6,
          "layout: six sections, the cover's subtitle inside the first",
          sorted(k[1] for k in pages if k[0] == "vb2024.pdf"))

    # ------------------------------------------------- Chromium's print
    if chrome:
        h = hits(srv, "Uppdraget som god man")
        check(h and h[0]["title"] == "Uppdraget som god man"
              and h[0]["doc_title"] == "Handbok för gode män",
              "Chromium print: the section, the page's own title", h[:2])
        check(not any(x["title"] == "Innehåll" for x in h),
              "Chromium print: its table of links is no hit for the titles it lists",
              [x["title"] for x in h])
    else:
        print("ok - Chromium print # SKIP chromium not installed")

    # -------------------------------------------- a news page's own title
    h = hits(srv, "Skolfam fyller tio år")
    check(h and h[0]["title"] == "Skolfam fyller tio år" and h[0]["doc_title"] == "",
          "a news page states no title: none, not its first item's", h[:1])
    h = hits(srv, "hyresavi")
    st, _, body = srv.request("/doc/" + h[0]["id"]) if h else (0, None, b"")
    check(st == 200 and "Handläggningstid".encode() in body, "/doc/<id> of a PDF section", st)
finally:
    if srv:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
