"""Scenario 6: queries of death.

The searches that take other engines down: twenty ORed wildcards (single
letters among them), two thousand terms, page 10^6, brackets nested
hundreds deep, two hundred phrases.  Each is answered (a 200, or a 400
with the contract's JSON error) within 300 ms, every time it is sent, with
the response cache off; meanwhile probes on other connections search as
residents would and stay about as fast as they were at rest.  There are
four probes so that one at least (but for one run in sixteen) shares its
server loop with the connection the queries of death come on: that one is
held up if a search runs on the thread that reads its connection.

The probes' limits are their own speed at rest in the same run, scaled:
a shared 2-core CI machine is twice as slow as an idle one, and a fixed
50 ms failed there (p99 64 ms with a p50 of 20) while the fault it guards
against, a probe queued behind whole queries of death, put the worst
probe's p50 at 109-123 ms."""
import http.client, json, os, random, shutil, time

from relib import CORPUS, Probe, Result, Server, gen_corpus, pct, q, run_index, tempdir

LIMIT_MS = 300
PROBE_P99_MS = 50   # floors: the limits are never tighter than these
PROBE_P50_MS = 25
P99_OVER_REST = 8   # probe p99 under attack / probe p50 at rest
P50_OVER_REST = 3   # worst probe's p50 under attack / probe p50 at rest
QMAX = 512          # the bytes q may hold (CONTRACT.md)


def fill(parts, sep, limit=QMAX):
    """As many of parts, joined by sep, as fit in the q the contract takes."""
    out = ""
    for p in parts:
        nxt = p if not out else out + sep + p
        if len(nxt.encode()) > limit:
            break
        out = nxt
    return out


def queries():
    """(name, path): the issue's shapes as given (most are over the 512 bytes
    q may hold, so a 400 must come back at once), and each also at the
    longest the contract lets through, which the engine must run."""
    rng = random.Random(6)
    letters = "abcdefghijklmnoprstuvyäö"
    # Three letters and more: a shorter prefix is searched as a word.
    prefixes = ["för", "bar", "kom", "sta", "ans", "utb", "ink", "sko", "pro", "arb",
                "soc", "beh", "fam", "stö", "upp", "ver", "tjä", "off", "mot", "del"]
    short = [a + b for a in letters for b in letters]
    rng.shuffle(short)
    words = (short * 4)[:2000]
    phrases = ['"%s %s"' % (rng.choice(short), rng.choice(short)) for _ in range(200)]
    depth = (QMAX - 20) // 2
    return [
        ("20 ORed wildcards", "/api/search?q=" + q(" OR ".join(p + "*" for p in prefixes))),
        ("20 wildcards", "/api/search?q=" + q(" ".join(p + "*" for p in prefixes))),
        ("2,000 terms", "/api/search?q=" + "+".join(q(w) for w in words)),
        ("terms to the limit", "/api/search?q=" + q(fill(words, " "))),
        ("page 10^6", "/api/search?q=kommun&page=1000000"),
        ("page 10^6 of the page", "/?q=barn&page=1000000"),
        ("the last page", "/api/search?q=" + q("s* OR b* OR k*") + "&page=1000"),
        ("brackets 400 deep", "/api/search?q=" + q("(" * 400 + "barn OR stöd" + ")" * 400)),
        ("brackets %d deep" % depth, "/api/search?q=" + q("(" * depth + "barn OR stöd" + ")" * depth)),
        ("brackets unbalanced", "/api/search?q=" + q("(" * (QMAX - 10) + "barn")),
        ("200 phrases", "/api/search?q=" + q(" ".join(phrases))),
        ("phrases to the limit", "/api/search?q=" + q(fill(phrases, " "))),
        ("ORed phrases to the limit", "/api/search?q=" + q(fill(phrases, " OR "))),
        ("negations to the limit", "/api/search?q=" + q(fill(["barn"] + ["-" + w for w in short], " "))),
        ("wildcards in phrases", "/api/search?q=" + q(fill(['"%s* %s*"' % (a, b) for a, b in
                                                             zip(prefixes, reversed(prefixes))], " OR "))),
    ]


def ask(conn, path):
    t = time.monotonic()
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    ms = (time.monotonic() - t) * 1e3
    try:
        parsed = json.loads(body) if r.getheader("Content-Type", "").startswith("application/json") else True
    except ValueError:
        parsed = None
    return r.status, parsed, ms


def run(quick=False):
    res = Result("query of death")
    tmp = tempdir("qod")
    srv = None
    probes = []
    try:
        corpus = os.path.join(tmp, "corpus")
        db = os.path.join(tmp, "db")
        gen_corpus(os.path.join(corpus, "gen"), 2000 if quick else 10000, seed=5)
        shutil.copytree(CORPUS, os.path.join(corpus, "seed"))
        rc, out, err = run_index(db, corpus)
        res.expect(rc == 0, "index: exit %d %s" % (rc, err[-300:]))
        srv = Server(db, "--quiet", "--cache-mb", "0")
        probes = [Probe(srv.port, pause=0.05) for _ in range(4)]
        for p in probes:
            p.start()
        time.sleep(1.0)
        rest = [x for p in probes for x in p.lat]
        marks = [len(p.lat) for p in probes]
        reps = 2 if quick else 5
        worst = {}
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        for _ in range(reps):
            for name, path in queries():
                try:
                    st, parsed, ms = ask(conn, path)
                except (OSError, http.client.HTTPException) as e:
                    res.expect(False, "%s: %r" % (name, e))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
                    continue
                worst[name] = max(worst.get(name, 0.0), ms)
                res.expect(st in (200, 400) and parsed is not None,
                           "%s: HTTP %d, body %s" % (name, st, "parsed" if parsed else "not JSON"))
                res.expect(ms <= LIMIT_MS, "%s: %.0f ms" % (name, ms))
        conn.close()
        time.sleep(0.5)
        for p in probes:
            p.stop()
        under = [p.lat[m:] for p, m in zip(probes, marks)]
        lat = [x for u in under for x in u]
        failures = [x for p in probes for x in p.failures]
        p99 = pct(lat, 99)
        rest50 = pct(rest, 50) if rest else 0.0
        worst50 = max(pct(u, 50) for u in under if u) if lat else 0.0
        lim99 = max(PROBE_P99_MS, P99_OVER_REST * rest50)
        lim50 = max(PROBE_P50_MS, P50_OVER_REST * rest50)
        slowest = max(worst, key=worst.get) if worst else "-"
        res.fig("%d kinds x %d, slowest %s %.0f ms (limit %d)" % (len(worst), reps, slowest,
                                                                   worst.get(slowest, 0), LIMIT_MS))
        res.fig("4 probes at rest p50 %.1f ms; under attack %d searches, p50 %.1f ms, p99 %.1f ms "
                "(limit %.0f), worst probe's p50 %.1f ms (limit %.0f), %d failed"
                % (rest50, len(lat), pct(lat, 50), p99, lim99, worst50, lim50, len(failures)))
        res.expect(lat, "the probes searched nothing under attack")
        res.expect(p99 < lim99, "probe p99 %.1f ms, limit %.0f" % (p99, lim99))
        res.expect(worst50 < lim50, "worst probe's p50 %.1f ms, limit %.0f" % (worst50, lim50))
        res.expect(not failures, "probe failures: %s" % failures[:3])
        res.expect(srv.alive(), "the server stopped answering")
        res.details = worst
    finally:
        for p in probes:
            p.stop()
        if srv is not None:
            res.expect(srv.stop() == 0, "server exit")
        shutil.rmtree(tmp, ignore_errors=True)
    return res.finish()
