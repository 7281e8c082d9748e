# analysis/web.mk — the web page for planners (included by the top Makefile).
# Debian's Python only: python3-flask, python3-waitress; the browser test
# uses chromium, chromium-driver and python3-selenium (all in DEB_PACKAGES).
#
#   make serve                 the page on http://127.0.0.1:8765/ (this machine only)
#   make serve WEB_PORT=9000 WEB_HOST=0.0.0.0   another port; offered to the network (think first)
#   make test-web              pytest on tests/web: every route, and Chromium end to end
#
# Runs, reports and comparisons go to $(WEB_RESULTS) (default results/web).

WEB_PY      := /usr/bin/python3
WEB_HOST    ?= 127.0.0.1
WEB_PORT    ?= 8765
WEB_RESULTS ?= results/web

.PHONY: serve test-web

serve: deps build
	@PYTHONPATH=$(abspath analysis) $(WEB_PY) -m caseflow_web --host "$(WEB_HOST)" --port "$(WEB_PORT)" \
	  --results "$(abspath $(WEB_RESULTS))" --caseflow "$(abspath $(B)/caseflow)"

EXTRA_TEST_TARGETS += test-web
test-web:
	@$(MAKE) --no-print-directory $(B)/caseflow
	@CASEFLOW_BIN=$(abspath $(B)/caseflow) $(WEB_PY) -m pytest -q -p no:cacheprovider tests/web
