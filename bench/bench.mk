# bench/bench.mk - `make bench` and `make bench-quick` (see bench/README.md).
# Included from the main Makefile; until then: make -f bench/bench.mk bench
# (from the top of the repository).
#
#   bench           all captures (udp-20k, udp-200k, tcp-20k, udp-frag-20k), BENCH_RUNS runs
#                   (default 5), then callgrind instructions/message (UDP, TCP and
#                   fragment samples)
#   bench-quick     udp-20k and tcp-20k only, 3 runs, then callgrind
#   bench-captures  only make/verify the cached captures
#   bench-floor     only build the floor program
#   bench-callgrind only the callgrind check
#
# Variables: BENCH_RUNS, BENCH_PEER_RUNS, BENCH_CACHE, BENCH_RATE,
#            BENCH_SIPSCOPE (build/release/sipscope), UPDATE_BASELINE=1.
#
# The timed runs measure the release build (`make release`: PGO, the binary
# `make install` installs); the callgrind figure is taken on the plain
# build (./sipscope), which does not depend on a training run, so it stays
# comparable from commit to commit.

BENCH_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BENCH_TOP := $(patsubst %/,%,$(dir $(BENCH_DIR)))
BENCH_TOP := $(if $(filter .,$(BENCH_TOP)),.,$(BENCH_TOP))
BENCH_BUILD ?= $(BENCH_TOP)/build/bench
BENCH_FLOOR := $(BENCH_BUILD)/floor
BENCH_RUNS ?= 5
BENCH_SIPSCOPE ?= $(BENCH_TOP)/build/release/sipscope
BENCH_PLAIN := $(BENCH_TOP)/sipscope
BENCH_CC ?= $(or $(CC),cc)
BENCH_PCAP_CFLAGS := $(shell pkg-config --cflags libpcap 2>/dev/null)
BENCH_PCAP_LIBS := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
BENCH_ENV = FLOOR=$(BENCH_FLOOR) SIPSCOPE=$(BENCH_SIPSCOPE)
# callgrind on each sample in turn; the first failure stops the bench
BENCH_CALLGRIND = for c in udp-20k tcp-20k udp-frag-20k; do \
	    $(BENCH_ENV) SIPSCOPE=$(BENCH_PLAIN) $(BENCH_DIR)/callgrind.sh $$c || exit 1; done

.PHONY: bench bench-quick bench-captures bench-floor bench-callgrind bench-sipscope

$(BENCH_FLOOR): $(BENCH_DIR)/floor.c
	@mkdir -p $(dir $@)
	$(BENCH_CC) -O2 -g -Wall -Wextra $(BENCH_PCAP_CFLAGS) -o $@ $< $(BENCH_PCAP_LIBS)

bench-floor: $(BENCH_FLOOR)

# sipscope is built by the main Makefile; when it does not build, the
# benchmark still runs the peers and the floor, and says sipscope is missing.
bench-sipscope:
	@$(MAKE) --no-print-directory -C $(BENCH_TOP) sipscope release \
	    || echo "bench: sipscope did not build: its rows are skipped"

bench-captures: $(BENCH_FLOOR)
	$(BENCH_ENV) $(BENCH_DIR)/gen-captures.sh

bench: bench-sipscope $(BENCH_FLOOR)
	$(BENCH_ENV) $(BENCH_DIR)/gen-captures.sh udp-20k udp-200k tcp-20k udp-frag-20k
	$(BENCH_ENV) BENCH_RUNS=$(BENCH_RUNS) python3 $(BENCH_DIR)/run.py udp-20k udp-200k tcp-20k udp-frag-20k
	@$(BENCH_CALLGRIND)

bench-quick: bench-sipscope $(BENCH_FLOOR)
	$(BENCH_ENV) $(BENCH_DIR)/gen-captures.sh udp-20k tcp-20k udp-frag-20k
	$(BENCH_ENV) BENCH_RUNS=3 python3 $(BENCH_DIR)/run.py udp-20k tcp-20k udp-frag-20k
	@$(BENCH_CALLGRIND)

bench-callgrind: bench-sipscope $(BENCH_FLOOR)
	@$(BENCH_CALLGRIND)

# bench-live: SIPp on 127.0.0.1 at rising call rates while sipscope, sngrep
# and tshark (one at a time) capture on lo; the highest rate each follows
# without losing a message (bench/live.py; bench/README.md "Live capture").
# Variables: LIVE_RATES, LIVE_STEP, LIVE_BUFFER_MB, LIVE_TOOLS, LIVE_BUDGET.
.PHONY: bench-live
bench-live: bench-sipscope $(BENCH_FLOOR)
	$(BENCH_ENV) python3 $(BENCH_DIR)/live.py
