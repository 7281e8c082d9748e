# caseflow — build, run, test.
#
#   make run     install what is missing, build, run configs/default.cfg
#   make test    install what is missing, build, run every test (also under ASan+UBSan)
#   make deps    install missing Debian packages (apt-get, only for absent ones)
#   make check-config CONFIG=...   validate a scenario

CC      ?= cc
BUILD   := build
SAN_BUILD := build-san

DEB_PACKAGES := gcc make pkg-config libgsl-dev libconfig-dev libhdf5-dev hdf5-tools libcmocka-dev \
                python3-h5py python3-numpy python3-matplotlib python3-pytest

HDF5_CFLAGS = $(shell pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
HDF5_LIBS   = $(shell pkg-config --libs hdf5 2>/dev/null || echo -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)
GIT_REV    := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Messages are cut to fixed buffers on purpose (a path can be long); GCC's
# truncation warning would flag every such snprintf.
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-format-truncation
CSTD    := -std=c17 -D_POSIX_C_SOURCE=200809L
OPT     ?= -O2 -g
# make FAST=1 ...: an opt-in -O3 -march=native build in build-fast/ (the
# same results: ISO C17 keeps floating-point contraction off). Never used
# for the reference numbers (make bench BENCH_FAST=1 reports it apart).
ifeq ($(FAST),1)
OPT     := -O3 -march=native -g
BUILD   := build-fast
endif
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(HDF5_CFLAGS) -Isim -MMD -MP $(EXTRA_CFLAGS)
LDLIBS_ALL = $(HDF5_LIBS) -lconfig -lgsl -lgslcblas -lpthread -lm
# cmocka is for the tests only: the product never links it.
LDLIBS_TEST = $(LDLIBS_ALL) -lcmocka

# The layers, lowest first (README "Code layout"); a file includes only its
# own layer and those below (tests/tools/check_layers.py).
LAYERS   := engine model scenario output app
LIB_SRC  := $(filter-out sim/app/cli_main.c,$(foreach l,$(LAYERS),$(wildcard sim/$(l)/*.c)))
TEST_SRC := $(wildcard tests/test_*.c)

LIB_OBJ   = $(patsubst sim/%.c,$(B)/obj/%.o,$(LIB_SRC))
TEST_BINS = $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))

B ?= $(BUILD)

.PHONY: all deps build run test test-unit test-sanitize sanitize clean check-config check-layers

# Plain `make` (and `make build`) only compile: they never install packages.
all: build

deps:
	@./tests/tools/deps.sh $(DEB_PACKAGES)

build:
	@$(MAKE) --no-print-directory $(B)/caseflow

# -MMD -MP: each object depends on the headers it really includes.
$(B)/obj/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/obj/app/cli_main.o: EXTRA_CFLAGS += -DCASEFLOW_GIT_REVISION=\"$(GIT_REV)\"

$(B)/libcaseflow.a: $(LIB_OBJ)
	ar rcs $@ $^

$(B)/caseflow: $(B)/obj/app/cli_main.o $(B)/libcaseflow.a
	$(CC) $(CFLAGS_ALL) $^ -o $@ $(LDLIBS_ALL)

$(B)/tests/%: tests/%.c $(B)/libcaseflow.a | $(B)/tests
	$(CC) $(CFLAGS_ALL) -Itests $< $(B)/libcaseflow.a -o $@ $(LDLIBS_TEST)

$(B)/tests:
	mkdir -p $@

-include $(shell find $(B) -name '*.d' 2>/dev/null)

run: deps build
	@mkdir -p results
	$(B)/caseflow run configs/default.cfg -o results/default.h5 --force
	@$(MAKE) --no-print-directory report-default
	@echo "report: results/default_report/index.html (open it in any browser)"

check-config: build
	$(B)/caseflow check $(CONFIG)

# Fragments owned by their own areas add targets (bench, analysis, fuzz, slurm)
# and append to EXTRA_TEST_TARGETS what `make test` must also run.
EXTRA_TEST_TARGETS :=
-include tests/bench/bench.mk analysis/analysis.mk tests/fuzz/fuzz.mk tests/robust/robust.mk tests/slurm/slurm.mk

# The unit and model tests, the same tests built with sanitizers, then the
# fragments' tests.
test: deps
	@$(MAKE) --no-print-directory check-layers
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-sanitize
	@for t in $(EXTRA_TEST_TARGETS); do $(MAKE) --no-print-directory $$t || exit 1; done

check-layers:
	@python3 tests/tools/check_layers.py sim $(LAYERS)

test-unit: $(B)/caseflow $(TEST_BINS)
	@CASEFLOW_BIN=$(B)/caseflow ./tests/tools/run_tests.sh $(TEST_BINS)

test-sanitize sanitize:
	@$(MAKE) --no-print-directory B=$(SAN_BUILD) OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" test-unit

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
