#!/usr/bin/env bash
# test_bench_args.sh — bench_engine refuses sizes it cannot measure instead
# of dying: `bench_engine mm1 N` with N < 20 divided by N / 20 = 0 (SIGFPE).
# Every N below 20, 0, a negative and a non-number must give exit 2 with a
# message; N = 20 must run.
set -uo pipefail
bin=${BENCH_ENGINE:-build/bench/bench_engine}
fail() { echo "test-bench-args: FAILED: $*"; exit 1; }
for n in 0 1 5 19 -3 abc; do
  err=$("$bin" mm1 "$n" 1 1 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || fail "mm1 $n: exit $rc, expected 2 ($err)"
  case $err in *CUSTOMERS*) ;; *) fail "mm1 $n: no message naming CUSTOMERS: $err" ;; esac
done
"$bin" mm1 20 1 1 >/dev/null || fail "mm1 20: exit $?"
"$bin" hold 0 10 1 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "hold 0: exit $rc, expected 2"
echo "test-bench-args: sizes below 20 customers refused with exit 2, 20 runs"
