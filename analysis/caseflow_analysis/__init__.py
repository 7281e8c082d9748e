"""caseflow analysis: reports, plots and scenario comparisons from the
simulator's HDF5 output. Command line: `caseflow-report` when installed with
pip (analysis/pyproject.toml), `python3 -m caseflow_analysis`, or
analysis/caseflow_report.py from the checkout."""

__version__ = "0.1.0"
