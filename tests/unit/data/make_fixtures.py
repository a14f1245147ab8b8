#!/usr/bin/python3
"""Writes the PDF fixtures of the unit tests (test_pdf.c) and the pdftohtml
output they are read from: `pdftohtml -xml -i -stdout -q -nodrm`, exactly
as sok runs it.  The PDFs come from tests/integration/pdfgen.py and from
Chromium's print of a small HTML page; only the XML is committed (a few KB
each), so run this again after changing a layout here.

  tests/unit/data/make_fixtures.py
"""
import os, subprocess, sys, tempfile
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
import pdfgen

BODY = 10.5
HEADER = "Verksamhetsberättelse 2024"


def furniture(p, n, total):
    """The running header and footer and the page number of page n."""
    p.text(72, 36, 8, HEADER)
    p.text(72, 800, 8, "Socialförvaltningen, Exempelstad kommun")
    p.text(500, 800, 8, "Sida %d av %d" % (n, total))


def report(outline):
    doc = pdfgen.Pdf(info={"Title": "Microsoft Word - vb2024_slutlig.docx",
                           "URL": "https://www.example.se/dokument/vb2024.pdf"})
    total = 4
    p = doc.page(); furniture(p, 1, total)
    p.text(72, 200, 24, "Verksamhetsberättelse 2024", bold=True)
    p.text(72, 240, 14, "Individ- och familjeomsorgen")
    p = doc.page(); furniture(p, 2, total)
    p.text(72, 90, 16, "Innehåll", bold=True)
    toc = [("1 Inledning", 3), ("1.1 Bakgrund", 3), ("2 Resultat", 4),
           ("2.1 Tillförlitligheten i mätningarna", 4), ("Bilaga 1 Enkäten", 4)]
    top = 130
    for t, n in toc:
        # chapters in bold without leaders (as DBLaTeX sets them), the
        # rest with dot leaders; the page number in a cell of its own
        sub = "." in t.split()[0] or t.startswith("Bilaga")
        p.text(72, top, BODY, t + " " + "." * (60 - len(t)) if sub else t, bold=not sub)
        p.text(480, top, BODY, str(n), bold=not sub)
        top += 16
    p = doc.page(); furniture(p, 3, total)
    p.text(72, 90, 16, "1 Inledning", bold=True)
    top = p.lines(72, 120, BODY, [
        "Den här berättelsen beskriver hur individ- och familjeomsorgen har arbetat under",
        "året. Arbetet leds av social-",
        "förvaltningen tillsammans med skolan, och ett nytt IOP-",
        "avtal med föreningen Vorta Drom ger stöd till barn- och",
        "ungdomsnämndens arbete med läxhjälp och fritid för alla barn.",
    ])
    p.text(72, top + 14, 13, "1.1 Bakgrund", bold=True)
    p.lines(72, top + 40, BODY, [
        "Kommunen har sedan länge samverkat med civilsamhället om stöd till familjer",
        "med barn. Samverkan bygger på ömsesidigt förtroende och på en gemensam bild",
        "av vad som behövs för att barnen ska lyckas i skolan.",
    ])
    p = doc.page(); furniture(p, 4, total)
    p.text(72, 90, 16, "2 Resultat", bold=True)
    top = p.lines(72, 120, BODY, [
        "Resultaten visar att fler barn än tidigare har fått hjälp med skolarbetet och",
        "att frånvaron har minskat under hösten.",
    ])
    p.text(72, top + 12, BODY, "2.1 Tillförlitligheten i mätningarna")
    top = p.lines(72, top + 32, BODY, [
        "Mätningarna gjordes med samma enkät som året innan, och svarsfrekvensen var",
        "hög bland både föräldrar och barn.",
    ])
    p.text(72, top + 12, BODY, "Kostnader per brukare", bold=True)
    top = p.lines(72, top + 32, BODY, [
        "Kostnaden per brukare sjönk något jämfört med föregående år, främst genom",
        "att fler insatser gavs i öppenvård i stället för i placering.",
    ])
    p.text(72, top + 12, BODY, "Bilaga 1 Enkäten")
    p.lines(72, top + 32, BODY, [
        "Enkäten bestod av tolv frågor om hur barn och föräldrar upplevde stödet och",
        "om de skulle rekommendera det till andra familjer i samma situation.",
    ])
    if outline:
        for t, n in toc:
            doc.outline(t, n - 1, 1 if t.startswith(("1.1", "2.1")) else 0)
    return doc.bytes()


PAGE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<title>Handbok för gode män</title></head><body>
<h1>Innehåll</h1>
<ul><li><a href="#a">Uppdraget som god man</a></li>
<li><a href="#b">Redovisning till överförmyndaren</a></li></ul>
<h1 id="a">Uppdraget som god man</h1>
<p>En god man hjälper en person som inte själv kan sköta sina angelägenheter,
till exempel att betala räkningar och ha kontakt med myndigheter och vården.</p>
<h2>Arvode och ersättning</h2>
<p>Arvodet bestäms av överförmyndaren varje år efter att redovisningen har
granskats, och betalas i regel av den som har god man.</p>
<h1 id="b">Redovisning till överförmyndaren</h1>
<p>Varje år lämnar den gode mannen en årsräkning med alla in- och utbetalningar
under året, tillsammans med kontoutdrag och kvitton.</p>
</body></html>
"""


def chromium(tmp):
    html = os.path.join(tmp, "handbok.html")
    open(html, "w", encoding="utf-8").write(PAGE)
    out = os.path.join(tmp, "handbok.pdf")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--user-data-dir=" + os.path.join(tmp, "c"),
                    "--no-pdf-header-footer", "--print-to-pdf=" + out, "file://" + html],
                   check=True, capture_output=True, timeout=120)
    return open(out, "rb").read()


def xml_of(pdf, tmp, name):
    path = os.path.join(tmp, name + ".pdf")
    open(path, "wb").write(pdf)
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-q", "-nodrm", path],
                         check=True, capture_output=True).stdout
    open(os.path.join(HERE, name + ".xml"), "wb").write(xml)
    print("%s.xml: %d bytes" % (name, len(xml)))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        xml_of(report(False), tmp, "pdf_layout")
        xml_of(report(True), tmp, "pdf_outline")
        xml_of(chromium(tmp), tmp, "pdf_chromium")


if __name__ == "__main__":
    main()
