#!/usr/bin/env python3
"""check_layers.py — the layer rule of sim/: a file includes only headers of
its own layer and of the layers below it.

Usage: check_layers.py SIM_DIR LAYER [LAYER ...]   (lowest layer first)

Every `#include "..."` in SIM_DIR/<layer>/*.[ch] must name a header as
"<layer>/<file>.h" (the folder makes the layer visible at the include) whose
layer is at or below the including file's. A file outside the listed
folders, an include without a folder or an upward include is reported with
file:line, and the exit status is 1. Runs with any Python 3 (standard
library only) and is part of `make test`.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main(argv: list) -> int:
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root, layers = argv[1], argv[2:]
    rank = {name: i for i, name in enumerate(layers)}
    problems = []
    for entry in sorted(os.listdir(root)):
        path = os.path.join(root, entry)
        if os.path.isfile(path) and entry.endswith((".c", ".h")):
            problems.append(f"{path}: source file outside the layer folders {layers}")
        if not os.path.isdir(path):
            continue
        if entry not in rank:
            problems.append(f"{path}: folder is not a layer (layers: {' '.join(layers)})")
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".c", ".h")):
                continue
            file = os.path.join(path, name)
            with open(file, encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    layer = target.split("/", 1)[0] if "/" in target else None
                    if layer not in rank:
                        problems.append(f"{file}:{lineno}: include \"{target}\" names no layer folder")
                    elif rank[layer] > rank[entry]:
                        problems.append(f"{file}:{lineno}: {entry} includes \"{target}\" from the higher layer {layer}")
                    elif not os.path.isfile(os.path.join(root, target)):
                        problems.append(f"{file}:{lineno}: include \"{target}\" does not exist")
    for p in problems:
        print("check_layers: " + p, file=sys.stderr)
    if problems:
        return 1
    print(f"check_layers: {root}: {' < '.join(layers)}: every include points down or sideways")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
