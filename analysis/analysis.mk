# analysis/analysis.mk — reports and plots from caseflow's HDF5 output
# (included by the top Makefile). Debian's Python only: python3-h5py,
# python3-numpy, python3-matplotlib, python3-scipy, python3-pytest (in
# DEB_PACKAGES); ANALYSIS_PY=... picks another interpreter that has them.
#
#   make report FILE=results/x.h5 [SCENARIO=name|index] [REPORT_DIR=dir]
#                          -> results/x_report/index.html (+ PNGs, summary.json)
#   make report-default    report on results/default.h5 (what `make run` writes)
#                          -> results/default_report/index.html
#   make compare FILES="a.h5 b.h5" [BASE=a] [COMPARE_DIR=dir]
#   make sweep FILE=results/study.h5 [SWEEP_ARGS="--x KEY --at KEY=VALUE ..."]
#   make test-analysis     pytest on tests/analysis (runs the real simulator)
#   make install-analysis [PIP_ARGS=--user]
#                          pip-installs the package (analysis/pyproject.toml) into
#                          ANALYSIS_PY's site-packages with Debian's numpy/h5py/
#                          matplotlib/scipy (--no-deps) and no network
#                          (--no-build-isolation): `caseflow-report` on PATH
#
# The lead can end `make run` with $(REPORT_AFTER_RUN) (a command line) or
# by calling `$(MAKE) report-default`.

ANALYSIS_PY     ?= /usr/bin/python3
PIP_ARGS        ?= --break-system-packages
ANALYSIS_CLI    := $(ANALYSIS_PY) analysis/caseflow_report.py
REPORT_AFTER_RUN = $(ANALYSIS_CLI) report results/default.h5 -o results/default_report

.PHONY: report report-default compare sweep test-analysis install-analysis

report:
	@if [ -z "$(FILE)" ]; then echo "usage: make report FILE=results/x.h5 [SCENARIO=name] [REPORT_DIR=dir]" >&2; exit 2; fi
	@$(ANALYSIS_CLI) report "$(FILE)" $(if $(REPORT_DIR),-o "$(REPORT_DIR)") $(if $(SCENARIO),--scenario "$(SCENARIO)")

report-default:
	@$(REPORT_AFTER_RUN)

compare:
	@if [ -z "$(FILES)" ]; then echo "usage: make compare FILES=\"a.h5 b.h5\" [BASE=a] [COMPARE_DIR=dir]" >&2; exit 2; fi
	@$(ANALYSIS_CLI) compare $(FILES) $(if $(BASE),--base "$(BASE)") $(if $(COMPARE_DIR),-o "$(COMPARE_DIR)")

install-analysis:
	cd analysis && $(ANALYSIS_PY) -m pip install --no-deps --no-build-isolation --no-index $(PIP_ARGS) .

sweep:
	@if [ -z "$(FILE)" ]; then echo "usage: make sweep FILE=results/study.h5 [SWEEP_ARGS=...]" >&2; exit 2; fi
	@$(ANALYSIS_CLI) sweep "$(FILE)" $(SWEEP_ARGS)

EXTRA_TEST_TARGETS += test-analysis
test-analysis:
	@$(MAKE) --no-print-directory $(B)/caseflow
	@CASEFLOW_BIN=$(abspath $(B)/caseflow) $(ANALYSIS_PY) -m pytest -q -p no:cacheprovider tests/analysis
