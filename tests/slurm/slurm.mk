# slurm.mk — the Slurm end-to-end test, run by `make test`.
.PHONY: test-slurm
EXTRA_TEST_TARGETS += test-slurm
test-slurm:
	@$(MAKE) --no-print-directory $(B)/caseflow
	@CASEFLOW_BIN=$(B)/caseflow bash tests/slurm/test_study_array.sh
