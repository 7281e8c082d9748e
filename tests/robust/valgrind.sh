#!/usr/bin/env bash
# valgrind.sh — caseflow under valgrind memcheck (make valgrind).
#
# Runs the default scenario with 2 replications, then the same with trial 1
# made to fail (CASEFLOW_TEST_FAIL_TRIAL; exit 6 expected) and its --resume,
# which reads the first file back. Memory errors or definite / possible
# leaks make valgrind exit 1; HDF5's and GSL's "still reachable" blocks are
# fine (HDF5's exit handler is switched off, see sim/cli_main.c).
set -uo pipefail
bin=${B:-build}/caseflow
dir=$(mktemp -d /tmp/caseflow-valgrind-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail=0
check() { # expected-exit-code description command...
  local want=$1 what=$2; shift 2
  $VALGRIND "$@" >"$dir/out.txt" 2>"$dir/err.txt"
  local rc=$?
  if [ $rc -ne "$want" ]; then
    echo "valgrind: $what: exit $rc, expected $want"; cat "$dir/err.txt"; fail=1
  else
    echo "valgrind: $what: clean"
  fi
}
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT
check 0 "default scenario, 2 replications" "$bin" run configs/default.cfg --reps 2 -o "$dir/default.h5" --quiet
CASEFLOW_TEST_FAIL_TRIAL=1 check 6 "a failed trial" "$bin" run configs/default.cfg --reps 2 -o "$dir/failed.h5" --quiet
check 0 "--resume of it" "$bin" run configs/default.cfg --reps 2 -o "$dir/failed.h5" --resume --quiet
exit $fail
