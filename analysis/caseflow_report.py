#!/usr/bin/python3
"""caseflow_report — reports, plots and scenario comparisons from caseflow
HDF5 output. Run with Debian's Python:

    /usr/bin/python3 analysis/caseflow_report.py report results/default.h5
    /usr/bin/python3 analysis/caseflow_report.py compare a.h5 b.h5 --base a
    /usr/bin/python3 analysis/caseflow_report.py sweep study.h5

See analysis/README.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from caseflow_analysis.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
