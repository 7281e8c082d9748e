# tests/bench/bench.mk — performance benchmarks (included by the Makefile).
#
#   make bench          builds what it needs, runs every benchmark, prints the
#                       table and writes results/bench/bench.{txt,csv,json}
#   make bench-quick    the same at reduced sizes (a smoke test, ~20 s)
#
# See tests/bench/README.md for what each benchmark measures.

BENCH_BINS := $(B)/bench/bench_engine $(B)/bench/bench_model $(B)/bench/bench_exec
BENCH_PY   ?= python3

.PHONY: bench bench-quick bench-build bench-check

bench-build: deps
	@$(MAKE) --no-print-directory $(B)/caseflow $(BENCH_BINS)

$(B)/bench:
	mkdir -p $@

$(B)/bench/bench_exec: tests/bench/bench_exec.c | $(B)/bench
	$(CC) $(CSTD) $(WARN) $(OPT) $< -o $@

$(B)/bench/%: tests/bench/%.c $(B)/libcaseflow.a | $(B)/bench
	$(CC) $(CFLAGS_ALL) $< $(B)/libcaseflow.a -o $@ $(LDLIBS_ALL)

bench: bench-build
	@$(BENCH_PY) tests/bench/run_bench.py --build $(B) --out results/bench

bench-quick: bench-build
	@$(BENCH_PY) tests/bench/run_bench.py --build $(B) --out results/bench --quick

# The event set against a reference, under ASan and UBSan: once with its
# 32-bit sequence numbers forced to wrap every 40 pushes (production: every
# 2^32), tombstones swept above 8 (production: 4 096) and the plain heap
# handing over to the ladder at 4 events (production: 256), once as built for
# production with a set of 50 000 events.
CHECK_EVSET_CFLAGS = $(CSTD) $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -Isim

$(B)/bench/check_evset_wrap: tests/bench/check_evset.c sim/engine/eng_evset.c sim/engine/eng_evset.h | $(B)/bench
	$(CC) $(CHECK_EVSET_CFLAGS) -DEVSET_SEQ_LIMIT=40 -DEVSET_SWEEP_MIN=8 -DEVSET_SMALL_HEAP=4 tests/bench/check_evset.c sim/engine/eng_evset.c -o $@ -lm

$(B)/bench/check_evset: tests/bench/check_evset.c sim/engine/eng_evset.c sim/engine/eng_evset.h | $(B)/bench
	$(CC) $(CHECK_EVSET_CFLAGS) tests/bench/check_evset.c sim/engine/eng_evset.c -o $@ -lm

bench-check: $(B)/bench/check_evset_wrap $(B)/bench/check_evset
	@$(B)/bench/check_evset_wrap
	@$(B)/bench/check_evset

EXTRA_TEST_TARGETS += bench-check
