# sipscope - SIP traffic analyzer.  `make` builds ./sipscope; `make test` runs
# every test tier (unit, golden, tshark differential, sanitizers).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
BUILD ?= build
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

OPT ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-unused-parameter
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap json-c 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs libpcap json-c 2>/dev/null || echo -lpcap -ljson-c)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
endif

# String operations go to the C library's memcpy/memset (x86, GCC). GCC
# otherwise expands copies and fills of known or profiled size inline as
# rep movs / rep stos, whose start-up cost is paid on every message: on
# this project's bench machine they cost 6-8 % of a run (udp-20k, release
# build: 89.8 -> 82.5 ms; plain build 97.5 -> 91.7 ms; fragmented UDP
# 121 -> 106 ms), while glibc picks its method for the CPU at load time.
CC_MACHINE := $(shell $(CC) -dumpmachine 2>/dev/null)
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -c clang)
ifneq ($(filter x86_64-% i386-% i486-% i586-% i686-%,$(CC_MACHINE)),)
ifeq ($(CC_IS_CLANG),0)
STRINGOP := -mstringop-strategy=libcall
endif
endif

ALL_CPPFLAGS := -Iinclude -D_GNU_SOURCE -DSIPSCOPE_VERSION='"$(VERSION)"' $(CPPFLAGS)
ALL_CFLAGS := -std=c11 $(OPT) $(STRINGOP) $(WARN) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(LDSAN) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard src/common/*.c src/capture/*.c src/decode/*.c src/sip/*.c \
                             src/correlate/*.c src/report/*.c src/pipeline/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
DEPS := $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)

.PHONY: all clean install uninstall test unit golden diff test-asan test-valgrind fuzz bench \
        captures demo check-deps replay hostile fuzz-smoke caps release

all: sipscope

sipscope: $(BUILD)/sipscope
	cp $< $@

$(BUILD)/sipscope: $(MAIN_OBJ) $(BUILD)/libsipscope.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lz -lm

$(BUILD)/libsipscope.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libsipscope.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libsipscope.a \
	    $(ALL_LDFLAGS) $(CMOCKA_LIBS) $(PKG_LIBS) -lz -lm

-include $(DEPS)

# ---- release build: profile-guided (tools/pgo-build.sh) ----
# The binary `make install` installs and `make bench` measures: the same
# sources built with GCC's PGO, trained on captures/*.pcap. Tests run the
# plain build (./sipscope); tests/release/check.sh holds the two to the
# same output on every capture.
RELEASE := $(BUILD)/release
RELEASE_INPUTS := $(LIB_SRC) src/main.c $(wildcard include/sipscope/*.h src/*/*.h) \
                  $(wildcard captures/*.pcap) captures/read-options.sh tools/pgo-build.sh Makefile VERSION

release: $(RELEASE)/sipscope

$(RELEASE)/sipscope: $(RELEASE_INPUTS)
	@MAKE="$(MAKE)" CC="$(CC)" sh tools/pgo-build.sh $(RELEASE)

# ---- tests ----
# unit: cmocka binaries, one per module.  golden: capture in, expected text out.
# diff: per-message and per-count comparison with tshark.  test-asan: all of it
# again built with ASan+UBSan (LeakSanitizer included).
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

golden: sipscope
	@tests/golden/run.sh ./sipscope

hostile: sipscope
	@python3 tests/hostile/run.py ./sipscope --flood

# caps: hand-made captures that exceed each reassembly cap (--max-tcp-*, --max-frag-*)
caps: sipscope
	@python3 tests/caps/run.py ./sipscope


diff: sipscope
	@tests/diff/run.sh ./sipscope

test-asan:
	$(MAKE) --no-print-directory BUILD=build-asan SAN=1 build-asan/sipscope \
	    $(UNIT_SRC:tests/unit/%.c=build-asan/tests/%)
	@set -e; export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; \
	  for t in $(UNIT_SRC:tests/unit/%.c=build-asan/tests/%); do echo "== asan $$t"; $$t; done; \
	  tests/golden/run.sh build-asan/sipscope; \
	  BUILD=build-asan SAN=1 tests/regress/run.sh build-asan/sipscope; \
	  python3 tests/hostile/run.py build-asan/sipscope --quick

test: check-deps sipscope
	@tests/run-all.sh

# ---- fuzzing ----
# Each tests/fuzz/fuzz_*.c is a libFuzzer target. `make fuzz` runs each for
# FUZZ_TIME seconds on seeds from captures/ and ../shared/captures; the same
# sources built with tests/fuzz/replay_main.c (no libFuzzer) replay
# tests/regress/<target>/ in the normal suite.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/replay/%)
FUZZ_TIME ?= 600
FUZZ_CFLAGS := -std=c11 -g -O1 -Iinclude -D_GNU_SOURCE -DSIPSCOPE_VERSION='"$(VERSION)"' $(PKG_CFLAGS) \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

build-fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(PKG_LIBS) -lz -lm

$(BUILD)/replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(BUILD)/libsipscope.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(BUILD)/libsipscope.a \
	    $(ALL_LDFLAGS) $(PKG_LIBS) -lz -lm

replay: $(REPLAY_BIN)

fuzz: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BIN)

# CI's short fuzz run: every target for FUZZ_SMOKE seconds
FUZZ_SMOKE ?= 30
fuzz-smoke: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_SMOKE) $(FUZZ_BIN)

# ---- set-up and demo ----
check-deps:
	@sh tools/install-deps.sh

demo: sipscope
	./sipscope -r captures/sipp-calls.pcap

captures:
	captures/make-captures.sh

# ---- install ----
install: $(RELEASE)/sipscope
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(RELEASE)/sipscope $(DESTDIR)$(BINDIR)/sipscope
	install -m 0644 man/sipscope.1 $(DESTDIR)$(MANDIR)/man1/sipscope.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sipscope $(DESTDIR)$(MANDIR)/man1/sipscope.1

clean:
	rm -rf build build-asan build-fuzz sipscope

# ---- benchmark (make bench, make bench-quick): bench/README.md ----
include bench/bench.mk
