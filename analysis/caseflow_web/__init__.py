"""caseflow_web: a local web page for planners (issue 19).

Edit a scenario in a form made from the simulator's own key list, check it
with `caseflow check`, run it (the C binary as a subprocess, with progress
and cancel), read the answer, compare runs and run a small staffing study.
Start it with `make serve`; see analysis/caseflow_web/README.md.
"""
