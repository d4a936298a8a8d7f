#!/usr/bin/env bash
# make fuzz: the long reliability campaigns of docs/reliability.md, under the same
# guest kernel options as make test (panic_on_warn=1, oops=panic, slub_debug=FZPU):
#
#   boot 1 (2 GB): tests/e2e/70..73 at full length
#     70-netlink-fuzz  4 x NLFUZZ_COUNT (default 50000) messages: 100000 privileged
#                      (two racing fuzzers, then one), 100000 unprivileged (user
#                      namespace root, then nobody)
#     71-packet-fuzz   PKTFUZZ_COUNT (default 100000) malformed frames at the VIPs,
#                      the LIPs and a real server with toa.ko
#     72-toa-fuzz      every malformed TOA length after 0..3 NOPs, IPv4 and IPv6 (632
#                      handshakes), 50 spoofed TOAs, 20000 junk frames
#     73-faults-load   FAULT_RELOADS (default 20) unload/reload cycles of each module
#                      under load, deletions and flushes, FLOOD_SYNS (20000) per flood
#   boot 2 (256 MB): tests/e2e/low-memory.sh
#
# The figures each test reports go to build/test-results/fuzz-summary.txt; the PASS /
# FAIL lines to build/test-results/fuzz.results. Ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$top" || exit 2
results=$top/build/test-results
mkdir -p "$results"
summary=$results/fuzz-summary.txt
res=$results/fuzz.results
: >"$summary"
rm -f "$res" "$results/fuzz-lowmem.results"
start=$SECONDS
{
	echo "make fuzz, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null)"
	echo
} >>"$summary"

scripts/vm-run -t "${FUZZ_TIMEOUT:-7200}" -l "$results/fuzz-console.log" \
	-e "E2E_RESULTS=$res" -e "FUZZ_SUMMARY=$summary" \
	-e "NLFUZZ_COUNT=${NLFUZZ_COUNT:-50000}" -e "PKTFUZZ_COUNT=${PKTFUZZ_COUNT:-100000}" \
	-e "TOAFUZZ_FULL=1" -e "TOAFUZZ_PACKETS=${TOAFUZZ_PACKETS:-20000}" \
	-e "FAULT_RELOADS=${FAULT_RELOADS:-20}" -e "FLOOD_SYNS=${FLOOD_SYNS:-20000}" \
	-- tests/e2e/run.sh tests/e2e/70-netlink-fuzz.sh tests/e2e/71-packet-fuzz.sh \
	tests/e2e/72-toa-fuzz.sh tests/e2e/73-faults-load.sh
rc1=$?
echo "boot 1 (2 GB): vm-run exited $rc1 after $((SECONDS - start)) s" >>"$summary"

t1=$SECONDS
scripts/vm-run -m 256 -t "${FUZZ_LOWMEM_TIMEOUT:-1800}" -l "$results/fuzz-lowmem-console.log" \
	-e "E2E_RESULTS=$results/fuzz-lowmem.results" -e "FUZZ_SUMMARY=$summary" \
	-- tests/e2e/run.sh tests/e2e/low-memory.sh
rc2=$?
echo "boot 2 (256 MB): vm-run exited $rc2 after $((SECONDS - t1)) s" >>"$summary"
cat "$results/fuzz-lowmem.results" >>"$res" 2>/dev/null

p=$(grep -c '^PASS ' "$res" 2>/dev/null)
f=$(grep -c '^FAIL ' "$res" 2>/dev/null)
p=${p:-0} f=${f:-0}
# A boot that failed without a FAIL line: the kernel complained (WARN, oops, slab
# report) or the guest died.
[ "$rc1" -ne 0 ] && [ "$(grep -c '^FAIL ' "$res" 2>/dev/null)" -eq 0 ] && f=$((f + 1)) &&
	echo "FAIL boot 1: vm-run exited $rc1 (see $results/fuzz-console.log)" | tee -a "$res"
[ "$rc2" -ne 0 ] && ! grep -q '^FAIL low-memory' "$res" && f=$((f + 1)) &&
	echo "FAIL boot 2: vm-run exited $rc2 (see $results/fuzz-lowmem-console.log)" | tee -a "$res"
echo
echo "figures: $summary"
grep '^FAIL ' "$res"
echo "$p passed, $f failed ($((SECONDS - start)) s)"
echo "$p passed, $f failed ($((SECONDS - start)) s)" >>"$summary"
[ "$f" -eq 0 ]
