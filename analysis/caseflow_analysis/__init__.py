"""caseflow analysis: reports, plots and scenario comparisons from the
simulator's HDF5 output. Entry point: analysis/caseflow_report.py."""

__version__ = "0.1.0"
