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

.PHONY: all run check unit test-unit test-golden test-consumers test-quality \
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

bench: all $(BUILD)/gazbench
	@bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan build-*

$(BUILD)/gazbench: bench/gazbench.c $(BUILD)/libentgraph.a
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(BUILD)/libentgraph.a $(LDLIBS_ALL)
