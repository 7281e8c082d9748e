#!/usr/bin/env bash
# test_install.sh BIN — `make install PREFIX=...` into a temporary prefix:
# the binary runs from there, the man page renders (when man is installed),
# and caseflow-report writes a report of a run made by the installed binary.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$(dirname "$1")
log() { printf 'test_install: %s\n' "$*" >&2; }
prefix=$(mktemp -d /tmp/caseflow-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
make -s -C "$ROOT" --no-print-directory install B="$B" PREFIX="$prefix/usr" >/dev/null
for f in bin/caseflow bin/caseflow-report share/man/man1/caseflow.1 share/caseflow/analysis/caseflow_report.py \
         share/caseflow/slurm/submit_study.sh; do
  [ -e "$prefix/usr/$f" ] || { log "missing after install: $f"; exit 1; }
done
"$prefix/usr/bin/caseflow" --version | grep -q '^caseflow ' || { log "installed caseflow does not run"; exit 1; }
if command -v man >/dev/null 2>&1; then
  MANPATH="$prefix/usr/share/man" MANWIDTH=80 man caseflow 2>/dev/null | grep -q 'caseflow run' ||
    { log "man caseflow does not find or render the installed page"; exit 1; }
fi
cd "$prefix"
"$prefix/usr/bin/caseflow" run "$ROOT/configs/default.cfg" --reps 2 -o run.h5 --quiet
"$prefix/usr/bin/caseflow-report" report run.h5 -o report >/dev/null
[ -s report/index.html ] || { log "caseflow-report wrote no report"; exit 1; }
echo "install: 1 passed, 0 failed (binary, man page, caseflow-report, Slurm scripts under a temporary PREFIX)"
