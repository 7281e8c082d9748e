#!/usr/bin/env bash
# test_full_disk.sh — a run onto a full disk (a 64 KiB tmpfs).
#
# Expects exit 3 with one message, no partial file left beside the target,
# and an earlier file of that name untouched. Needs root and a kernel that
# lets it mount tmpfs; anywhere else it says so and passes (tests/test_robust.c
# covers the same with RLIMIT_FSIZE, unprivileged).
set -uo pipefail
bin=${CASEFLOW_BIN:-build/caseflow}
if [ "$(id -u)" -ne 0 ]; then echo "test-full-disk: not root: skipped"; exit 0; fi
mnt=$(mktemp -d /tmp/caseflow-fulldisk-XXXXXX)
if ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
  rmdir "$mnt"; echo "test-full-disk: cannot mount a tmpfs here: skipped"; exit 0
fi
errf=$(mktemp /tmp/caseflow-fulldisk-err-XXXXXX)
trap 'umount "$mnt"; rmdir "$mnt"; rm -f "$errf"' EXIT
fail() { echo "test-full-disk: FAILED: $*"; exit 1; }
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT

echo "an earlier result" >"$mnt/out.h5"
"$bin" run configs/default.cfg --reps 4 -o "$mnt/out.h5" --force --quiet 2>"$errf"
rc=$?; err=$(cat "$errf")
[ $rc -eq 3 ] || fail "exit $rc, expected 3 ($err)"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "expected one line, got: $err"
case $err in *"No space left on device"*) ;; *) fail "message does not say the disk is full: $err" ;; esac
[ "$(cat "$mnt/out.h5")" = "an earlier result" ] || fail "the earlier file was changed"
[ "$(ls -A "$mnt")" = "out.h5" ] || fail "left behind: $(ls -A "$mnt")"

rm "$mnt/out.h5"
"$bin" run configs/default.cfg --reps 4 -o "$mnt/new.h5" --quiet 2>/dev/null
rc=$?
[ $rc -eq 3 ] || fail "without an earlier file: exit $rc, expected 3"
[ -z "$(ls -A "$mnt")" ] || fail "left behind: $(ls -A "$mnt")"
echo "test-full-disk: exit 3, one message, nothing left behind, the earlier file intact"
