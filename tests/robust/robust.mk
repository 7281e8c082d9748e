# tests/robust/robust.mk — memory checking and the full-disk test (included by
# the Makefile; both are part of the Robustness work).
#
#   make valgrind        memcheck of the default scenario with 2 replications,
#                        then of a run with a failed trial and its --resume;
#                        any error or definite/possible leak fails
#   make test-full-disk  a run onto a 64 KiB tmpfs (needs root and mount;
#                        skipped otherwise; RLIMIT_FSIZE covers the same in
#                        tests/test_robust.c without privileges)

VALGRIND := valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible --quiet

.PHONY: valgrind test-full-disk
EXTRA_TEST_TARGETS += valgrind test-full-disk

valgrind: deps
	@./tests/tools/deps.sh valgrind
	@$(MAKE) --no-print-directory $(B)/caseflow
	@B=$(B) VALGRIND="$(VALGRIND)" bash tests/robust/valgrind.sh

test-full-disk:
	@$(MAKE) --no-print-directory $(B)/caseflow
	@CASEFLOW_BIN=$(B)/caseflow bash tests/robust/test_full_disk.sh
