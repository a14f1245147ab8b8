#!/usr/bin/env python3
"""Poisoned documents: script and on*= in titles, headings and bodies (HTML,
Markdown, text); javascript: and data: addresses (canonical links, front
matter, links in the text); invalid UTF-8; a big file (SOK_BIG_MB, default
4; make reliability: 50) and a word of 10,000 letters; a PDF whose
pdftohtml hangs and random bytes named .pdf; a symbolic link loop, a
dangling link and a link out of the corpus; names with a newline, a ';'
and invalid UTF-8.

The indexer names each file it skips, fails or repairs on stderr, one
line each (a newline in a name is written \\n), counts them (failed=,
skipped=), and bounds what one file costs (sections of at most 64 KiB,
SOK_PDF_TIMEOUT for the hanging PDF).  Every page and JSON answer for
searches that find these files is read with an HTML parser: no script but
the page's own, no on* attribute, no address but http(s) and relative
ones; no hit's url has another scheme.

Runs the real build/sok-index and build/sok-server on 127.0.0.1."""
import html.parser, json, os, random, re, shutil, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SOK_INDEX, check, done, summary, tempdir
from sokutil import Server, q

MB = int(os.environ.get("SOK_BIG_MB", "4"))
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


class Unsafe(html.parser.HTMLParser):
    """Collects what could run: <script> other than the page's own file,
    embedded objects, on* attributes, URLs with a scheme but http(s)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.in_script = True
            if not (a.get("src") or "").startswith("/assets/"):
                self.bad.append("<script> %r" % attrs)
        if tag in ("iframe", "object", "embed", "frame", "base", "meta") and \
                (tag != "meta" or "http-equiv" in a):
            self.bad.append("<%s>" % tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append("%s=%r on <%s>" % (k, v, tag))
            if k in ("href", "src", "action", "formaction", "xlink:href", "srcset") and v:
                m = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", v)
                if m and m.group(1).lower() not in ("http", "https"):
                    self.bad.append("%s=%r on <%s>" % (k, v, tag))

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.bad.append("script text %r" % data[:60])


def unsafe(text):
    p = Unsafe()
    p.feed(text)
    p.close()
    return p.bad


def write(path, data):
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def make_corpus(c, tmp):
    os.makedirs(c)
    write(os.path.join(c, "skript.html"),
          '<html><head><title>Blåbär %s</title><link rel="canonical" href="javascript:alert(3)">'
          '</head><body><h1 onmouseover="alert(4)">Lingon %s</h1><p onclick="x()">Text om '
          'blåbärsris <a href="javascript:alert(5)">här</a> och <a href="data:text/html,'
          '&lt;script&gt;alert(6)&lt;/script&gt;">där</a>.%s</p><iframe src="data:text/html,x">'
          '</iframe><h2 id="x&quot; onfocus=&quot;alert(7)">Del två</h2><p>Mer om blåbärsris.'
          '<script>document.write("blåbärsris")</script></p></body></html>' % (XSS, XSS, XSS))
    write(os.path.join(c, "data.html"),
          '<html><head><title>Hjortron</title><link rel="canonical" '
          'href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></head>'
          '<body><p>Text om hjortronmyr.</p></body></html>')
    write(os.path.join(c, "skript.md"),
          "---\ntitle: Krusbär %s\nurl: javascript:alert(8)\n---\n# Krusbär <script>alert(9)"
          "</script>\n\nText om krusbärsbuske [länk](javascript:alert(10)) och "
          "![bild](data:image/svg+xml,<svg onload=alert(11)>) och <b onclick=\"x()\">fet</b>."
          "\n\n<script>alert(12)</script>\n" % XSS)
    write(os.path.join(c, "skript.txt"),
          "Vinbär <script>alert(13)</script>\n\nRubrik onload=alert(14)\n\nText om "
          "vinbärsbuske %s javascript:alert(15)\n" % XSS)
    write(os.path.join(c, "trasig-utf8.txt"),
          b"Trasig text\n\nText om rabarber \xff\xfe\xc3 med fel \xed\xa0\x80 bytes.\n")
    rng = random.Random(9)
    # a large vocabulary: parts of degenerate text would be folded into
    # one hit as copies of each other
    words = "kommun barn stöd hemtjänst omsorg".split() + ["ord%d" % i for i in range(5000)]
    with open(os.path.join(c, "stor.txt"), "w", encoding="utf-8") as f:
        f.write("Stor fil\n\n")
        n = 0
        while n < MB * 1024 * 1024:
            p = " ".join(rng.choice(words) for _ in range(80)) + " smultronställe.\n\n"
            f.write(p)
            n += len(p)
    write(os.path.join(c, "ord.txt"), "Långt ord\n\nOrdet " + "x" * 10000 + " om kråkbär. " +
          "y" * 10000 + "\n")
    write(os.path.join(c, "haenger.pdf"), b"%PDF-1.4\n% stands in for a PDF poppler loops on\n")
    write(os.path.join(c, "slump.pdf"), bytes(random.Random(5).randrange(256) for _ in range(20000)))
    os.symlink("b.md", os.path.join(c, "a.md"))                      # a loop
    os.symlink("a.md", os.path.join(c, "b.md"))
    os.symlink("saknas.txt", os.path.join(c, "dinglar.txt"))          # dangling
    os.symlink("/etc/passwd", os.path.join(c, "passwd.txt"))         # out
    os.symlink("saknas\nrad.txt", os.path.join(c, "ny\nrad-dinglar.txt"))
    write(os.path.join(c, "ny\nrad.txt"), "Ny rad\n\nText om åkerbär.\n")
    write(os.path.join(c, "semi;kolon.txt"), "Semikolon\n\nText om tranbär.\n")
    write(os.path.join(c.encode(), b"fel\xffnamn.txt"), "Felnamn\n\nText om odon.\n")
    # pdftohtml and pdftotext hang on haenger.pdf
    bin_dir = os.path.join(tmp, "bin")
    os.makedirs(bin_dir)
    for tool in ("pdftohtml", "pdftotext", "pdfinfo"):
        real = shutil.which(tool) or "/usr/bin/" + tool
        write(os.path.join(bin_dir, tool), '#!/bin/sh\nfor a; do case "$a" in *haenger.pdf) exec sleep '
              '60;; esac; done\nexec %s "$@"\n' % real)
        os.chmod(os.path.join(bin_dir, tool), 0o755)
    return bin_dir


tmp = tempdir()
srv = None
try:
    corpus = os.path.join(tmp, "corpus")
    bin_dir = make_corpus(corpus, tmp)
    db = os.path.join(tmp, "db")
    env = dict(os.environ, PATH=bin_dir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
               SOK_PDF_TIMEOUT="2")
    t = time.monotonic()
    p = subprocess.run([SOK_INDEX, "--db", db, corpus], capture_output=True, text=True,
                       errors="replace", timeout=600, env=env)
    took = time.monotonic() - t
    s = summary(p.stdout)
    err = p.stderr.splitlines()
    check(p.returncode == 0, "sok-index over the poisoned corpus exits 0 (%.1f s)" % took, p.stderr)
    named = {"haenger.pdf": "failed", "slump.pdf": "failed", "a.md": "loop", "b.md": "loop",
             "dinglar.txt": "dangling", "passwd.txt": "out of the indexed folders",
             "ny\\nrad-dinglar.txt": "dangling", "trasig-utf8.txt": "repaired"}
    missing = [n for n, why in named.items() if not any(n in l and why in l for l in err)]
    check(not missing, "named on stderr: %d files (2 failed PDFs, 5 links, 1 repaired)" % len(named),
          (missing, err))
    check(all(l.startswith("sok-index: ") for l in err),
          "one line a note: a newline in a name is written \\n", err)
    check(s.get("failed") == 2 and s.get("skipped") == 5,
          "counted: failed=%s skipped=%s" % (s.get("failed"), s.get("skipped")), p.stdout)
    check(took < 120 and any("haenger.pdf" in l and "took more than 2 s" in l for l in err),
          "the hanging PDF costs its SOK_PDF_TIMEOUT (2 s), not the run (%.1f s)" % took, err)

    srv = Server(db, "--cache-mb", "0", "--quiet")
    pages = 0
    bad = []
    hits_seen = set()
    for word in ("blåbär", "blåbärsris", "lingon", "hjortronmyr", "krusbärsbuske", "krusbär",
                 "vinbärsbuske", "vinbär", "rabarber", "smultronställe", "kråkbär", "åkerbär",
                 "tranbär", "odon", "alert", "script", "onerror", "javascript"):
        st, _, body = srv.request("/api/search?q=" + q(word))
        try:
            r = json.loads(body.decode("utf-8"))
        except ValueError:
            bad.append("not JSON for %s" % word)
            continue
        for h in r.get("hits", []):
            hits_seen.add(h["source"].rsplit("/", 1)[-1])
            if re.match(r"\s*[a-zA-Z][a-zA-Z0-9+.-]*:", h["url"]) and \
                    not h["url"].startswith(("http://", "https://")):
                bad.append("url %r" % h["url"])
            for field in ("snippet", "title_html"):
                bad += ["%s of %s: %s" % (field, h["id"], x) for x in unsafe(h.get(field, ""))]
            st, _, page = srv.request(h["url"] if h["url"].startswith("/doc/") else
                                      "/doc/" + h["id"])
            pages += 1
            bad += ["/doc/%s: %s" % (h["id"], x) for x in unsafe(page.decode("utf-8"))]
            if st != 200 or len(page) > 200 * 1024:
                bad.append("/doc/%s: %d, %d bytes" % (h["id"], st, len(page)))
        st, _, page = srv.request("/?q=" + q(word))
        pages += 1
        bad += ["/?q=%s: %s" % (word, x) for x in unsafe(page.decode("utf-8"))]
    want = {"skript.html", "data.html", "skript.md", "skript.txt", "trasig-utf8.txt", "stor.txt",
            "ord.txt", "ny\nrad.txt", "semi;kolon.txt", "fel\ufffdnamn.txt"}
    check(want <= hits_seen, "every poisoned file that could be read is found", want - hits_seen)
    check(not bad, "checked with an HTML parser: %d pages and the JSON of their hits, nothing "
          "executable, no unsafe address" % pages, bad[:10])
    st, _, r = srv.json("/api/search?q=" + q("kråkbär"))
    snip = r["hits"][0]["snippet"] if r and r["hits"] else ""
    check("<mark>" in snip and len(snip.encode()) <= 600,
          "a 10,000-letter word: a snippet of %d bytes" % len(snip.encode()), snip[:100])
    st, _, r = srv.json("/api/search?q=" + q("smultronställe") + "&per_page=100")
    parts = [h for h in r["hits"] if h["source"].endswith("stor.txt")] if r else []
    check(r and r["total"] >= MB * 1024 * 1024 // 65536 and parts,
          "a %d MB file: %d sections of at most 64 KiB" % (MB, r["total"] if r else 0))
    check(srv.alive(), "the server is up after all of it")
finally:
    if srv:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
