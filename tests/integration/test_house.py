#!/usr/bin/python3
"""The house rules a reviewer would otherwise check by hand, on the sources of
common/, indexer/ and server/: no .c/.cc file longer than 800 lines, no
function longer than 120 (pmccabe counts them), no unit test that includes a
.c file, and every error message written once (the literal messages given to
sok_err_set and sok_reply_error).  Prints the ten longest files and
functions, the command to list them being

    pmccabe common/*.c common/*.cc indexer/*.c server/*.c | sort -k5 -nr | head
"""
import collections, glob, os, re, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

MAX_FILE, MAX_FUNC = 800, 120
# The Xapian shim is the project's one C++ file (the stack allows no other,
# and no other file may include Xapian): 45 exported functions, each a
# signature, a guarded body and its contract, do not fit in 800 lines.  It
# gets its own ceiling, so that it cannot grow unseen.  Raised from 1075
# for shards (issue 17): Xapian::Remote::open, taking a failing remote shard
# out of the combined database (Xapian 1.4 has no skip-on-failure) and
# ValueCountMatchSpy facets for remote shards can only be written here;
# to 1320 for the facet columns (issue 14), read from value streams; to
# 1395 for the docid set a search's second pass ranks, which only a
# Xapian::PostingSource can express, and a hit's data read by docid when
# it is looked at (issue 14); to 1405 for facets counted by column value
# id, whose names only the shim's columns hold (issue 14).
CEILING = {"common/sok_xapian.cc": 1405}
src = sorted(f for d in ("common", "indexer", "server")
             for f in glob.glob(os.path.join(ROOT, d, "*.c")) + glob.glob(os.path.join(ROOT, d, "*.cc")))
rel = lambda f: os.path.relpath(f, ROOT)

lines = sorted(((sum(1 for _ in open(f, encoding="utf-8")), rel(f)) for f in src), reverse=True)
print("# longest files:")
for n, f in lines[:10]:
    print("#   %5d %s" % (n, f))
over = [(n, f) for n, f in lines if n > CEILING.get(f, MAX_FILE)]
check(not over, "no source file is longer than %d lines (%s: %s)"
      % (MAX_FILE, ", ".join(CEILING), ", ".join(map(str, CEILING.values()))), over)

p = subprocess.run(["pmccabe", *src], capture_output=True, text=True)
funcs = []
for line in p.stdout.splitlines():
    w = line.split("\t")
    if len(w) >= 6:
        funcs.append((int(w[4]), os.path.relpath(w[5].split("(")[0], ROOT) + "(" + w[5].split("(", 1)[1]))
funcs.sort(reverse=True)
print("# longest functions (lines, file(first line): name):")
for n, f in funcs[:10]:
    print("#   %5d %s" % (n, f))
check(p.returncode == 0 and len(funcs) > 100, "pmccabe measured every function (%d)" % len(funcs), p.stderr)
over = [(n, f) for n, f in funcs if n > MAX_FUNC]
check(not over, "no function is longer than %d lines" % MAX_FUNC, over)

inc = []
for f in glob.glob(os.path.join(ROOT, "tests", "unit", "*.c")):
    for i, line in enumerate(open(f, encoding="utf-8"), 1):
        if re.match(r'\s*#\s*include\s+"[^"]*\.c"', line):
            inc.append("%s:%d" % (rel(f), i))
check(not inc, "no unit test includes a .c file", inc)

# The message of an error call: the first string literal after the code.
# A message that is only a format ("%s: %s"), or one whose first argument is
# __func__, says something different at each place.
CALL = re.compile(r'\b(?:sok_err_set|sok_reply_error)\s*\(\s*[^,]+,\s*[A-Z_]+\s*,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)'
                  r'(,\s*__func__)?', re.S)
seen = collections.defaultdict(list)
for f in src:
    text = open(f, encoding="utf-8").read()
    for m in CALL.finditer(text):
        msg = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
        if m.group(2) or not re.sub(r"%[a-z]+", "", msg).strip(" :"):
            continue
        seen[msg].append("%s:%d" % (rel(f), text.count("\n", 0, m.start()) + 1))
dup = {m: w for m, w in seen.items() if len(w) > 1}
check(len(seen) > 50 and not dup, "each of the %d error messages is written once" % len(seen),
      "\n".join("%r: %s" % (m, ", ".join(w)) for m, w in dup.items()))
done()
