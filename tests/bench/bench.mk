# tests/bench/bench.mk — performance benchmarks (included by the Makefile).
#
#   make bench          builds what it needs, runs every benchmark, prints the
#                       table and writes results/bench/bench.{txt,csv,json}
#   make bench-quick    the same at reduced sizes (a smoke test, ~10 s)
#
# See tests/bench/README.md for what each benchmark measures.

BENCH_BINS := $(B)/bench/bench_engine $(B)/bench/bench_model $(B)/bench/bench_exec $(B)/bench/bench_host
BENCH_PY   ?= python3

# The full model is timed against a build of this commit in the same run
# (the ratio does not depend on the machine): main when the targets of
# issue 20 were set. make bench BENCH_REF=<commit> compares with another.
BENCH_REF ?= abc92baa428d06afb66e435515845cd6facf4a80
REF_DIR   := build-ref
# make bench BENCH_FAST=1 also times the opt-in -O2 -flto build
# (make FAST=1, in build-fast/); never part of the reference numbers.
BENCH_FAST ?=

.PHONY: bench bench-quick bench-build bench-check bench-ref

bench-build: deps
	@$(MAKE) --no-print-directory $(B)/caseflow $(BENCH_BINS)

$(B)/bench:
	mkdir -p $@

$(B)/bench/bench_exec: tests/bench/bench_exec.c | $(B)/bench
	$(CC) $(CSTD) $(WARN) $(OPT) $< -o $@

$(B)/bench/%: tests/bench/%.c $(B)/libcaseflow.a | $(B)/bench
	$(CC) $(CFLAGS_ALL) $< $(B)/libcaseflow.a -o $@ $(LDLIBS_ALL)

# The reference, from git into build-ref/src (rebuilt when BENCH_REF
# changes); without git or the commit the bench runs without the ratio.
bench-ref:
	@if [ "$$(cat $(REF_DIR)/commit 2>/dev/null)" != "$(BENCH_REF)" ] || [ ! -x $(REF_DIR)/src/build/bench/bench_model ]; then \
	  echo "bench: building the reference $(BENCH_REF) in $(REF_DIR)/"; \
	  rm -rf $(REF_DIR) && mkdir -p $(REF_DIR)/src && \
	  git archive $(BENCH_REF) | tar -x -C $(REF_DIR)/src && \
	  $(MAKE) --no-print-directory -C $(REF_DIR)/src build/caseflow build/bench/bench_model >$(REF_DIR)/build.log 2>&1 && \
	  echo $(BENCH_REF) > $(REF_DIR)/commit || echo "bench: could not build the reference (see $(REF_DIR)/build.log); no ratio"; \
	fi

BENCH_ARGS = --build $(B) --out results/bench --ref $(REF_DIR)/src/build --ref-commit $(BENCH_REF) \
             $(if $(BENCH_FAST),--fast build-fast)

bench: bench-build bench-ref
	@$(if $(BENCH_FAST),$(MAKE) --no-print-directory FAST=1 build-fast/caseflow build-fast/bench/bench_model build-fast/bench/bench_exec &&) true
	@$(BENCH_PY) tests/bench/run_bench.py $(BENCH_ARGS)

bench-quick: bench-build bench-ref
	@$(BENCH_PY) tests/bench/run_bench.py $(BENCH_ARGS) --quick

# The event set against a reference, under ASan and UBSan: once with its
# 32-bit sequence numbers forced to wrap every 40 pushes (production: every
# 2^32), tombstones swept above 8 (production: 4 096), the bottom alone
# handing over to the ladder at 4 events (production: 256) and its sorted
# run becoming a heap above 3 nodes (production: 96), buckets of 2 or more
# sorted by bins (production: above 8), once as built for
# production with a set of 50 000 events.
# The event set's two files (eng_evset_internal.h is their shared layout).
EVSET_SRC = sim/engine/eng_evset.c sim/engine/eng_evset_upkeep.c
CHECK_EVSET_CFLAGS = $(CSTD) $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -Isim

$(B)/bench/check_evset_wrap: tests/bench/check_evset.c $(EVSET_SRC) sim/engine/eng_evset.h sim/engine/eng_evset_internal.h | $(B)/bench
	$(CC) $(CHECK_EVSET_CFLAGS) -DEVSET_SEQ_LIMIT=40 -DEVSET_SWEEP_MIN=8 -DEVSET_SMALL_HEAP=4 -DEVSET_SORTED_MAX=3 -DSORT_BY_BINS_ABOVE=1 tests/bench/check_evset.c $(EVSET_SRC) -o $@ -lm

$(B)/bench/check_evset: tests/bench/check_evset.c $(EVSET_SRC) sim/engine/eng_evset.h sim/engine/eng_evset_internal.h | $(B)/bench
	$(CC) $(CHECK_EVSET_CFLAGS) tests/bench/check_evset.c $(EVSET_SRC) -o $@ -lm

# run_bench.py's arithmetic for the scaling verdict (paired rounds, the
# probe's L3 test) and the harness end to end at bench-quick's sizes
# (about 10 s; the shape of bench.json, not the numbers):
# tests/bench/test_run_bench.py, by pytest.
# The memory probe (bench_host.c) under the sanitizers: every size read
# without a fault, one key=value line each, and bad arguments (0, negative,
# trailing text, over 10^9) refused with exit 2 at once (its numbers are the machine's, so not judged here).
$(B)/bench/check_host: tests/bench/bench_host.c | $(B)/bench
	$(CC) $(CHECK_EVSET_CFLAGS) $< -o $@

bench-check: $(B)/bench/check_evset_wrap $(B)/bench/check_evset $(B)/bench/check_host $(B)/caseflow $(BENCH_BINS)
	@BENCH_BUILD=$(B) $(ANALYSIS_PY) -m pytest -q -p no:cacheprovider tests/bench/test_run_bench.py
	@$(B)/bench/check_evset_wrap
	@$(B)/bench/check_evset
	@out=$$($(B)/bench/check_host 1000) && \
	  [ "$$(printf '%s\n' "$$out" | grep -cE '^chase_kib_[0-9]+_ns=[0-9]+\.[0-9]$$')" = 6 ] || \
	  { echo "bench-check: bench_host printed:"; printf '%s\n' "$$out"; exit 1; }
	@for bad in 0 -5 12x 1000000001; do \
	  $(B)/bench/check_host $$bad 2>/dev/null; rc=$$?; [ $$rc = 2 ] || \
	  { echo "bench-check: bench_host $$bad exited with $$rc, not 2"; exit 1; }; \
	done
	@echo "bench-check: bench_host ok"

EXTRA_TEST_TARGETS += bench-check
