# tests/robust/robust.mk — memory checking, the full-disk and crash-consistency
# tests and other robustness checks run by `make test` (included by the Makefile).
#
#   make valgrind        memcheck of the default scenario with 2 replications,
#                        then of a run with a failed trial and its --resume;
#                        any error or definite/possible leak fails
#   make test-full-disk  a run onto a 64 KiB tmpfs (needs root and mount;
#                        skipped otherwise; RLIMIT_FSIZE covers the same in
#                        tests/test_robust.c without privileges)
#   make test-bench-args bench_engine refuses sizes it cannot measure (exit 2,
#                        no SIGFPE)
#   make test-crash      crash consistency: 51 runs killed with SIGKILL (a third
#                        in the final write), each followed by the checks of
#                        tests/robust/test_crash.py; SIGINT/SIGTERM + --resume
#                        (about a minute)

VALGRIND := valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible --quiet

.PHONY: valgrind test-full-disk test-bench-args test-crash
EXTRA_TEST_TARGETS += valgrind test-full-disk test-bench-args test-crash

valgrind: deps
	@./tests/tools/deps.sh valgrind
	@$(MAKE) --no-print-directory $(B)/caseflow
	@B=$(B) VALGRIND="$(VALGRIND)" bash tests/robust/valgrind.sh

test-full-disk:
	@$(MAKE) --no-print-directory $(B)/caseflow
	@CASEFLOW_BIN=$(B)/caseflow bash tests/robust/test_full_disk.sh

test-bench-args:
	@$(MAKE) --no-print-directory $(B)/bench/bench_engine
	@BENCH_ENGINE=$(B)/bench/bench_engine bash tests/robust/test_bench_args.sh

test-crash:
	@$(MAKE) --no-print-directory $(B)/caseflow
	@CASEFLOW_BIN=$(B)/caseflow /usr/bin/python3 tests/robust/test_crash.py
