#!/usr/bin/env bash
# Runs the unit test binaries in $1 (cmocka) and the integration scripts in
# $2 (which print TAP lines "ok ..." / "not ok ...", "ok ... # SKIP why" for a
# skip), then prints one closing line "N passed, N failed".  Skipped tests
# count as neither: the line before it names them, so a skip is never silent.
# Exits non-zero when anything failed.
set -u
unit_dir=${1:-}
integ_dir=${2:-}
passed=0
failed=0
skipped=0
skipped_names=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ -n "$unit_dir" ]; then
  for t in "$unit_dir"/test_*; do
    [ -x "$t" ] || continue
    echo "-- $(basename "$t")"
    # ASan/UBSan reports go to stderr; any report fails the binary.
    "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    if [ "${s:-0}" != 0 ]; then
      skipped=$((skipped + s))
      skipped_names="$skipped_names $(basename "$t") ($s)"
    fi
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ $rc -ne 0 ] && [ "${f:-0}" = 0 ]; then
      echo "!! $(basename "$t") exited $rc"
      failed=$((failed + 1))
    fi
  done
fi

if [ -n "$integ_dir" ]; then
  echo "== integration tests (real sok-index and sok-server on 127.0.0.1) =="
  for t in "$integ_dir"/test_*.py; do
    [ -f "$t" ] || continue
    echo "-- $(basename "$t")"
    timeout 600 /usr/bin/python3 "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    s=$(grep -c '^ok .*# SKIP' "$log")
    p=$(($(grep -c '^ok ' "$log") - s))
    f=$(grep -c '^not ok ' "$log")
    if [ "$s" != 0 ]; then
      skipped=$((skipped + s))
      skipped_names="$skipped_names $(basename "$t") ($s)"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
      echo "!! $(basename "$t") exited $rc"
      failed=$((failed + 1))
    fi
  done
fi

[ "$skipped" = 0 ] || echo "$skipped skipped:$skipped_names"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
