#!/usr/bin/python3
"""h5same.py A.h5 B.h5 ... — exit 0 when caseflow files hold the same results.

Compares every dataset's values (NaN equal to NaN) and every root attribute
except those that record when or how fast a run happened: `created`, the
trial rows' `wall_seconds`, and the slice attributes that differ between a
single run and a merge of task files in name only (`task`, `tasks`).
"""
import sys

import h5py
import numpy as np

IGNORED_ATTRS = {"created", "task", "tasks"}
IGNORED_FIELDS = {"wall_seconds"}


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def same_array(x, y):
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    if x.dtype.names:
        return all(same_array(x[n], y[n]) for n in x.dtype.names if n not in IGNORED_FIELDS)
    if x.dtype.kind == "f":
        return np.array_equal(x, y, equal_nan=True)
    return np.array_equal(x, y)


def main(paths):
    files = [h5py.File(p, "r") for p in paths]
    ref = files[0]
    ref_sets = datasets(ref)
    bad = []
    for p, f in zip(paths[1:], files[1:]):
        sets = datasets(f)
        if sets.keys() != ref_sets.keys():
            bad.append(f"{p}: datasets differ: {sorted(set(sets) ^ set(ref_sets))}")
        for k in ref_sets.keys() & sets.keys():
            if not same_array(ref_sets[k], sets[k]):
                bad.append(f"{p}: /{k} differs from {paths[0]}")
        for k in set(ref.attrs) | set(f.attrs):
            if k in IGNORED_ATTRS:
                continue
            a, b = ref.attrs.get(k), f.attrs.get(k)
            if not np.array_equal(np.asarray(a), np.asarray(b)):
                bad.append(f"{p}: attribute {k} differs: {a!r} != {b!r}")
    for line in bad:
        print("h5same: " + line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print("usage: h5same.py A.h5 B.h5 ...", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
