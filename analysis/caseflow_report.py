#!/usr/bin/env python3
"""caseflow_report — reports, plots and scenario comparisons from caseflow
HDF5 output, run from the checkout without installing:

    /usr/bin/python3 analysis/caseflow_report.py report results/default.h5
    /usr/bin/python3 analysis/caseflow_report.py compare a.h5 b.h5 --base a
    /usr/bin/python3 analysis/caseflow_report.py sweep study.h5

Python puts this script's folder first on sys.path, so the package beside it
(caseflow_analysis/) is found without a path shim. Installed with pip
(analysis/pyproject.toml) the same program is `caseflow-report`. See
analysis/README.md.
"""
import sys

from caseflow_analysis.cli import main

if __name__ == "__main__":
    sys.exit(main())
