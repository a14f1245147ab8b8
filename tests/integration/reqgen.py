"""Request generators shared by the request fuzzers (stdlib only):
tests/integration/test_query_fuzz.py (searches over the normal build) and
tests/reliability/request_fuzz.py (raw, mutated HTTP requests against the
ASan/UBSan build).  Every generator draws from the rng it is given, so a
seed repeats its stream; gen_word, gen_query and gen_path draw exactly as
test_query_fuzz.py always has, so its fixed seed still makes the same
5,000 requests.

The raw generator writes whole requests (always ended by a blank line, a
body only with its Content-Length), so no request leaves the server
waiting: a hang is the server's, not the generator's."""
import os, re, urllib.parse

STRIP = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")
JUNK = ["-", '"', "(", ")", "OR", "AND", "NOT", "*", "&", ":", "1999",
        "2017-02-13", "e-post", "a/b", "\u2026", "\u00e9", "\u00df",
        "\u65e5\u672c", "\u0301", "%", "+", "\\", "<b>", "''"]


def corpus_words(corpus):
    """The sorted words (\\w+) of the files directly in corpus."""
    words = set()
    for name in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                words |= set(re.findall(r"\w+", f.read()))
    return sorted(words)


def gen_word(rng, words):
    w = rng.choice(words)
    r = rng.random()
    if r < 0.2:
        w = w.translate(STRIP)
    elif r < 0.3 and len(w) > 3:
        i = rng.randrange(len(w) - 1)
        w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    elif r < 0.35:
        w = w.upper()
    elif r < 0.4:
        w += rng.choice(["s", "en", "arna", "-", "*", "'"])
    elif r < 0.45:
        w = rng.choice(JUNK) + w
    return w


def gen_query(rng, words):
    k = rng.choice((1, 1, 2, 2, 3, 4, 6))
    ws = [gen_word(rng, words) for _ in range(k)]
    if k > 1 and rng.random() < 0.15:
        i = rng.randrange(k)
        j = rng.randrange(i, k)
        ws[i] = '"' + ws[i]
        ws[j] += '"'
    if rng.random() < 0.1:
        ws[0] = "-" + ws[0]
    if rng.random() < 0.05:
        ws.insert(rng.randrange(k + 1), rng.choice(("OR", "AND", "NOT")))
    return " ".join(ws)


def gen_params(rng, words):
    """A search's parameters: the query, filters, page and sorting."""
    p = [("q", gen_query(rng, words))]
    if rng.random() < 0.2:
        p.append(("page", str(rng.choice((1, 2, 3, 5, 50)))))
    if rng.random() < 0.1:
        p.append(("per_page", str(rng.choice((1, 5, 100)))))
    if rng.random() < 0.15:
        p.append(("type", rng.choice(("news", "minutes", "report", "other"))))
    if rng.random() < 0.1:
        p.append(("from", rng.choice(("2015-01-01", "2017-02-13", "2019-12-31"))))
    if rng.random() < 0.1:
        p.append(("to", rng.choice(("2016-06-30", "2018-01-01", "2030-01-01"))))
    if rng.random() < 0.15:
        p.append(("sort", "date"))
    return p


def gen_path(rng, words):
    """A well-formed search, search page or completion path."""
    p = gen_params(rng, words)
    route = rng.choice(("/api/search?", "/api/search?", "/api/search?", "/?",
                        "/api/suggest?"))
    return route + urllib.parse.urlencode(p)


# ------------------------------------------------- raw, mutated requests

# The contract's routes (../shared/docs/CONTRACT.md, server/routes.c and
# web.c), and some that are none.
ROUTES = ["/api/search", "/api/search", "/api/search", "/", "/", "/api/suggest",
          "/doc/", "/healthz", "/metrics", "/staff/zero-hits", "/staff/",
          "/robots.txt", "/api/openapi.json", "/assets/app.js",
          "/assets/style.css", "/opensearch.xml", "/nope", "/api/", "/api/search/",
          "/../../etc/passwd", "//api//search", "/%2e%2e/%2e%2e/etc/passwd",
          "/doc/../healthz", "/assets/../../Makefile", "/API/SEARCH"]
PARAMS = ["q", "q", "q", "page", "per_page", "type", "from", "to", "sort",
          "callback", "format", "x", "", "Q", "q[]"]
VALUES = ["", "0", "-1", "1", "2", "100", "101", "99999999999999999999",
          "1e9", "0x10", " 1", "1 ", "+1", "news", "minutes", "report",
          "other", "NEWS", "date", "relevance", "2017-02-13", "2017-13-45",
          "0000-00-00", "9999-12-31", "2017-02-30", "17-2-13", "2017/02/13",
          "null", "true", "[]", "{}", "<script>alert(1)</script>",
          "\"><img src=x onerror=alert(1)>", "javascript:alert(1)"]
# Percent-encoding garbage: bad hex, a lone %, NUL, a lone lead byte,
# a surrogate, overlong forms, a code point past U+10FFFF, a BOM.
PCT = ["%", "%%", "%G1", "%zz", "%4", "%00", "%ff", "%c3", "%c3%28",
       "%ed%a0%80", "%c0%af", "%e0%80%af", "%f4%90%80%80", "%ef%bb%bf",
       "%0a", "%0d%0a", "%2F", "%26", "%3D", "%23", "+", "%20", "%e2%80%ae"]
METHODS = ["GET"] * 14 + ["HEAD"] * 3 + [
    "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT",
    "get", "FOO", "G\x00ET", "PROPFIND"]
VERSIONS = ["HTTP/1.1"] * 12 + ["HTTP/1.0", "HTTP/1.0", "HTTP/2.0", "HTTP/9.9",
                                "http/1.1", "HTTP/1.1 ", "HTTP/1", "HTTP/1.1x"]


def _pct_utf8(s):
    return urllib.parse.quote(s, safe="")


def _mutate(rng, b):
    """b (bytes) with a few random byte-level edits."""
    b = bytearray(b)
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        i = rng.randrange(len(b) + 1)
        if r < 0.3:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        elif r < 0.5 and b:
            del b[min(i, len(b) - 1)]
        elif r < 0.7:
            b[i:i] = rng.choice(PCT).encode()
        elif r < 0.85 and b:
            j = min(i, len(b) - 1)
            b[j] = rng.randrange(256)
        else:
            b[i:i] = b[i:i + rng.randint(1, 40)] * rng.randint(1, 30)
    return bytes(b)


def _value(rng, words):
    r = rng.random()
    if r < 0.35:
        return _pct_utf8(gen_query(rng, words))
    if r < 0.6:
        return _pct_utf8(rng.choice(VALUES))
    if r < 0.75:
        return "".join(rng.choice(PCT) for _ in range(rng.randint(1, 6)))
    if r < 0.85:                      # huge: past the 512-byte q, or the line
        return _pct_utf8(gen_word(rng, words)) * rng.choice((60, 200, 2000))
    if r < 0.93:                      # invalid UTF-8, Latin-1
        return _pct_utf8(rng.choice(words)).replace("%C3%", "%") + "%ff%fe"
    return _pct_utf8(rng.choice(JUNK)) * rng.randint(1, 50)


def _query_string(rng, words):
    if rng.random() < 0.4:
        qs = urllib.parse.urlencode(gen_params(rng, words))
    else:
        parts = []
        for _ in range(rng.choice((1, 1, 2, 3, 5, 40))):   # 40: repeated params
            k = rng.choice(PARAMS)
            r = rng.random()
            parts.append(k if r < 0.05 else k + "=" if r < 0.1
                         else k + "=" + _value(rng, words))
        qs = rng.choice(("&", "&", "&", ";", "&&")).join(parts)
    return qs


def gen_target(rng, words, ids):
    """A request target (bytes): a route, maybe a document id, maybe a
    query string, maybe mutated."""
    route = rng.choice(ROUTES)
    if route == "/doc/":
        r = rng.random()
        route += (rng.choice(ids) if ids and r < 0.6 else
                  "%016x" % rng.getrandbits(64) if r < 0.8 else
                  rng.choice(("", "x", "0" * 17, "..%2f..%2f", "%00", "A" * 300)))
    t = route
    if rng.random() < 0.85:
        t += "?" + _query_string(rng, words)
    if rng.random() < 0.05:
        t += "#frag"
    if rng.random() < 0.03:
        t = "http://127.0.0.1" + t      # absolute form
    b = t.encode("utf-8", "surrogateescape")
    if rng.random() < 0.25:
        b = _mutate(rng, b)
    # A space or CR LF inside would end the request line early; the
    # mutations may keep one now and then.
    if rng.random() < 0.9:
        b = b.replace(b" ", b"%20").replace(b"\r", b"").replace(b"\n", b"")
    return b or b"/"


HEADER_JUNK = [b"X-Fuzz: " + b"a" * 70000, b"NoColonHere", b": empty-name",
               b"X-Nul: a\x00b", b" folded continuation", b"\tfolded: tab",
               b"Host: a", b"Host: b", b"Accept-Encoding: gzip, br, *;q=0",
               b"Accept-Encoding: " + b"gzip," * 2000,
               b"Accept: text/html", b"Accept: application/json",
               b"Transfer-Encoding: chunked", b"Content-Length: abc",
               b"Content-Length: -1", b"Content-Length: 99999999999999999999",
               b"X-Forwarded-For: 10.0.0.1, <script>", b"Cookie: " + b"c=1; " * 500,
               b"User-Agent: \xff\xfe\xc3", b"Range: bytes=0-10",
               b"Connection: keep-alive, close", b"Expect: 100-continue"]


def gen_request(rng, words, ids):
    """A whole raw HTTP request (bytes), and its method (str): two in five
    a well-formed search, page or completion (so that answers, not only
    refusals, are fuzzed), the others drawn from everything above."""
    if rng.random() < 0.4:
        method = rng.choice(("GET", "GET", "GET", "HEAD"))
        hdr = rng.choice((b"", b"Accept-Encoding: gzip\r\n",
                          b"Accept: text/html\r\n"))
        return (method.encode() + b" " + gen_path(rng, words).encode() +
                b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + hdr +
                b"Connection: close\r\n\r\n", method)
    method = rng.choice(METHODS)
    version = rng.choice(VERSIONS)
    target = gen_target(rng, words, ids)
    if rng.random() < 0.01:
        target = b"/api/search?q=" + b"a" * rng.choice((9000, 20000))
    line = method.encode() + b" " + target + b" " + version.encode()
    if rng.random() < 0.02:
        line = rng.choice((b"GET", b"GET /", b"/api/search?q=x HTTP/1.1",
                           b"GET  /  HTTP/1.1", b"\x16\x03\x01\x02\x00\x01",
                           b"GET / HTTP/1.1 extra"))
    headers = [b"Host: 127.0.0.1"] if rng.random() < 0.95 else []
    body = b""
    if rng.random() < 0.2:
        for _ in range(rng.randint(1, 3)):
            headers.append(rng.choice(HEADER_JUNK))
    if rng.random() < 0.05:
        body = _mutate(rng, b"q=fritidsbanken&page=1")
        headers.append(b"Content-Length: %d" % len(body))
    headers = [h for h in headers if not h.startswith(b"Transfer-Encoding")
               or body]
    headers.append(b"Connection: close")
    req = line + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body
    return req, method
