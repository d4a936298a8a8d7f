#!/usr/bin/env bash
# make test-debug-selftest: the debug kernel's detectors fire, and the harness fails the
# run and names the detector. One guest boot per planted fault of tests/kmod/debug_faults
# (tests/debug-kernel/fault.sh through tests/e2e/run.sh, as make test-debug runs every
# e2e file); a clean load must pass. A fault the scanners of tests/e2e/run.sh and
# scripts/vm-run miss, or name wrongly, fails this test.
#
#   fault          detector that must be named (scripts/kernel-reports)
#   none           (none: the run passes, with no report)
#   uaf            KASAN         panics (panic_on_warn): scripts/vm-run names it
#   lock_order     lockdep       logged: tests/e2e/run.sh names it after the file
#   sleep_atomic   atomic-sleep  logged
#   leak           kmemleak      found by the scan after the file or after unload-all
#   ubsan_shift    UBSAN         panics (panic_on_warn)
#
# Needs the debug kernel (scripts/debug-kernel) and build/test/debug_faults.ko built
# against it: make test-debug-selftest does both. Ends "N passed, N failed".
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$top" || exit 2
dir=$(scripts/debug-kernel --dir)
[ -s "$dir/build-time" ] || { echo "selftest: no debug kernel in $dir: make debug-kernel" >&2; exit 2; }
out_dir=$top/build/test-results/debug-selftest
mkdir -p "$out_dir"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "PASS $*"; }
ko() { failed=$((failed + 1)); echo "FAIL $*"; }

scripts/debug-kernel --link || exit 2
mapfile -t boot < <(scripts/debug-kernel --vm-args)

while read -r fault want; do
	res=$out_dir/$fault.results
	rm -f "$res"
	out=$(scripts/vm-run "${boot[@]}" -t "${SELFTEST_TIMEOUT:-900}" \
		-l "$out_dir/$fault-console.log" -e "FAULT=$fault" -e "E2E_RESULTS=$res" \
		-- tests/e2e/run.sh tests/debug-kernel/fault.sh 2>&1)
	rc=$?
	echo "$out" >"$out_dir/$fault.out"
	if [ "$want" = none ]; then
		if [ "$rc" -eq 0 ] && ! grep -q '^FAIL ' "$res" 2>/dev/null && grep -q '^PASS fault: rmmod' "$res"; then
			ok "debug selftest: a clean load and unload passes"
		else
			ko "debug selftest: the clean load failed (status $rc; $out_dir/$fault.out)"
			tail -n 30 <<<"$out"
		fi
		continue
	fi
	# Named by tests/e2e/run.sh ("kernel report (DETECTOR)", "kmemleak:") or, when the
	# report panicked the guest, by scripts/vm-run ("detector: DETECTOR").
	if [ "$rc" -ne 0 ] && { grep -qE "^FAIL [^:]*: (kernel report \($want\)|$want:)" "$res" 2>/dev/null ||
		grep -qF "(detector: $want, while running fault" <<<"$out"; }; then
		ok "debug selftest: fault $fault fails the run, named $want"
	else
		ko "debug selftest: fault $fault was not reported as $want (status $rc; $out_dir/$fault.out)"
		tail -n 30 <<<"$out"
	fi
done <<'FAULTS'
none none
uaf KASAN
lock_order lockdep
sleep_atomic atomic-sleep
leak kmemleak
ubsan_shift UBSAN
FAULTS

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
