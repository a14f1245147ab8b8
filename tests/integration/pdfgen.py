"""A small PDF writer for the tests (stdlib only): pages of positioned text
in Helvetica and Helvetica-Bold (WinAnsi, so Swedish letters work), an
optional outline (bookmarks) and an Info dictionary.  Enough to make the
layouts sok has to read (headings by size and weight, running headers and
footers, page numbers, hyphenated line ends, a table of contents with dot
leaders) without any tool that Debian's poppler-utils lacks.

    doc = Pdf(info={"Title": "Årsrapport 2024"})
    p = doc.page()
    p.text(72, 80, 18, "1 Inledning", bold=True)   # x, y from the top, size
    doc.outline("1 Inledning", 0)                   # title, page index, level
    open("a.pdf", "wb").write(doc.bytes())
"""

A4 = (595, 842)


def _pdf_str(s):
    """A PDF string: literal WinAnsi when it fits, else UTF-16BE hex."""
    try:
        b = s.encode("cp1252")
    except UnicodeEncodeError:
        return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"
    b = b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return "(" + b.decode("latin-1") + ")"


class Page:
    def __init__(self, size):
        self.size = size
        self.ops = []

    def text(self, x, top, size, s, bold=False):
        """Draws s with its baseline size points below top (from the page's top edge)."""
        y = self.size[1] - top - size
        self.ops.append("BT /%s %g Tf %g %g Td %s Tj ET" % ("F2" if bold else "F1", size, x, y,
                                                          _pdf_str(s)))

    def lines(self, x, top, size, texts, leading=1.35, bold=False):
        """Draws texts one under another; returns the top below the last."""
        for t in texts:
            self.text(x, top, size, t, bold)
            top += size * leading
        return top


class Pdf:
    def __init__(self, info=None, size=A4):
        self.info = info or {}
        self.size = size
        self.pages = []
        self.items = []          # (title, page index, level)

    def page(self):
        p = Page(self.size)
        self.pages.append(p)
        return p

    def outline(self, title, page, level=0):
        self.items.append((title, page, level))

    def bytes(self):
        objs = {}                # number -> body
        n_pages = len(self.pages)
        cat, pages, f1, f2, info = 1, 2, 3, 4, 5
        first_page = 6
        page_nums = [first_page + 2 * i for i in range(n_pages)]
        next_num = first_page + 2 * n_pages
        kids = " ".join("%d 0 R" % k for k in page_nums)
        objs[pages] = "<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n_pages)
        for name, num in (("Helvetica", f1), ("Helvetica-Bold", f2)):
            objs[num] = ("<< /Type /Font /Subtype /Type1 /BaseFont /%s "
                         "/Encoding /WinAnsiEncoding >>" % name)
        for i, p in enumerate(self.pages):
            content = "\n".join(p.ops).encode("latin-1")
            objs[page_nums[i]] = ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                                  "/Contents %d 0 R /Resources << /Font << /F1 3 0 R "
                                  "/F2 4 0 R >> >> >>" % (p.size[0], p.size[1],
                                                          page_nums[i] + 1))
            objs[page_nums[i] + 1] = content
        objs[info] = "<< %s >>" % " ".join("/%s %s" % (k, _pdf_str(v))
                                           for k, v in self.info.items())
        root = "<< /Type /Catalog /Pages 2 0 R"
        if self.items:
            outl = next_num
            nums = [outl + 1 + i for i in range(len(self.items))]
            next_num = outl + 1 + len(self.items)
            nodes = self._tree()
            def write(children, parent):
                for k, (idx, sub) in enumerate(children):
                    title, page, _ = self.items[idx]
                    d = ["/Title %s" % _pdf_str(title), "/Parent %d 0 R" % parent,
                         "/Dest [%d 0 R /XYZ 0 %d 0]" % (page_nums[page], self.size[1])]
                    if k > 0:
                        d.append("/Prev %d 0 R" % nums[children[k - 1][0]])
                    if k + 1 < len(children):
                        d.append("/Next %d 0 R" % nums[children[k + 1][0]])
                    if sub:
                        d.append("/First %d 0 R /Last %d 0 R /Count %d"
                                 % (nums[sub[0][0]], nums[sub[-1][0]], len(sub)))
                        write(sub, nums[idx])
                    objs[nums[idx]] = "<< %s >>" % " ".join(d)
            write(nodes, outl)
            objs[outl] = ("<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                          % (nums[nodes[0][0]], nums[nodes[-1][0]], len(nodes)))
            root += " /Outlines %d 0 R /PageMode /UseOutlines" % outl
        objs[cat] = root + " >>"
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        for num in sorted(objs):
            offsets[num] = len(out)
            body = objs[num]
            if isinstance(body, bytes):
                out += b"%d 0 obj\n<< /Length %d >>\nstream\n" % (num, len(body))
                out += body + b"\nendstream\nendobj\n"
            else:
                out += ("%d 0 obj\n%s\nendobj\n" % (num, body)).encode("latin-1")
        xref = len(out)
        size = max(objs) + 1
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for num in range(1, size):
            out += b"%010d 00000 n \n" % offsets[num]
        out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                % (size, xref))
        return bytes(out)

    def _tree(self):
        """The outline items as nested (index, children) lists by level."""
        root = []
        stack = [(-1, root)]
        for i, (_, _, level) in enumerate(self.items):
            while stack[-1][0] >= level:
                stack.pop()
            node = (i, [])
            stack[-1][1].append(node)
            stack.append((level, node[1]))
        return root
