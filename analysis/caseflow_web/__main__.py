"""python3 -m caseflow_web (from analysis/, or with analysis/ on PYTHONPATH)."""
import sys

from .serve import main

sys.exit(main())
