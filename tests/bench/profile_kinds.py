#!/usr/bin/python3
"""Where sok's query time goes, per kind of make bench's mix: runs
build/bench/inproc under `perf record` on one kind's queries at a time
(the mix of the last make bench, BUILD/bench/query-mix.json) and prints the
top functions by self time, and by time including callees.

    /usr/bin/python3 tests/bench/profile_kinds.py INDEX_DIR [BUILD] [--rounds N] [--top N] [--mix FILE]

perf comes from Debian's linux-perf.  Self time only; samples of the whole
process, so the start (loading the compound lexicon: lex_add,
sok_lexicon_load) and inproc's one warm-up pass are included: use enough
--rounds (20) that they are a small share.
"""
import collections, json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def top(data, sort, n):
    """The first n rows of perf report (self time, no call chains: Debian's
    libxapian has no frame pointers, so inclusive times would be guesses)."""
    cmd = ["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", sort,
           "--percent-limit", "1", "-g", "none"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith("%") and not line.lstrip().startswith("#"):
            name = " ".join(p for p in parts[1:] if p not in ("[.]", "[k]", "-"))
            rows.append(f"{parts[0]} {name}")
        if len(rows) >= n:
            break
    return rows


def main():
    a = sys.argv[1:]
    rounds = int(a[a.index("--rounds") + 1]) if "--rounds" in a else 20
    n = int(a[a.index("--top") + 1]) if "--top" in a else 12
    pos = [x for i, x in enumerate(a) if not x.startswith("--") and (i == 0 or not a[i - 1].startswith("--"))]
    db, build = pos[0], (pos[1] if len(pos) > 1 else "build")
    mixf = a[a.index("--mix") + 1] if "--mix" in a else os.path.join(build, "bench", "query-mix.json")
    mix = json.load(open(mixf, encoding="utf-8"))
    kinds = collections.OrderedDict()
    for q in mix:
        kinds.setdefault(q["kind"], []).append(q)
    work = os.path.join(build, "bench", "profile")
    os.makedirs(work, exist_ok=True)
    inproc = os.path.join(build, "bench", "inproc")
    for k, qs in kinds.items():
        qf = os.path.join(work, f"{k}.qs")
        with open(qf, "w", encoding="utf-8") as fh:
            fh.write("".join(bench.sok_qs(q) + "\n" for q in qs))
        data = os.path.join(work, f"{k}.perf")
        p = subprocess.run(["perf", "record", "-q", "-F", "1999", "-o", data, "--", inproc, "--db", db,
                            "--queries", qf, "--rounds", str(rounds), "--warmup", "1"],
                           capture_output=True, text=True)
        last = [l for l in p.stdout.splitlines() if l.startswith("#")]
        print(f"## {k} ({len(qs)} queries × {rounds}): {last[-1] if last else p.stderr[-300:]}")
        print("by library: " + "; ".join(top(data, "dso", 6)))
        print("functions:  " + "; ".join(top(data, "dso,symbol", n)))
        print()


if __name__ == "__main__":
    main()
