#!/usr/bin/env python3
"""sok-server answers: ranked search, snippets, facets, suggestions, the
HTML pages, and every kind of bad parameter (400 with a JSON error naming
the parameter, and the server still healthy after each); what a person
types into q is read, not refused (test_typed.py).

Runs the real build/sok-index on a copy of corpus/ and the real
build/sok-server on 127.0.0.1 port 0."""
import os, re, shutil, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir, copy_corpus
from sokutil import Server, q

tmp = tempdir()
srv = None
try:
    # ---------------------------------------------------------- start-up
    missing = os.path.join(tmp, "no-such-index")
    import subprocess
    from harness import SOK_SERVER
    p = subprocess.run([SOK_SERVER, "--db", missing, "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 3 and "index" in p.stderr,
          "missing index at start-up: exit 3 with a clear message",
          "rc=%s stderr=%s" % (p.returncode, p.stderr))
    p = subprocess.run([SOK_SERVER, "--threads", "zero"], capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 1, "bad option: exit 1", p.stderr)

    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus)
    check(rc == 0, "sok-index builds the test index", err)

    srv = Server(db)
    check(srv.port is not None, "server reports its port on stderr")

    st, h, body = srv.json("/healthz")
    check(st == 200 and body and body.get("status") == "ok" and body.get("docs", 0) > 0
          and isinstance(body.get("revision"), int),
          "/healthz: status ok, docs and revision", body)

    # ---------------------------------------------------------- search
    st, h, r = srv.json("/api/search?q=Fritidsbanken")
    ok = st == 200 and r is not None
    check(ok, "/api/search?q=Fritidsbanken: 200 JSON", (st, r))
    check(h.get("content-type", "").startswith("application/json"),
          "search: JSON content type", h)
    check(h.get("x-content-type-options") == "nosniff", "search: nosniff", h)
    keys = {"query", "total", "page", "per_page", "took_ms", "suggestion", "hits", "facets"}
    check(ok and keys <= set(r), "search: contract keys", r and sorted(r))
    hits = r.get("hits", []) if ok else []
    srcs = [os.path.basename(x.get("source") or "") for x in hits]
    check(hits and srcs[0][:3] in ("001", "002"),
          "Fritidsbanken: first hit from 001_ or 002_", srcs)
    check(hits and "<mark>Fritidsbanken</mark>" in hits[0].get("snippet", ""),
          "Fritidsbanken: snippet marks the word", hits[:1])
    top3 = [s[:3] for s in srcs[:3]]
    check(not ("001" in top3 and "002" in top3),
          "Fritidsbanken: near-duplicates 001_/002_ collapsed in top 3", srcs)
    hk = {"id", "title", "doc_title", "url", "source", "type", "date", "score", "snippet"}
    check(hits and all(hk <= set(x) for x in hits), "hits carry the contract fields",
          hits[:1])
    check(r.get("suggestion") is None and r.get("relaxed") is False,
          "known word: no suggestion, not relaxed", r.get("suggestion"))
    snip_ok = all(re.sub(r"</?mark>", "", x["snippet"]).find("<") < 0 for x in hits)
    check(snip_ok, "snippets: <mark> is the only markup", [x["snippet"] for x in hits])
    f = r.get("facets", {})
    # (facets count collapsed groups; the server may fold a few more hits by text, so >= total)
    check(sum(f.get("type", {}).values()) >= r["total"] > 0 and
          set(f.get("type", {})) == {x["type"] for x in hits},
          "facets count the whole result set", (r["total"], f))

    # Exact form above stem-only matches: the same word inflected ranks lower.
    st, _, r1 = srv.json("/api/search?q=" + q("fritidsbank") + "&per_page=20")
    check(st == 200 and r1["total"] >= 1, "stem search: fritidsbank finds hits", r1)

    st, _, r = srv.json("/api/search?q=" + q("fritidsbanken zzqxqyzz"))
    check(st == 200 and r["relaxed"] is True and r["total"] > 0,
          "AND finds nothing: relaxed OR results", r and (r["relaxed"], r["total"]))

    st, _, r = srv.json("/api/search?q=" + q('"Bättre hälsa för unga romer"'))
    check(st == 200 and r["total"] > 0 and
          all("<mark>" in x["snippet"] for x in r["hits"]),
          "phrase with stopwords finds and marks", r and r["total"])
    st, _, r2 = srv.json("/api/search?q=" + q('"romer unga för hälsa Bättre"'))
    check(st == 200 and r2["total"] == 0 and r2["relaxed"] is False,
          "phrase order matters", r2 and r2["total"])

    st, _, a = srv.json("/api/search?q=" + q("hälsa"))
    st2, _, b = srv.json("/api/search?q=" + q("hälsa -romer"))
    check(st == 200 and st2 == 200 and b["total"] < a["total"],
          "-word excludes", (a and a["total"], b and b["total"]))

    st, _, a = srv.json("/api/search?q=" + q("fontänhuset"))
    st2, _, b = srv.json("/api/search?q=" + q("fritidsbanken OR fontänhuset"))
    check(st2 == 200 and b["total"] >= a["total"] and b["relaxed"] is False,
          "OR joins terms", (a and a["total"], b and b["total"]))

    st, _, r = srv.json("/api/search?q=" + q("fritidsban*"))
    check(st == 200 and r["total"] > 0 and
          any("<mark>Fritidsbank" in x["snippet"] for x in r["hits"]),
          "prefix* expands and marks", r and r["total"])

    st, _, r = srv.json("/api/search?q=" + q("och"))
    check(st == 200, "a query of only stopwords is answered", st)
    st, _, r = srv.json("/api/search?q=" + q("!!! ???"))
    check(st == 200 and r["total"] > 0 and [n["code"] for n in r["notices"]] == ["browse"],
          "a query without words: 200, a browse of the newest sections, said so", (st, r))

    st, _, r = srv.json("/api/search?q=" + q("Fritidsbankn"))
    check(st == 200 and r["suggestion"] and r["suggestion"].startswith("Fritidsbank")
          and r["suggestion"] != "Fritidsbankn" and r["total"] > 0,
          "misspelt word: suggestion and corrected hits", r and r["suggestion"])

    st, _, r = srv.json("/api/search?q=" + q("Smart vag"))
    check(st == 200 and any(os.path.basename(x["source"]).startswith("003")
                            for x in r["hits"][:3]),
          "accents restored: 'Smart vag' finds 'Smart väg'", r and r["suggestion"])

    st, _, r = srv.json("/api/search?q=" + q("fritids bank"))
    check(st == 200 and any(os.path.basename(x["source"])[:3] in ("001", "002")
                            for x in r["hits"][:3]),
          "split compound: 'fritids bank' finds Fritidsbank", r and r["total"])

    # filters, sorting, pagination
    st, _, r = srv.json("/api/search?q=" + q("hälsa") + "&per_page=100")
    types = set(r["facets"]["type"]) if st == 200 else set()
    t0 = sorted(types)[0] if types else "other"
    st, _, rt = srv.json("/api/search?q=" + q("hälsa") + "&type=" + t0 + "&per_page=100")
    check(st == 200 and 0 < rt["total"] <= r["facets"]["type"][t0] and
          all(x["type"] == t0 for x in rt["hits"]),
          "type filter matches the facet count", (t0, rt and rt["total"]))
    st, _, rd = srv.json("/api/search?q=" + q("hälsa") + "&sort=date&per_page=100")
    dates = [x["date"] for x in rd["hits"] if x["date"]] if st == 200 else []
    check(st == 200 and dates == sorted(dates, reverse=True),
          "sort=date: newest first", dates)
    st, _, rf = srv.json("/api/search?q=" + q("hälsa") + "&from=2000-01-01&to=2100-12-31")
    check(st == 200 and all(x["date"] for x in rf["hits"]),
          "from/to keep dated sections", rf and rf["total"])
    st, _, p1 = srv.json("/api/search?q=" + q("hälsa") + "&per_page=1&page=1")
    st2, _, p2 = srv.json("/api/search?q=" + q("hälsa") + "&per_page=1&page=2")
    check(st == 200 and st2 == 200 and len(p1["hits"]) == 1 and
          (p1["total"] < 2 or p1["hits"][0]["id"] != p2["hits"][0]["id"]),
          "pagination gives different pages", (p1 and p1["hits"][:1], p2 and p2["hits"][:1]))
    st, _, pz = srv.json("/api/search?q=" + q("hälsa") + "&per_page=10&page=1000")
    check(st == 200 and pz["hits"] == [], "a page past the end is empty", pz)

    # suggest
    st, _, s = srv.json("/api/suggest?q=frit")
    check(st == 200 and s["suggestions"] and
          all(x.startswith("frit") for x in s["suggestions"]),
          "/api/suggest completes a prefix", s)
    st, _, s = srv.json("/api/suggest?q=" + q("unga fri"))
    check(st == 200 and all(x.startswith("unga fri") for x in s["suggestions"]),
          "/api/suggest keeps the words before the last", s)

    # HTML
    st, h, body = srv.request("/")
    html = body.decode("utf-8", "replace")
    check(st == 200 and 'lang="sv"' in html and "<form" in html and
          h.get("content-type", "").startswith("text/html"),
          "GET /: Swedish search form", html[:200])
    st, h, body = srv.request("/?q=")
    check(st == 200 and "<form" in body.decode(), "GET /?q= (empty box): the form", st)
    st, h, body = srv.request("/?q=" + q("Fritidsbanken"))
    html = body.decode("utf-8", "replace")
    check(st == 200 and "<mark>Fritidsbanken</mark>" in html,
          "GET /?q=: results rendered on the server", html[:300])
    st, h, body = srv.request("/?q=" + q('<script>alert(1)</script> "x'))
    html = body.decode("utf-8", "replace")
    check("<script>" not in html and "&lt;script&gt;" in html and st == 200,
          "GET /?q=: the query is escaped (and an unclosed quote is read, not refused)",
          html[:400])
    st, h, body = srv.request("/?q=" + q("<b>fritidsbanken</b>"))
    html = body.decode("utf-8", "replace")
    check(st == 200 and "<b>" not in html, "GET /?q=: markup in q never echoed raw")

    st, _, r = srv.json("/api/search?q=Fritidsbanken")
    hid = r["hits"][0]["id"]
    st, h, body = srv.request("/doc/%s?q=Fritidsbanken" % hid)
    html = body.decode("utf-8", "replace")
    check(st == 200 and 'lang="sv"' in html and "<mark>Fritidsbanken</mark>" in html,
          "/doc/<id>?q=: the section with the query marked", html[:300])
    check(("Nästa avsnitt" in html or "Föregående avsnitt" in html),
          "/doc/<id>: links to neighbouring sections")
    st, _, _ = srv.request("/doc/0123456789abcdef")
    check(st == 404, "/doc/<unknown id>: 404", st)
    st, _, _ = srv.request("/doc/../../etc/passwd")
    check(st == 404, "/doc/<bad id>: 404", st)

    # HEAD, methods, routes
    st, h, body = srv.request("/api/search?q=Fritidsbanken", method="HEAD")
    check(st == 200 and body == b"" and int(h.get("content-length", "0")) > 0,
          "HEAD: headers with Content-Length, no body", (st, h, body[:50]))
    for m in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        st, h, r = srv.json("/api/search?q=x", method=m)
        check(st == 405 and r and r["error"]["code"] == "method_not_allowed" and
              "GET" in h.get("allow", ""),
              "%s: 405 JSON with Allow" % m, (st, r))
    st, h, r = srv.json("/nope")
    check(st == 404 and r and r["error"]["code"] == "not_found" and
          h.get("x-content-type-options") == "nosniff", "unknown route: 404 JSON", (st, r))

    # ---------------------------------------------------------- bad input
    long_q = "a" * 513
    bad = [
        ("/api/search", "q"),
        ("/api/search?q=%00", "q"),
        ("/api/search?q=a%00b", "q"),
        ("/api/search?q=%C3%28", "q"),
        ("/api/search?q=%FF", "q"),
        ("/api/search?q=%C0%AF", "q"),
        ("/api/search?q=%ED%A0%80", "q"),
        ("/api/search?q=%ZZ", "q"),
        ("/api/search?q=%4", "q"),
        ("/api/search?q=a%01b", "q"),
        ("/api/search?q=a&q=b", "q"),
        ("/api/search?q=" + long_q, "q"),
        ("/api/search?q=x&page=0", "page"),
        ("/api/search?q=x&page=-1", "page"),
        ("/api/search?q=x&page=abc", "page"),
        ("/api/search?q=x&page=", "page"),
        ("/api/search?q=x&page=1&page=2", "page"),
        ("/api/search?q=x&page=101&per_page=100", "page"),
        ("/api/search?q=x&per_page=0", "per_page"),
        ("/api/search?q=x&per_page=101", "per_page"),
        ("/api/search?q=x&type=blog", "type"),
        ("/api/search?q=x&type=", "type"),
        ("/api/search?q=x&from=2017-02-30", "from"),
        ("/api/search?q=x&from=17-02-01", "from"),
        ("/api/search?q=x&to=2017/01/01", "to"),
        ("/api/search?q=x&from=2018-01-01&to=2017-01-01", "to"),
        ("/api/search?q=x&sort=random", "sort"),
        ("/api/search?q=x&%01=1", "query string"),
        ("/api/search?q=x&junk=%00", "query string"),
        ("/api/suggest", "q"),
        ("/api/suggest?q=%00", "q"),
        ("/api/suggest?q=" + long_q, "q"),
    ]
    rows = []
    for path, param in bad:
        try:
            st, h, r = srv.json(path)
        except Exception as e:  # a dropped connection is a failure too
            st, h, r = None, {}, repr(e)
        err = (r or {}).get("error", {}) if isinstance(r, dict) else {}
        good = (st == 400 and err.get("code") and err.get("message") and
                err.get("parameter") == param and
                h.get("x-content-type-options") == "nosniff")
        rows.append((path[:60], st, err.get("code")))
        check(good, "bad input %s -> 400 naming %s" % (path[:50], param), (st, r))
        check(srv.alive(), "healthy after %s" % path[:50])
    print("# bad-input table:")
    for row in rows:
        print("#   %-60s %s %s" % row)

    st, h, body = srv.request("/api/search?q=" + q("<script>"))
    check(b"<script>" not in body, "JSON escapes < and >", body[:200])

    # Oversized headers and bodies: refused, never a 500, server alive.
    resp = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 17000 +
                   b"\r\n\r\n")
    check(not resp.startswith(b"HTTP/1.1 200") and b" 500 " not in resp[:20],
          "headers over 16 KiB refused", resp[:80])
    check(srv.alive(), "healthy after oversized headers")
    resp = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                   b"x" * 1000)
    check(b" 500 " not in resp[:20], "a request body is refused, not a 500", resp[:80])
    check(srv.alive(), "healthy after a request body")
    resp = srv.raw(b"\x00\x01\x02garbage\r\n\r\n")
    check(b" 500 " not in resp[:20], "garbage request line: no 500", resp[:80])
    resp = srv.raw(b"GET /a\x7fb HTTP/1.1\r\nHost: x\r\n\r\n")
    check(b" 500 " not in resp[:20], "control byte in the path: no 500", resp[:80])
    check(srv.alive(), "healthy after garbage")

    # ---------------------------------------------------------- metrics, log
    st, h, body = srv.request("/metrics")
    m = body.decode()
    check(st == 200 and 'sok_http_requests_total{route="search",status="200"}' in m and
          "sok_http_request_duration_seconds_bucket" in m and
          "sok_index_revision" in m and "sok_index_documents" in m,
          "/metrics: requests, histogram, index gauges", m[:300])
    log = srv.raw_log()
    # Apache's combined format plus microseconds (test_logs.py reads it
    # with GoAccess): client, time, request line, status, bytes, referer,
    # user agent, duration.
    check(any(re.match(r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] '
                       r'"GET /healthz HTTP/1\.1" 200 \d+ "-" "[^"]*" \d+$', l)
              for l in log), "access log: combined format (client, time, request, status, "
          "bytes, referer, user agent) and usec", "\n".join(log[-5:]))
    check(all(not re.search(r"[\x00-\x1f\x7f]", l) for l in log),
          "access log: no control characters", [l for l in log if re.search(r"[\x00-\x1f\x7f]", l)][:3])

    rc = srv.stop()
    srv = None
    check(rc == 0, "SIGTERM: exit 0", rc)
finally:
    if srv is not None:
        srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
done()
