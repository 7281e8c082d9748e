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
                python3-h5py python3-numpy python3-matplotlib python3-scipy python3-pytest python3-pandas \
                r-base-core python3-pip python3-venv python3-flask python3-waitress python3-selenium \
                chromium chromium-driver

# Libraries from pkg-config wherever it knows them (Debian, most cluster
# modules); else HDF5_ROOT / HDF5_DIR (what HDF5 modules set), else the
# plain names, found through CPATH / LIBRARY_PATH as modules set them.
# Nothing here ever installs anything: only `make deps` does.
HDF5_HOME  := $(or $(HDF5_ROOT),$(HDF5_DIR))
HDF5_CFLAGS = $(shell pkg-config --cflags hdf5 2>/dev/null || \
                ( [ -n "$(HDF5_HOME)" ] && echo -I$(HDF5_HOME)/include ) || echo -I/usr/include/hdf5/serial)
HDF5_LIBS   = $(shell pkg-config --libs hdf5 2>/dev/null || \
                ( [ -n "$(HDF5_HOME)" ] && echo -L$(HDF5_HOME)/lib -Wl,-rpath,$(HDF5_HOME)/lib -lhdf5 ) || \
                echo -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)
LIB_CFLAGS  = $(shell pkg-config --cflags gsl libconfig 2>/dev/null)
LIB_LIBS    = $(shell pkg-config --libs gsl libconfig 2>/dev/null || echo -lconfig -lgsl -lgslcblas)
GIT_REV    := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Messages are cut to fixed buffers on purpose (a path can be long); GCC's
# truncation warning would flag every such snprintf.
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-format-truncation
CSTD    := -std=c17 -D_POSIX_C_SOURCE=200809L
OPT     ?= -O2 -g
# make FAST=1 ...: an opt-in build with link-time optimisation in
# build-fast/ (the same results: ISO C17 keeps floating-point contraction
# off). Never used for the reference numbers (make bench BENCH_FAST=1
# reports it apart). On bench_malmo (2026-12-06, 3 paired runs): -O2 -flto
# 2-3 % faster than -O2, mostly by inlining the event set's pop into the
# event loop; -O3 -march=native, this option before, 3-4 % slower, and
# -march=native with -flto 1 % slower.
ifeq ($(FAST),1)
OPT     := -O2 -flto=auto -g
BUILD   := build-fast
endif
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(HDF5_CFLAGS) $(LIB_CFLAGS) -Isim -MMD -MP $(EXTRA_CFLAGS)
LDLIBS_ALL = $(HDF5_LIBS) $(LIB_LIBS) -lpthread -lm
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

.PHONY: all deps build run test test-unit test-sanitize sanitize clean check-config check-layers install test-install

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
$(B)/obj/app/plan_cli.o: EXTRA_CFLAGS += -DCASEFLOW_GIT_REVISION=\"$(GIT_REV)\"

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
-include analysis/web.mk

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

# make install PREFIX=DIR [DESTDIR=...] [PYTHON=...]: the binary, the man
# page, the analysis (report, compare, sweep) behind a caseflow-report
# command that runs it with PYTHON (CASEFLOW_PYTHON overrides at run time)
# and the Slurm scripts.
PREFIX ?= /usr/local
PYTHON ?= /usr/bin/python3
INSTALL_ROOT = $(DESTDIR)$(PREFIX)
install: build
	install -d "$(INSTALL_ROOT)/bin" "$(INSTALL_ROOT)/share/man/man1" "$(INSTALL_ROOT)/share/caseflow/analysis" \
	           "$(INSTALL_ROOT)/share/caseflow/slurm"
	install -m 0755 $(B)/caseflow "$(INSTALL_ROOT)/bin/caseflow"
	install -m 0644 docs/caseflow.1 "$(INSTALL_ROOT)/share/man/man1/caseflow.1"
	install -m 0644 analysis/caseflow_report.py "$(INSTALL_ROOT)/share/caseflow/analysis/"
	rm -rf "$(INSTALL_ROOT)/share/caseflow/analysis/caseflow_analysis"
	cp -R analysis/caseflow_analysis "$(INSTALL_ROOT)/share/caseflow/analysis/"
	find "$(INSTALL_ROOT)/share/caseflow/analysis" -name __pycache__ -prune -exec rm -rf {} +
	install -m 0755 configs/slurm/*.sh "$(INSTALL_ROOT)/share/caseflow/slurm/"
	printf '#!/bin/sh\n# caseflow-report: the analysis (report, compare, sweep) of caseflow results files\nexec "$${CASEFLOW_PYTHON:-%s}" "%s/share/caseflow/analysis/caseflow_report.py" "$$@"\n' \
	       "$(PYTHON)" "$(PREFIX)" > "$(INSTALL_ROOT)/bin/caseflow-report"
	chmod 0755 "$(INSTALL_ROOT)/bin/caseflow-report"

EXTRA_TEST_TARGETS += test-install
test-install: build
	@./tests/tools/test_install.sh "$(B)/caseflow"
	@./tests/tools/test_build_env.sh
