#!/usr/bin/env bash
# make test: the unit tests, every end-to-end test in one guest boot, and the harness's
# own self-tests (each a short boot). Ends with "N passed, N failed" and exits non-zero
# on any failure.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$top" || exit 2
cmake_dir=${CMAKE_BUILD_DIR:-$top/build/cmake}
results=$top/build/test-results
mkdir -p "$results"
passed=0
failed=0
failures=()
ok() { passed=$((passed + 1)); echo "PASS $*"; }
ko() { failed=$((failed + 1)); failures+=("$*"); echo "FAIL $*"; }
# tally CMD...: run a stage that prints PASS/FAIL lines, echoing and counting them.
tally() {
	local line
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"PASS "*) passed=$((passed + 1)) ;;
		"FAIL "*) failed=$((failed + 1)); failures+=("${line#FAIL }") ;;
		esac
	done < <("$@" 2>&1)
}

# --- unit tests -------------------------------------------------------------------
echo "### unit tests"
ctest --test-dir "$cmake_dir" --output-on-failure --output-junit "$results/unit.xml" |
	tee "$results/unit.log"
summary=$(grep -E '^[0-9]+% tests passed' "$results/unit.log" | tail -n 1)
if [[ $summary =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
	passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
	failed=$((failed + BASH_REMATCH[1]))
	[ "${BASH_REMATCH[1]}" -eq 0 ] || failures+=("unit tests (see $results/unit.log)")
else
	ko "unit tests: ctest printed no summary"
fi

# --- static checks of the kernel code -------------------------------------------------
echo "### sparse"
tally make -s --no-print-directory sparse

# --- install: make install DESTDIR=, the systemd unit, DKMS for the test kernel -----
# Before the guest boots: tests/e2e/80-dkms.sh loads the DKMS-installed modules by name.
echo "### install and DKMS"
tally tests/install/run.sh

# --- end-to-end tests, one boot ------------------------------------------------------
echo "### end-to-end tests (guest)"
e2e=$results/e2e.results
rm -f "$e2e"
scripts/vm-run -t "${E2E_TIMEOUT:-4200}" -l "$results/e2e-console.log" -- tests/e2e/run.sh
rc=$?
if [ -f "$e2e" ]; then
	p=$(grep -c '^PASS ' "$e2e")
	f=$(grep -c '^FAIL ' "$e2e")
	passed=$((passed + p))
	failed=$((failed + f))
	while IFS= read -r l; do failures+=("${l#FAIL }"); done < <(grep '^FAIL ' "$e2e")
	# A clean set of results with a failed boot means the kernel complained or died.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		ko "e2e guest: vm-run exited $rc (kernel log: $results/e2e-console.log)"
	fi
else
	ko "e2e guest: no results (vm-run exited $rc)"
fi

# --- low memory: its own small guest ----------------------------------------------------
# A SYN flood in a 256 MB guest must stop at the connection cap, counted, with no OOM
# kill (tests/e2e/low-memory.sh, docs/reliability.md).
echo "### low-memory guest"
lowmem=$results/low-memory.results
rm -f "$lowmem"
scripts/vm-run -m 256 -t "${LOWMEM_TIMEOUT:-900}" -l "$results/low-memory-console.log" \
	-e "E2E_RESULTS=$lowmem" -- tests/e2e/run.sh tests/e2e/low-memory.sh
rc=$?
p=$(grep -c '^PASS ' "$lowmem" 2>/dev/null)
f=$(grep -c '^FAIL ' "$lowmem" 2>/dev/null)
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))
while IFS= read -r l; do failures+=("${l#FAIL }"); done < <(grep '^FAIL ' "$lowmem" 2>/dev/null)
if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
	ko "low-memory guest: vm-run exited $rc (kernel log: $results/low-memory-console.log)"
fi

# --- harness self-tests ----------------------------------------------------------------
echo "### harness self-tests"
scripts/vm-run -t 300 -- sh -c 'exit 7' >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 7 ]; then ok "harness: the guest command's exit status comes back"; else
	ko "harness: exit status 7 came back as $rc"; fi

out=$(scripts/vm-run -t 300 -- insmod build/test/warn_on_load.ko 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'WARNING:.*warn_on_load' <<<"$out" &&
	grep -q 'FAIL: the guest kernel log reports problems' <<<"$out"; then
	ok "harness: a kernel WARN fails the run and is printed"
else
	ko "harness: a kernel WARN was not reported (status $rc)"
	echo "$out" | tail -n 20
fi

out=$(scripts/vm-run -t 20 -- sleep 600 2>&1)
rc=$?
if [ "$rc" -eq 124 ] && grep -q 'timed out' <<<"$out"; then ok "harness: a hung guest is killed at the timeout"; else
	ko "harness: timeout gave status $rc"; fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
