#!/usr/bin/env python3
"""The fuzzers of make reliability (scenario 5), briefly: every libFuzzer
target of tests/fuzz for 4 s from its seeds (tests/reliability/fuzz.py),
then 1,500 generated and mutated requests against the ASan/UBSan server
(tests/reliability/request_fuzz.py).  make test builds build/fuzz/
(make fuzz-bins) and build/san/sok-server first; without them the checks
are skipped, never silently passed.  About 45 s in all."""
import os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "reliability"))
from harness import check, skip, done, ROOT      # noqa: E402
import fuzz, request_fuzz                         # noqa: E402

SECONDS = int(os.environ.get("SOK_FUZZ_SECONDS", "4"))
REQUESTS = int(os.environ.get("SOK_FUZZ_REQUESTS", "1500"))
BUILD = os.path.join(ROOT, "build", "fuzz")

if not fuzz.targets(BUILD):
    skip("libFuzzer targets", "build/fuzz/ not built (make fuzz-bins)")
else:
    for n in fuzz.all_targets():
        if not os.access(os.path.join(BUILD, n), os.X_OK):
            check(False, "fuzz %s: built in build/fuzz/" % n)
            continue
        r = fuzz.run_target(BUILD, n, SECONDS)
        check(r["ok"] and r["execs"] > 0, fuzz.line(r),
              open(r["log"]).read()[-3000:] if r["log"] else "")

if os.access(request_fuzz.SAN_SERVER, os.X_OK):
    r = request_fuzz.run(REQUESTS)
    check(r["ok"], request_fuzz.line(r),
          "\n".join("%r: %s" % b for b in r["bad"]))
else:
    skip("requests against the sanitizer build",
         "build/san/sok-server not built (make SAN=address,undefined build)")
done()
