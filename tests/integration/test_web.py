#!/usr/bin/env python3
"""HTTP a website can use, checked with http.client against the real
sok-server: gzip for a client that takes it, ETag and 304, Cache-Control by
kind (a year for the hashed assets, a minute for answers, none for health),
CORS (an allowed origin's preflight and requests, and none for another),
--base-path behind a proxy (stripped or not), robots.txt, opensearch.xml,
the OpenAPI description checked against real answers (jsonschema), and a
hit that sok-index --url-map leads to the site's page."""
import gzip, json, os, re, shutil, sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, run_index, tempdir, copy_corpus
from sokutil import ServerPool, q

ORIGIN = "https://www.kommun.se"
tmp = tempdir()
pool = ServerPool()
try:
    corpus = copy_corpus(os.path.join(tmp, "corpus"))
    news = os.path.join(corpus, "nyheter")
    os.makedirs(news)
    with open(os.path.join(news, "vår nyhet.html"), "w") as f:
        f.write('<!DOCTYPE html><html lang="sv"><head><title>Nyheter</title></head><body>'
                '<article><h2 id="lana">Låna skridskor zqwxvy</h2><p>Hos oss kan du låna '
                'skridskor zqwxvy gratis hela vintern.</p></article>'
                '<article><h2>Utan ankare zqwxvy</h2><p>Den här rubriken har inget id, '
                'men texten nämner zqwxvy också.</p></article></body></html>')
    db = os.path.join(tmp, "db")
    rc, out, err = run_index(db, corpus, args=("--url-map", news + "=https://www.kommun.se/nyheter"))
    check(rc == 0, "sok-index with --url-map", err)
    srv = pool.start(db, "--cors-origin", ORIGIN)

    # ------------------------------------------------------------- gzip
    path = "/?q=" + q("Fritidsbanken")
    st, h, plain = srv.request(path)
    st2, h2, zipped = srv.request(path, headers={"Accept-Encoding": "gzip, deflate"})
    check(st == 200 and "content-encoding" not in h and "Accept-Encoding" in h.get("vary", ""),
          "no Accept-Encoding: identity, Vary: Accept-Encoding", h)
    check(st2 == 200 and h2.get("content-encoding") == "gzip" and
          gzip.decompress(zipped) == plain and len(zipped) < len(plain) / 2,
          "Accept-Encoding: gzip: the same page compressed (%d -> %d bytes)"
          % (len(plain), len(zipped)), h2)
    st, h, _ = srv.request(path, headers={"Accept-Encoding": "gzip;q=0, br"})
    check("content-encoding" not in h, "gzip;q=0 is refused, not sent", h)
    st, h, body = srv.request("/api/search?q=" + q("hälsa"), headers={"Accept-Encoding": "gzip"})
    check(st == 200 and h.get("content-encoding") == "gzip" and
          json.loads(gzip.decompress(body))["total"] > 0, "JSON answers are compressed too", h)
    st, h, body = srv.request(path, method="HEAD", headers={"Accept-Encoding": "gzip"})
    check(st == 200 and body == b"" and int(h.get("content-length", 0)) == len(zipped),
          "HEAD announces the compressed length", h)

    # --------------------------------------------------- ETag, 304, ages
    st, h, page = srv.request("/")
    m = re.search(r'href="(/assets/style\.css\?v=[0-9a-f]{16})"', page.decode())
    js = re.search(r'src="(/assets/app\.js\?v=[0-9a-f]{16})"', page.decode())
    check(m and js, "the page links its assets with their hash", page[:600])
    asset = m.group(1) if m else "/assets/style.css"
    st, h, css = srv.request(asset)
    tag = h.get("etag", "")
    check(st == 200 and "max-age=31536000" in h.get("cache-control", "") and
          "immutable" in h.get("cache-control", "") and tag.startswith('W/"'),
          "asset: a year's max-age, immutable, an ETag", h)
    st, h, body = srv.request(asset, headers={"If-None-Match": tag})
    check(st == 304 and body == b"" and h.get("etag") == tag,
          "a repeated asset request with If-None-Match: 304, no body", (st, h))
    st, h, body = srv.request(asset, headers={"If-None-Match": 'W/"0000000000000000"'})
    check(st == 200 and body == css, "another ETag: the asset again", st)
    st, h, body = srv.request(path)
    st2, h2, body2 = srv.request(path, headers={"If-None-Match": h.get("etag", "x")})
    check(h.get("cache-control") == "public, max-age=60" and st2 == 304 and body2 == b"",
          "an answer: a minute's max-age, and 304 when unchanged", (h, st2))
    st, h, _ = srv.request("/healthz")
    check(h.get("cache-control") == "no-cache" and "etag" not in h,
          "/healthz: no-cache, no ETag", h)
    st, h, _ = srv.request("/api/search?q=x&page=0")
    check(st == 400 and h.get("cache-control") == "no-cache", "an error: no-cache", h)

    # ------------------------------------------------------------- CORS
    pre = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET",
           "Access-Control-Request-Headers": "accept"}
    st, h, body = srv.request("/api/search?q=x", method="OPTIONS", headers=pre)
    check(st == 204 and body == b"" and h.get("access-control-allow-origin") == ORIGIN and
          "GET" in h.get("access-control-allow-methods", "") and
          h.get("access-control-allow-headers") == "accept" and
          "access-control-max-age" in h, "CORS preflight from the allowed origin: 204 with its headers", h)
    st, h, body = srv.request("/api/search?q=x", method="OPTIONS",
                              headers=dict(pre, Origin="https://evil.example"))
    check(st == 204 and not any(k.startswith("access-control-allow") for k in h),
          "CORS preflight from another origin: no CORS headers", h)
    st, h, _ = srv.request("/api/search?q=" + q("hälsa"), headers={"Origin": ORIGIN})
    check(st == 200 and h.get("access-control-allow-origin") == ORIGIN and "Origin" in h.get("vary", ""),
          "a GET from the allowed origin carries Access-Control-Allow-Origin", h)
    st, h, _ = srv.request("/api/search?q=" + q("hälsa"), headers={"Origin": "https://evil.example"})
    check(st == 200 and "access-control-allow-origin" not in h, "a GET from another origin: none", h)
    st, h, _ = srv.request("/", headers={"Origin": ORIGIN})
    check("access-control-allow-origin" not in h, "the page itself is not shared across origins", h)
    st, h, r = srv.json("/api/search?q=x", method="OPTIONS")
    check(st == 405 and r["error"]["code"] == "method_not_allowed",
          "OPTIONS that is no preflight: still 405", (st, r))

    # -------------------------------------------------- robots, opensearch
    st, h, body = srv.request("/robots.txt")
    check(st == 200 and h.get("content-type", "").startswith("text/plain") and
          b"Disallow: /api/" in body and b"User-agent: *" in body, "robots.txt", body)
    st, h, body = srv.request("/opensearch.xml", headers={"Host": "sok.kommun.se"})
    ns = {"o": "http://a9.com/-/spec/opensearch/1.1/"}
    try:
        x = ET.fromstring(body)
        urls = {u.get("type"): u.get("template") for u in x.findall("o:Url", ns)}
    except ET.ParseError as e:
        urls = {"error": str(e)}
    check(st == 200 and "opensearchdescription+xml" in h.get("content-type", "") and
          urls.get("text/html") == "http://sok.kommun.se/?q={searchTerms}",
          "opensearch.xml: well-formed, the page's template", (urls, body[:300]))
    st, h, page = srv.request("/")
    check(b'rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml"' in page,
          "the page names its OpenSearch description", page[:800])

    # ----------------------------------------------------- the url map
    st, _, r = srv.json("/api/search?q=zqwxvy")
    urls = sorted(x["url"] for x in r["hits"]) if st == 200 else []
    check(urls == ["https://www.kommun.se/nyheter/v%C3%A5r%20nyhet.html",
                   "https://www.kommun.se/nyheter/v%C3%A5r%20nyhet.html#lana"],
          "a url-mapped hit: the site's address, #anchor for a heading with an id", urls)
    st, _, body = srv.request("/?q=zqwxvy")
    html = body.decode()
    check('<h3><a href="https://www.kommun.se/nyheter/v%C3%A5r%20nyhet.html#lana">' in html and
          re.search(r'<a class="text" href="/doc/[0-9a-f]{16}\?q=zqwxvy">Visa text</a>', html),
          "the page links the hit to the site and keeps /doc/<id> as 'Visa text'", html[-1500:])
    st, _, r = srv.json("/api/search?q=Fritidsbanken")
    check(st == 200 and all(x["url"].startswith("/doc/") for x in r["hits"]),
          "files outside the map keep /doc/<id>", [x["url"] for x in r["hits"]])

    # ---------------------------------------------------------- OpenAPI
    st, h, spec = srv.json("/api/openapi.json")
    check(st == 200 and spec and spec.get("openapi", "").startswith("3.1") and
          spec["servers"] == [{"url": "/"}], "/api/openapi.json: OpenAPI 3.1", spec and spec.get("servers"))
    try:
        import warnings
        import jsonschema
        warnings.simplefilter("ignore", DeprecationWarning)   # RefResolver, newer releases
        resolver = jsonschema.RefResolver.from_schema(spec)
        def valid(name, doc):
            try:
                jsonschema.Draft202012Validator({"$ref": "#/components/schemas/" + name},
                                                resolver=resolver).validate(doc)
                return ""
            except jsonschema.ValidationError as e:
                return "%s at %s" % (e.message, list(e.absolute_path))
        answers = [("SearchResponse", "/api/search?q=" + q(s)) for s in
                   ("Fritidsbanken", "hälsa", "Fritidsbankn", "zqwxvy", "!!!", "xyzzyqq",
                    '"unclosed')] + \
                  [("SearchResponse", "/api/search?q=h%C3%A4lsa&type=minutes&type=news&sort=date&per_page=3&page=2"),
                   ("SearchResponse", "/api/search?q=h%C3%A4lsa&from=2017-01-01&to=2018-12-31"),
                   ("SuggestResponse", "/api/suggest?q=frit"),
                   ("Error", "/api/search?q=x&page=0"), ("Error", "/api/search"),
                   ("Error", "/api/suggest?q=%FF")]
        bad = []
        for name, p in answers:
            st, _, doc = srv.json(p)
            code = {"Error": "400"}.get(name, "200")
            declared = spec["paths"][p.split("?")[0]]["get"]["responses"]
            why = valid(name, doc) if doc is not None else "not JSON"
            if str(st) != code or code not in declared or why:
                bad.append((p, st, why))
        check(not bad, "%d real answers match the OpenAPI schemas" % len(answers), bad)
        params = {x["name"] for x in spec["paths"]["/api/search"]["get"]["parameters"]}
        check(params == {"q", "page", "per_page", "type", "from", "to", "sort"},
              "the described parameters are the contract's", params)
    except ImportError:
        check(False, "python3-jsonschema is installed (make test-deps)")
    for p in spec.get("paths", {}) if spec else {}:
        st, _, _ = srv.request(p + "?q=a")
        check(st == 200, "described path %s is served" % p, st)

    # ------------------------------------------------------- base path
    b = pool.start(db, "--base-path", "/sok/")
    st, h, body = b.request("/sok/?q=" + q("Fritidsbanken"))
    html = body.decode()
    links = set(re.findall(r'(?:href|src|action)="([^"#][^"]*)"', html))
    ours = [l for l in links if not l.startswith("http")]
    check(st == 200 and ours and all(l.startswith("/sok/") for l in ours) and
          'action="/sok/"' in html and any(l.startswith("/sok/doc/") for l in ours),
          "--base-path /sok: every link of the page under /sok/", sorted(links))
    fetched = {l: b.request(l)[0] for l in ours if "/assets/" in l or "/doc/" in l or "opensearch" in l}
    check(fetched and all(s == 200 for s in fetched.values()),
          "--base-path: the page's assets, texts and description are served there", fetched)
    st, _, r = b.json("/sok/api/search?q=Fritidsbanken")
    check(st == 200 and r["hits"] and all(x["url"].startswith("/sok/doc/") for x in r["hits"]),
          "--base-path: the API's own urls carry it", r and [x["url"] for x in r["hits"]])
    st, _, r = b.json("/api/search?q=Fritidsbanken")
    check(st == 200 and r["total"] > 0, "--base-path: a proxy that strips the prefix works too", st)
    st, _, body = b.request("/sok/robots.txt")
    st2, _, spec2 = b.json("/sok/api/openapi.json")
    check(b"Disallow: /sok/api/" in body and spec2 and spec2["servers"] == [{"url": "/sok"}],
          "--base-path: robots.txt and the OpenAPI servers name it", (body, spec2 and spec2["servers"]))
    st, _, _ = b.request("/sokx/")
    check(st == 404, "--base-path: /sokx is not /sok", st)
finally:
    pool.stop_all()
    shutil.rmtree(tmp, ignore_errors=True)
done()
