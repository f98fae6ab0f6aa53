# entgraph — build, test and benchmark.
#   make            build/entgraph (and build/libentgraph.a)
#   make run        the main job: the sample corpus → out/
#   make check      every test: unit, golden, consumers, quality, sanitizers
#   make bench      throughput and memory (not a test)
# BUILD=dir puts objects elsewhere (the sanitizer build uses build-asan).

BUILD   ?= build
CC      ?= cc
PKGS    := libpcre2-8 libutf8proc libcgraph libgvc jansson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT     ?= -O2 -g
SAN     ?=
CFLAGS_ALL = -std=c11 $(OPT) $(SAN) -Wall -Wextra -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wno-unused-parameter \
             -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -pthread \
             -DEG_DATADIR='"$(CURDIR)/gazetteers"' $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(SAN) -pthread $(PKG_LIBS) -lm $(LDLIBS)

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: picture all run check unit test-unit test-golden test-consumers test-quality \
        test-e2e test-asan bench clean deps

all: $(BUILD)/entgraph

deps:
	@scripts/install-deps

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libentgraph.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/entgraph: $(BUILD)/obj/main.o $(BUILD)/libentgraph.a
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(BUILD)/libentgraph.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(BUILD)/libentgraph.a $(LDLIBS_ALL)

unit: $(UNIT_BIN)

run: all
	$(BUILD)/entgraph --mentions out/mentions.jsonl -o out corpus/seeds

test-unit: unit
	@tests/run-unit.sh $(BUILD)

test-e2e: all
	@tests/e2e.sh $(BUILD)

test-golden: all
	@tests/golden.sh $(BUILD)

test-consumers: all
	@tests/consumers.sh $(BUILD)

test-quality: all
	@tests/quality.sh $(BUILD)

# Unit and end-to-end tests again under AddressSanitizer and UBSan.
test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  build-asan/entgraph unit
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run-unit.sh build-asan
	@ASAN_OPTIONS=detect_leaks=1 tests/e2e.sh build-asan

check: all unit
	@tests/check.sh $(BUILD)

bench: all $(BUILD)/gazbench $(BUILD)/stagebench
	@bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan build-*

$(BUILD)/gazbench: bench/gazbench.c $(BUILD)/libentgraph.a
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(BUILD)/libentgraph.a $(LDLIBS_ALL)

# ---- robustness: fuzzing, allocation failures, bad inputs, valgrind ----
# make fuzz                libFuzzer targets (clang) in build-fuzz/, each run for
#                          FUZZ_SECONDS (default 60) on its seed corpus in
#                          tests/fuzz/corpus/<target>/; new inputs go to
#                          build-fuzz/corpus/<target>/, crashes to build-fuzz/crash-*.
#                          FUZZ_TARGETS=... picks targets, FUZZ_JOBS=2 runs two at once.
# make test-fuzz-replay    the same targets with tests/fuzz/replay_main.c under
#                          ASan+UBSan, run once on every seed file (part of make check)
# make test-faults         every allocation of a small run failed in turn (tests/faults.sh)
# make test-robust         bad inputs, failed writes, interrupts (tests/robust.sh)
# make test-valgrind       unit tests and one sample run under valgrind
FUZZ_TARGETS ?= normalise tokenize gazetteer rules pipeline graphio
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_COMMON  := tests/fuzz/fuzz_util.c
FUZZ_MAIN    ?=
FUZZ_LINK    ?=

.PHONY: fuzz fuzz-build test-fuzz-replay test-faults test-robust test-valgrind

# One fuzz program: FUZZ_LINK=-fsanitize=fuzzer gives libFuzzer's main,
# FUZZ_MAIN=tests/fuzz/replay_main.c the replay driver.
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_COMMON) $(FUZZ_MAIN) $(BUILD)/libentgraph.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(FUZZ_LINK) -Isrc -Itests/fuzz -o $@ $< $(FUZZ_COMMON) $(FUZZ_MAIN) \
	  $(BUILD)/libentgraph.a $(LDLIBS_ALL)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g" \
	  SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" FUZZ_LINK=-fsanitize=fuzzer \
	  $(FUZZ_TARGETS:%=build-fuzz/fuzz/fuzz_%)

fuzz: fuzz-build
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

test-fuzz-replay:
	@$(MAKE) --no-print-directory BUILD=build-fuzz-replay OPT="-O1 -g" SAN="$(FUZZ_SAN)" \
	  FUZZ_MAIN=tests/fuzz/replay_main.c $(FUZZ_TARGETS:%=build-fuzz-replay/fuzz/fuzz_%)
	@tests/fuzz/replay.sh build-fuzz-replay $(FUZZ_TARGETS)

test-faults:
	@tests/faults.sh

test-robust: all
	@tests/robust.sh $(BUILD)

test-valgrind: all unit
	@tests/valgrind.sh $(BUILD)

# The README's picture of the sample corpus.
picture: all
	$(BUILD)/entgraph -q -f svg -o docs corpus/seeds

$(BUILD)/stagebench: bench/stagebench.c $(BUILD)/libentgraph.a
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(BUILD)/libentgraph.a $(LDLIBS_ALL)
