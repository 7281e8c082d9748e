"""Errors the command line turns into one message on stderr and an exit code.

Exit codes (also in analysis/README.md):
  0  success
  1  internal failure (a bug: the traceback is printed)
  2  bad input: usage, missing file, not HDF5, not a caseflow file,
     unsupported format_version, required data absent (e.g. sweep on a file
     without /scenarios)
  3  output cannot be written (directory not creatable, disk full, ...)
"""

from typing import Optional

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_OUTPUT = 3


class AnalysisError(Exception):
    """A problem to report to the user as one line, with an exit code."""

    code = EXIT_INPUT

    def __init__(self, message: str, code: Optional[int] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InputError(AnalysisError):
    code = EXIT_INPUT


class OutputError(AnalysisError):
    code = EXIT_OUTPUT
