#!/usr/bin/env python3
"""The short versions of make reliability's scenarios that no other test
here already holds: reads while the indexer commits every 5 s under wrk
(cache on and off), queries of death beside a probe, dribbling clients
and descriptor exhaustion (tests/reliability/; crash, lock, disk full,
HTTP limits and poisoned documents have their own tests in this folder).
Real binaries on 127.0.0.1, bounded in time; each scenario's line with
its figures is printed as the check's name."""
import os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "reliability"))
from harness import check, done
import run as reliability

for name in ("rw", "qod", "slow"):
    for r in reliability.run_one(name, quick=True):
        check(r.ok, r.line(), "\n".join(r.failures))
done()
