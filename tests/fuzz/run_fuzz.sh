#!/usr/bin/env bash
# run_fuzz.sh SECONDS BUILD_DIR — runs both libFuzzer targets side by side
# for SECONDS each (one per core), then replays their corpora once with
# LeakSanitizer on, and says what they found.
#
# Corpora: BUILD_DIR/work/corpus/<target> (grows, kept between runs) plus the
# hand-made seeds in tests/fuzz/corpus/<target>; the study target also starts
# from every configs/*.cfg. The dictionary is tests/fuzz/caseflow.dict plus
# every key of configs/README.md's reference table. A crash, leak, UB report
# or timeout is saved as BUILD_DIR/work/artifacts/<target>-crash-* (or
# leak-, timeout-, oom-); once fixed, copy it to tests/fuzz/regressions/<target>/.
set -uo pipefail
secs=${1:?usage: run_fuzz.sh SECONDS BUILD_DIR}
fb=${2:?usage: run_fuzz.sh SECONDS BUILD_DIR}
work=$fb/work
mkdir -p "$work/corpus/study" "$work/corpus/override" "$work/artifacts"
cp -n configs/*.cfg "$work/corpus/study/" 2>/dev/null || true

dict=$work/caseflow.dict
cp tests/fuzz/caseflow.dict "$dict"
grep -o '^| `[a-z_.]*`' configs/README.md 2>/dev/null | sed 's/^| `//; s/`$//' | sort -u |
  while read -r k; do printf '"%s"\n"%s="\n"%s"\n' "$k" "$k" "${k##*.}"; done | sort -u >> "$dict"

# libconfig's own leak (see tests/fuzz/lsan.supp) is not ours to report.
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Leaks are looked for in a second pass over the corpus, not while fuzzing:
# libconfig's own leak makes libFuzzer run LeakSanitizer after most inputs
# with a syntax error, which slowed the study target to 50 inputs/s.
common=(-dict="$dict" -timeout=30 -rss_limit_mb=2048 -max_total_time="$secs" -print_final_stats=1 -detect_leaks=0)
"$fb/fuzz_study" "$work/corpus/study" tests/fuzz/corpus/study "${common[@]}" -max_len=16384 \
  -artifact_prefix="$work/artifacts/study-" >"$work/study.log" 2>&1 &
p1=$!
"$fb/fuzz_override" "$work/corpus/override" tests/fuzz/corpus/override "${common[@]}" -max_len=2048 \
  -artifact_prefix="$work/artifacts/override-" >"$work/override.log" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?

# The leak pass: every corpus input once, LeakSanitizer on.
"$fb/fuzz_study" -runs=0 "$work/corpus/study" tests/fuzz/corpus/study \
  -artifact_prefix="$work/artifacts/study-" >"$work/study-leaks.log" 2>&1
l1=$?
"$fb/fuzz_override" -runs=0 "$work/corpus/override" tests/fuzz/corpus/override \
  -artifact_prefix="$work/artifacts/override-" >"$work/override-leaks.log" 2>&1
l2=$?

status=0
for t in study override; do
  lrc=$l1; [ $t = override ] && lrc=$l2
  if [ $lrc -ne 0 ]; then
    status=1
    echo "fuzz $t: the leak pass over the corpus FOUND A PROBLEM (exit $lrc); log $work/$t-leaks.log:"
    grep -E -A30 'ERROR: |runtime error|fuzz check failed|Test unit written' "$work/$t-leaks.log" | head -60
  fi
done
for t in study override; do
  rc=$r1; [ $t = override ] && rc=$r2
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$' | tail -1)
  last=$(grep -E '^#[0-9]+' "$work/$t.log" | tail -1)
  echo "fuzz $t: ${secs} s, ${runs:-?} inputs; ${last:-no progress line}"
  if [ $rc -ne 0 ]; then
    status=1
    echo "fuzz $t: FOUND A PROBLEM (exit $rc); log $work/$t.log:"
    grep -E -A30 'ERROR: |==[0-9]+==|runtime error|fuzz check failed|Test unit written' "$work/$t.log" | head -60
  fi
done
[ $status -eq 0 ] || echo "fix it, then copy the artifact into tests/fuzz/regressions/<target>/"
exit $status
