# STRATO - terminal side. See README.md.
#
#   make            build build/libstrato.a, build/strato, build/strato-etl
#   make check      install missing packages (as root), build, run every test
#   make demo       build, start a private PostgreSQL in ./.strato, migrate,
#                   load demo data, open the console
#   make asan       the same tests with AddressSanitizer and UBSan
#   make install    PREFIX=/usr/local DESTDIR= (binaries, man pages in
#                   sections 1 and 5, SQL)

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
SQLDIR   = $(PREFIX)/share/strato

BUILD   ?= build
CC      ?= cc
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)

PKGS     = libpq ncursesw jansson libcurl openssl libutf8proc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Werror
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  ?=
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DST_VERSION='"$(VERSION)"' \
	    -DST_SQLDIR='"$(SQLDIR)/migrations"'
ALL_CFLAGS = -std=c11 $(WARN) $(OPT) $(SAN) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS   = -Wl,--as-needed $(PKG_LIBS) -lphonenumber -lreadline -lstdc++ -lm
CXX     ?= c++
ALL_CXXFLAGS = -std=c++17 $(WARN) $(OPT) $(SAN) $(CXXFLAGS)

LIB_SRC  = $(wildcard src/*.c) $(wildcard src/providers/*.c) $(wildcard src/*.cc)
TUI_SRC  = $(filter-out tui/main.c,$(wildcard tui/*.c))
ETL_SRC  = $(filter-out etl/main.c,$(wildcard etl/*.c))
TEST_SRC = $(wildcard tests/check_*.c) tests/testdb.c tests/testmock.c
MAN1     = $(wildcard man/*.1)
MAN5     = $(wildcard man/*.5)
MAN7     = $(wildcard man/*.7)

LIB_OBJ  = $(patsubst %.cc,$(BUILD)/%.o,$(LIB_SRC:%.c=$(BUILD)/%.o))
TUI_OBJ  = $(TUI_SRC:%.c=$(BUILD)/%.o)
ETL_OBJ  = $(ETL_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/%.o)

.PHONY: all check demo asan valgrind install uninstall clean deps bench fuzz

all: $(BUILD)/libstrato.a $(BUILD)/strato $(BUILD)/strato-etl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -Itui -Ietl $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(ALL_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libstrato.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/strato: $(BUILD)/tui/main.o $(TUI_OBJ) $(BUILD)/libstrato.a
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/strato-etl: $(BUILD)/etl/main.o $(ETL_OBJ) $(BUILD)/libstrato.a
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/check_strato: $(TEST_OBJ) $(TUI_OBJ) $(BUILD)/libstrato.a
	$(CC) $(SAN) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

# bench/tui's client, linked like the binaries.
$(BUILD)/bench/tui/driver: $(BUILD)/bench/tui/driver.o $(BUILD)/libstrato.a
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)

deps:
	@scripts/deps

# Packages first (as root they are installed), then build, then the tests
# against a throwaway PostgreSQL that tests/run starts and always stops
# (they include bounded runs of the CSV and webhook fuzzers, built with
# clang).
check: deps
	@$(MAKE) --no-print-directory all $(BUILD)/check_strato build-fuzz/fuzz_csv \
		build-fuzz/fuzz_ingest
	@tests/run $(BUILD)

# libFuzzer targets, with AddressSanitizer and UBSan. `make fuzz` runs the
# CSV reader's for FUZZ_SECONDS (default 300) with the fixtures as seeds;
# new inputs go to build-fuzz/corpus, never into the repository. The same
# for the webhook parsers (fuzz_ingest, seeds tests/data/ingest).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_SRC = src/csv.c src/util.c src/error.c

build-fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c $(FUZZ_SRC) include/strato/csv.h
	@mkdir -p build-fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-Iinclude tests/fuzz/fuzz_csv.c $(FUZZ_SRC) \
		$(shell pkg-config --cflags --libs libcrypto) -o $@

INGEST_FUZZ_SRC = src/ingest-parse.c src/ingest-extract.c src/util.c \
	src/error.c

build-fuzz/fuzz_ingest: tests/fuzz/fuzz_ingest.c $(INGEST_FUZZ_SRC) \
		include/strato/ingest.h
	@mkdir -p build-fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-Iinclude tests/fuzz/fuzz_ingest.c $(INGEST_FUZZ_SRC) \
		$(shell pkg-config --cflags --libs jansson libcrypto) -o $@

fuzz: build-fuzz/fuzz_csv build-fuzz/fuzz_ingest
	@mkdir -p build-fuzz/corpus build-fuzz/corpus-ingest
	build-fuzz/fuzz_csv -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
		build-fuzz/corpus tests/data/import
	build-fuzz/fuzz_ingest -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
		build-fuzz/corpus-ingest tests/data/ingest

ASAN_VARS = BUILD=build-asan OPT="-O1 -g" \
	SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

asan:
	@scripts/deps
	@$(MAKE) --no-print-directory $(ASAN_VARS) all build-asan/check_strato \
		build-fuzz/fuzz_csv build-fuzz/fuzz_ingest
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		STRATO_NO_VALGRIND=1 STRATO_MAKEVARS='$(ASAN_VARS)' tests/run build-asan

demo: deps all
	@scripts/demo

# Benchmarks print their figures beside a baseline measured in the same run
# (the machines are shared: absolute times vary). LEADS=100000 for a quick one;
# PROPERTIES sets the catalogue of bench/match (default 100000), CAMPAIGN_LEADS
# the audience of bench/campaigns (default 50000).
bench: deps all $(BUILD)/bench_match $(BUILD)/bench/tui/driver \
	$(BUILD)/bench_campaigns_bare
	@bench/legacy/run.sh $(LEADS)
	@bench/import/run.sh $(LEADS)
	@bench/match/run.sh $(PROPERTIES)
	@bench/tui/run.sh $(LEADS)
	@bench/campaigns/run.sh $(CAMPAIGN_LEADS)

$(BUILD)/bench_match: bench/match/bench.c $(BUILD)/libstrato.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench_campaigns_bare: bench/campaigns/bare.c $(BUILD)/libstrato.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(SQLDIR)/migrations
	install -m 755 $(BUILD)/strato $(BUILD)/strato-etl $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	install -m 644 sql/migrations/*.sql $(DESTDIR)$(SQLDIR)/migrations/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/strato $(DESTDIR)$(BINDIR)/strato-etl
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -rf $(DESTDIR)$(SQLDIR)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
