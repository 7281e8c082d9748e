#!/usr/bin/env bash
# run_tests.sh — runs each cmocka test binary, keeps going after a failure so
# one report shows everything, and ends with one "N passed, N failed" line.
set -uo pipefail
passed=0; failed=0; failed_names=()
for t in "$@"; do
  if "$t"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failed_names+=("$(basename "$t")")
  fi
done
echo
[ $failed -gt 0 ] && echo "failed test programs: ${failed_names[*]}"
echo "test programs: $passed passed, $failed failed"
[ $failed -eq 0 ]
