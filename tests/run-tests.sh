#!/usr/bin/env bash
# make test: the unit tests, every end-to-end test in one guest boot, and the harness's
# own self-tests (each a short boot). Ends with "N passed, N failed" and exits non-zero
# on any failure.
#
#   tests/run-tests.sh --debug [TEST ...]   make test-debug: the e2e files (all, or the
#        TESTs named: 50-fullnat, low-memory, or paths) and the low-memory test on the
#        debug kernel of scripts/debug-kernel, with the modules and tools already built
#        against it; DKMS installs for it first (80-dkms loads its modules by name).
#        Results in build/test-results/debug/. DEBUG_TIME_FACTOR (default 4) stretches
#        the tests' waits (E2E_TIME_FACTOR) and the guest's timeouts; DEBUG_LANES
#        (default 2) guests share the e2e files (e2e_lanes below).
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$top" || exit 2
cmake_dir=${CMAKE_BUILD_DIR:-$top/build/cmake}
results=$top/build/test-results
debug=0
if [ "${1:-}" = --debug ]; then
	debug=1
	shift
	results=$results/debug
fi
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

vm=(scripts/vm-run)
factor=1
e2e_files=()
lowmem_mb=256
if [ "$debug" -eq 1 ]; then
	kdir=$(scripts/debug-kernel --dir)
	[ -s "$kdir/build-time" ] || { echo "no debug kernel in $kdir: make debug-kernel" >&2; exit 2; }
	rel=$(cat "$kdir/release")
	scripts/debug-kernel --link || exit 2
	factor=${DEBUG_TIME_FACTOR:-4}
	mapfile -t boot < <(scripts/debug-kernel --vm-args)
	vm=(scripts/vm-run "${boot[@]}" -e "E2E_TIME_FACTOR=$factor")
	# KASAN's shadow (1/8 of RAM), its quarantine and lockdep's tables need room of
	# their own; still far below the 600 MB the test accepts as small.
	lowmem_mb=384
	for t in "$@"; do
		case "$t" in */*) ;; *) t=tests/e2e/${t%.sh}.sh ;; esac
		[ -f "$t" ] || { echo "no test $t" >&2; exit 2; }
		e2e_files+=("$t")
	done
fi

if [ "$debug" -eq 0 ]; then
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

else
# --- the debug kernel: DKMS builds for it, as make test's install stage does for the
# stock kernel -------------------------------------------------------------------------
echo "### DKMS for the debug kernel $rel"
if packaging/dkms.sh install "$rel" >"$results/dkms.log" 2>&1; then
	ok "dkms build and install for the debug kernel $rel"
else
	ko "DKMS install for $rel failed (see $results/dkms.log)"
	tail -n 30 "$results/dkms.log"
fi
fi

# A subset without low-memory: only the e2e boot; low-memory alone: only its boot.
run_e2e=1
run_lowmem=1
if [ ${#e2e_files[@]} -gt 0 ]; then
	lm=()
	rest=()
	for t in "${e2e_files[@]}"; do
		case "$t" in */low-memory.sh) lm+=("$t") ;; *) rest+=("$t") ;; esac
	done
	[ ${#rest[@]} -gt 0 ] || run_e2e=0
	[ ${#lm[@]} -gt 0 ] || run_lowmem=0
	e2e_files=("${rest[@]}")
fi

# collect RESULTS LABEL RC LOG: a boot's PASS/FAIL lines into the totals. A boot that
# exited non-zero with no failed test means the kernel complained or the guest died.
collect() {
	local res=$1 label=$2 rc=$3 log=$4 p f l
	if [ ! -f "$res" ]; then
		ko "$label: no results (vm-run exited $rc, kernel log: $log)"
		return
	fi
	p=$(grep -c '^PASS ' "$res")
	f=$(grep -c '^FAIL ' "$res")
	passed=$((passed + p))
	failed=$((failed + f))
	while IFS= read -r l; do failures+=("${l#FAIL }"); done < <(grep '^FAIL ' "$res")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		ko "$label: vm-run exited $rc (kernel log: $log)"
	fi
}

# lowmem_boot: the low-memory test in a small guest of its own. A SYN flood in a 256 MB
# guest must stop at the connection cap, counted, with no OOM kill
# (tests/e2e/low-memory.sh, docs/reliability.md). Its status goes to low-memory.rc.
lowmem=$results/low-memory.results
lowmem_boot() {
	rm -f "$lowmem"
	"${vm[@]}" -m "$lowmem_mb" -t "$((${LOWMEM_TIMEOUT:-900} * factor))" \
		-l "$results/low-memory-console.log" -e "E2E_RESULTS=$lowmem" \
		-- tests/e2e/run.sh tests/e2e/low-memory.sh
	echo $? >"$results/low-memory.rc"
}

# e2e_lanes N FILE...: N guests at once over one queue of FILEs (tests/e2e/run.sh,
# E2E_QUEUE): each guest takes the next file not yet taken, so the files run once each
# and the guests finish close together; the first lane done then boots the low-memory
# guest (when it is to run) while the others finish. Single-threaded TCG runs a guest
# on one host core; the debug kernel is some ten times slower than the stock one, and a
# second guest on the second core nearly halves the suite's time. Longest first, by
# the times of the last run (e2e.times), so that no long file starts last. Each lane's
# output streams here prefixed [N] and stays in e2e.N.out.
e2e_lanes() {
	local n=$1 i t name s rc
	shift
	local files=("$@") times=$results/e2e.times queue=$results/e2e.queue
	[ ${#files[@]} -gt 0 ] || files=(tests/e2e/[0-9]*.sh)
	if [ -s "$times" ]; then
		mapfile -t files < <(for t in "${files[@]}"; do
			name=$(basename "${t%.sh}")
			s=$(awk -v n="$name" '$1 == n { print $2 }' "$times")
			echo "${s:-999999} $t"
		done | sort -s -k1,1nr | cut -d' ' -f2-)
	fi
	rm -rf "$queue"
	mkdir -p "$queue"
	for i in $(seq "$n"); do
		rm -f "$results/e2e.$i.results" "$results/e2e.$i.rc"
		{
			"${vm[@]}" -t "$((${E2E_TIMEOUT:-4200} * factor))" -l "$results/e2e-console.$i.log" \
				-e "E2E_RESULTS=$results/e2e.$i.results" -e "E2E_QUEUE=$queue" \
				-- tests/e2e/run.sh "${files[@]}"
			echo $? >"$results/e2e.$i.rc"
			if [ "$run_lowmem" -eq 1 ] && mkdir "$queue/low-memory" 2>/dev/null; then
				echo "### low-memory guest"
				lowmem_boot
			fi
		} 2>&1 | sed -u "s/^/[$i] /" | tee "$results/e2e.$i.out" &
	done
	wait
	for i in $(seq "$n"); do
		rc=$(cat "$results/e2e.$i.rc" 2>/dev/null || echo 125)
		collect "$results/e2e.$i.results" "e2e guest $i" "$rc" "$results/e2e-console.$i.log"
	done
	# This run's times over the last ones' (a subset keeps the others').
	{
		[ -f "$times" ] && cat "$times"
		sed -n 's/^\[[0-9]*\] === \([^ ]*\): \([0-9]*\) s$/\1 \2/p' "$results"/e2e.[0-9]*.out
	} | awk '{ t[$1] = $2 } END { for (n in t) print n, t[n] }' | sort >"$times.new"
	mv "$times.new" "$times"
}

# --- end-to-end tests: one boot (make test-debug: DEBUG_LANES guests, default 2) ------
lanes=1
[ "$debug" -eq 1 ] && lanes=${DEBUG_LANES:-2}
rm -f "$results/low-memory.rc"
if [ "$run_e2e" -eq 1 ]; then
echo "### end-to-end tests (guest)"
e2e_start=$SECONDS
if [ "$lanes" -gt 1 ]; then
	e2e_lanes "$lanes" "${e2e_files[@]}"
else
	e2e=$results/e2e.results
	rm -f "$e2e"
	"${vm[@]}" -t "$((${E2E_TIMEOUT:-4200} * factor))" -l "$results/e2e-console.log" \
		-e "E2E_RESULTS=$e2e" -- tests/e2e/run.sh "${e2e_files[@]}"
	collect "$e2e" "e2e guest" $? "$results/e2e-console.log"
fi
echo "### end-to-end tests: $((SECONDS - e2e_start)) s"
fi

# --- low memory: its own small guest, unless a lane has booted it -----------------------
if [ "$run_lowmem" -eq 1 ]; then
if [ ! -f "$results/low-memory.rc" ]; then
	echo "### low-memory guest"
	lowmem_boot
fi
collect "$lowmem" "low-memory guest" "$(cat "$results/low-memory.rc")" "$results/low-memory-console.log"
fi

# --- harness self-tests ----------------------------------------------------------------
if [ "$debug" -eq 0 ]; then
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
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
