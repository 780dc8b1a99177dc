#!/bin/sh
# One command on a fresh Debian machine: install what is missing, build, and
# analyze the bundled demo capture (statistics, then one call's ladder).
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
make -j2 sipscope
./sipscope -r captures/sipp-calls.pcap
./sipscope -r captures/sipp-calls.pcap --ladder --ascii --call-id "$(./sipscope -r captures/sipp-calls.pcap -q --messages - 'udp' | awk -F'\t' '$7=="INVITE"{print $9; exit}')"
