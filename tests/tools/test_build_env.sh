#!/usr/bin/env bash
# test_build_env.sh — `make` on a cluster without Debian: building never
# calls dpkg or apt-get (only `make deps` does), and without pkg-config the
# libraries come from HDF5_ROOT / HDF5_DIR or the plain names. Uses make's
# dry run (-n) with stand-ins for pkg-config, dpkg and apt-get first on PATH,
# so nothing is compiled or installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
log() { printf 'test_build_env: %s\n' "$*" >&2; }
fake=$(mktemp -d /tmp/caseflow-buildenv.XXXXXX)
trap 'rm -rf "$fake"' EXIT
for tool in dpkg dpkg-query apt-get sudo; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/called"\nexit 1\n' "$tool" "$fake" >"$fake/$tool"
done
printf '#!/bin/sh\nexit 1\n' >"$fake/pkg-config"   # a cluster without pkg-config files
chmod +x "$fake"/*
dry() { PATH="$fake:$PATH" make -n -s -C "$ROOT" --no-print-directory B="$fake/build" "$@" 2>&1; }

out=$(dry build)
[ ! -e "$fake/called" ] || { log "make build called: $(cat "$fake/called")"; exit 1; }
if ! grep -q -- '-lhdf5' <<<"$out" || ! grep -q -- '-lconfig -lgsl -lgslcblas' <<<"$out"; then
  log "without pkg-config the link line lacks the plain library names: $out"; exit 1
fi
out=$(HDF5_ROOT=/opt/hdf5-1.14 dry build)
if ! grep -q -- '-I/opt/hdf5-1.14/include' <<<"$out" || ! grep -q -- '-L/opt/hdf5-1.14/lib' <<<"$out"; then
  log "HDF5_ROOT is not used without pkg-config: $out"; exit 1
fi
out=$(dry test-unit)
[ ! -e "$fake/called" ] || { log "make test-unit called: $(cat "$fake/called")"; exit 1; }
# ... while make deps is the one that does
PATH="$fake:$PATH" make -s -C "$ROOT" --no-print-directory deps >/dev/null 2>&1 || true
[ -e "$fake/called" ] || { log "make deps did not ask dpkg"; exit 1; }
echo "build environment: 1 passed, 0 failed (no dpkg/apt-get outside make deps; pkg-config, HDF5_ROOT and plain-name fallbacks)"
