# tests/fuzz/fuzz.mk — fuzzing the scenario and study loaders, and the other
# robustness targets (included by the Makefile).
#
#   make fuzz [FUZZ_SECONDS=N]  both libFuzzer targets side by side for N s each
#                               (default 60); findings in build-fuzz/work/artifacts
#   make test-fuzz              (part of make test) replays every input in
#                               tests/fuzz/regressions/, then fuzzes for
#                               FUZZ_TEST_SECONDS (default 15) s per target
#   make fuzz-regressions       the replay alone
#   make clean-fuzz             removes build-fuzz/ (corpus included)
#   make valgrind, make test-full-disk: see tests/robust/robust.mk
#
# The targets (tests/fuzz/README.md): fuzz_study feeds any bytes to
# study_load as a scenario or study file; fuzz_override applies any -s
# key=value lines to configs/default.cfg. They need clang with libFuzzer
# (FUZZ_CC); without it test-fuzz replays the regressions through
# tests/fuzz/standalone.c built with $(CC) and ASan + UBSan, and skips fuzzing.

FUZZ_CC     ?= $(firstword $(shell command -v clang clang-14 clang-15 clang-16 2>/dev/null))
FUZZ_B      := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 15
FUZZ_TARGETS := study override
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OPT    := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_BINS   := $(patsubst %,$(FUZZ_B)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SRCDIR := -DCASEFLOW_SOURCE_DIR=\"$(CURDIR)\"
STANDALONE_BINS := $(patsubst %,$(SAN_BUILD)/fuzz/replay_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-build fuzz-regressions test-fuzz clean-fuzz
EXTRA_TEST_TARGETS += test-fuzz

# The library built by clang with the fuzzer's coverage instrumentation and
# the sanitizers, in its own tree; -Wno-unknown-warning-option because the
# shared warning flags name a GCC-only warning.
# The sub-make (B=build-fuzz) builds it with the Makefile's own rule, which
# this one must not shadow there.
ifneq ($(B),$(FUZZ_B))
$(FUZZ_B)/libcaseflow.a: fuzz-always
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) OPT="$(FUZZ_OPT)" \
	    EXTRA_CFLAGS=-Wno-unknown-warning-option $(FUZZ_B)/libcaseflow.a
endif
.PHONY: fuzz-always
fuzz-always:

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_B)/libcaseflow.a
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer $(FUZZ_SAN) $(HDF5_CFLAGS) -Isim $(FUZZ_SRCDIR) $< $(FUZZ_B)/libcaseflow.a -o $@ $(LDLIBS_ALL)

# Without libFuzzer: the same targets under a plain main(), built like the
# sanitizer tests.
$(SAN_BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h tests/fuzz/standalone.c $(LIB_SRC)
	@$(MAKE) --no-print-directory B=$(SAN_BUILD) OPT="-O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)" $(SAN_BUILD)/libcaseflow.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) $(HDF5_CFLAGS) -Isim $(FUZZ_SRCDIR) \
	    $< tests/fuzz/standalone.c $(SAN_BUILD)/libcaseflow.a -o $@ $(LDLIBS_ALL)

fuzz-build:
	@if [ -z "$(FUZZ_CC)" ]; then echo "fuzz: no clang found (set FUZZ_CC); apt-get install clang"; exit 1; fi
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

fuzz: fuzz-build
	@tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) $(FUZZ_B)

# Replays each target's regression inputs: with the libFuzzer binaries when
# clang is there, else with the standalone ones.
fuzz-regressions:
	@if [ -n "$(FUZZ_CC)" ]; then $(MAKE) --no-print-directory $(FUZZ_BINS); \
	 else $(MAKE) --no-print-directory $(STANDALONE_BINS); fi
	@mkdir -p $(FUZZ_B); for t in $(FUZZ_TARGETS); do \
	   files=$$(find tests/fuzz/regressions/$$t -type f ! -name '.*' | sort); \
	   [ -n "$$files" ] || continue; \
	   if [ -n "$(FUZZ_CC)" ]; then bin=$(FUZZ_B)/fuzz_$$t; else bin=$(SAN_BUILD)/fuzz/replay_$$t; fi; \
	   LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0 \
	     $$bin $$files >$(FUZZ_B)/replay-$$t.log 2>&1 || { cat $(FUZZ_B)/replay-$$t.log; \
	     echo "fuzz regressions: $$t FAILED"; exit 1; }; \
	   echo "fuzz regressions: $$t: $$(echo $$files | wc -w) input(s) replayed, all fine"; \
	   rm -f $(FUZZ_B)/replay-$$t.log; \
	 done

test-fuzz: fuzz-regressions
	@if [ -z "$(FUZZ_CC)" ]; then echo "test-fuzz: no clang with libFuzzer: bounded fuzzing skipped"; \
	 else tests/fuzz/run_fuzz.sh $(FUZZ_TEST_SECONDS) $(FUZZ_B); fi

# make clean leaves build-fuzz/ alone: its corpus took fuzzing time to grow.
clean-fuzz:
	rm -rf $(FUZZ_B)

