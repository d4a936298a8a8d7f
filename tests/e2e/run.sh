#!/usr/bin/env bash
# Runs end-to-end tests inside the test guest, one after another in this boot:
#   tests/e2e/run.sh [TEST.sh ...]      (default: every tests/e2e/[0-9]*.sh)
# Each test's stages are appended to build/test-results/e2e.results as PASS/FAIL lines;
# a test that exits non-zero without recording a failure is recorded as one. Exits
# non-zero if anything failed.
#
# After each file the kernel log it produced is scanned for the reports of
# scripts/kernel-reports (KASAN, lockdep, UBSAN, ...): each fails the file, named, with
# the report printed. On a kernel with kmemleak (the debug kernel of make test-debug)
# a leak scan follows each file, and a last one runs after every module of the project
# is unloaded; tests/debug-kernel/kmemleak-suppressions lists the kernel's own reports
# that are not counted, each with its reason.
#
# E2E_QUEUE=DIR shares the list with other guests running the same list at once (make
# test-debug's lanes): a file is run by the guest that first creates DIR/NAME, so each
# file runs once, in the first free guest. DIR is on the shared repository, where
# mkdir is the host's and so atomic between guests.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "$here/../.." && pwd -P)
results=${E2E_RESULTS:-$top/build/test-results/e2e.results}
mkdir -p "$(dirname "$results")"
: >"$results"
export E2E_RESULTS=$results

if [ -z "${VM_GUEST:-}" ]; then
	echo "run.sh: run me inside the test guest: scripts/vm-run -- tests/e2e/run.sh" >&2
	exit 2
fi

# The tests load ipvs_fnat and toa themselves (insmod build/*.ko; 80-dkms modprobes
# the DKMS-installed ones by name). Once make test's DKMS stage has installed them
# under /lib/modules, the kernel would also load ipvs_fnat on its own whenever
# anything asks genetlink for the IPVS_FNAT family (its module alias), and a test of
# the tool without the module would find it loaded. A blacklist makes modprobe ignore
# the modules' aliases but not an explicit `modprobe NAME`. The guest's /etc is its
# own tmpfs overlay: the host's is not touched.
printf 'blacklist ipvs_fnat\nblacklist toa\n' >/etc/modprobe.d/e2e-no-autoload.conf

tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=("$here"/[0-9]*.sh)

reports=$top/scripts/kernel-reports
kmemleak=/sys/kernel/debug/kmemleak
[ -w "$kmemleak" ] || kmemleak=""
suppressions=$top/tests/debug-kernel/kmemleak-suppressions

# The kernel log as it grows: each file's share is the part written while it ran.
klog=$(mktemp /tmp/e2e-klog.XXXXXX)
dmesg --follow-new >"$klog" 2>/dev/null &
klog_pid=$!
trap 'kill $klog_pid 2>/dev/null' EXIT

# scan_klog NAME FROM: fail NAME for every detector report in the kernel log after byte
# FROM of $klog, printing each report with the lines that follow it.
scan_klog() {
	local name=$1 from=$2 part num det line n=0 i
	# Everything logged until now has reached $klog once this marker has.
	echo "e2e-run: end $name" >/dev/kmsg
	for i in $(seq 100); do grep -qF "e2e-run: end $name" <(tail -c +"$((from + 1))" "$klog") && break; sleep 0.1; done
	part=$(tail -c +"$((from + 1))" "$klog")
	while IFS=$'\t' read -r num det line; do
		n=$((n + 1))
		[ "$n" -le 5 ] || continue
		echo "FAIL $name: kernel report ($det): $line" | tee -a "$results"
		sed -n "$num,$((num + 40))p" <<<"$part" | sed 's/^/     | /'
	done < <("$reports" --find - <<<"$part")
	[ "$n" -le 5 ] || echo "FAIL $name: ... $((n - 5)) more kernel reports" | tee -a "$results"
}

# leak_scan NAME ENDED: kmemleak's verdict on what is unreferenced now (two scans, as
# Documentation/dev-tools/kmemleak.rst advises: a pointer held only in a register or
# on a moving stack can hide an object from one), minus the suppressions; fails NAME
# for each leak, printed, then clears the list so that the next file starts clean.
leak_scan() {
	local name=$1 ended=$2 out kept
	[ -n "$kmemleak" ] || return 0
	# kmemleak never reports an object younger than 5 s: one leaked in the file's last
	# seconds would otherwise be blamed on the next file.
	while [ $((SECONDS - ended)) -lt 6 ]; do sleep 0.5; done
	echo scan >"$kmemleak"
	echo scan >"$kmemleak"
	out=$(cat "$kmemleak")
	echo clear >"$kmemleak"
	[ -n "$out" ] || return 0
	kept=$(awk -v supp="$suppressions" '
		BEGIN { while ((getline l < supp) > 0) if (l !~ /^(#|$)/) { split(l, f, "\t"); pat[++n] = f[1] } }
		function flush(  i) {
			if (rec == "") return
			for (i = 1; i <= n; i++) if (rec ~ pat[i]) { rec = ""; return }
			printf "%s", rec; rec = ""
		}
		/^unreferenced object/ { flush() }
		{ rec = rec $0 "\n" }
		END { flush() }' <<<"$out")
	[ -n "$kept" ] || return 0
	echo "FAIL $name: kmemleak: $(grep -c '^unreferenced object' <<<"$kept") unreferenced objects" | tee -a "$results"
	head -n 60 <<<"$kept" | sed 's/^/     | /'
}

# Objects the kernel allocated while booting are not the tests' to answer for.
[ -n "$kmemleak" ] && { echo scan >"$kmemleak"; echo clear >"$kmemleak"; }

for t in "${tests[@]}"; do
	name=$(basename "${t%.sh}")
	if [ -n "${E2E_QUEUE:-}" ]; then mkdir "$E2E_QUEUE/$name" 2>/dev/null || continue; fi
	before=$(grep -c "^FAIL $name:" "$results")
	echo "=== $name"
	start=$SECONDS
	from=$(stat -c %s "$klog")
	echo "e2e-run: begin $name" >/dev/kmsg
	E2E_NAME=$name bash "$t"
	rc=$?
	after=$(grep -c "^FAIL $name:" "$results")
	if [ "$rc" -ne 0 ] && [ "$after" -eq "$before" ]; then
		echo "FAIL $name: exited with status $rc" | tee -a "$results"
	fi
	echo "=== $name: $((SECONDS - start)) s"
	# Anything a test loaded must be gone before the next one starts.
	for m in ipvs_fnat toa; do
		if grep -q "^$m " /proc/modules; then
			echo "FAIL $name: left module $m loaded" | tee -a "$results"
			rmmod "$m" 2>/dev/null
		fi
	done
	ended=$SECONDS
	scan_klog "$name" "$from"
	leak_scan "$name" "$ended"
done

# Last: nothing of the project loaded (the checks above unloaded what a test left),
# the IPVS modules the tests loaded gone too, and one more leak scan.
if [ -n "$kmemleak" ]; then
	from=$(stat -c %s "$klog")
	echo "e2e-run: begin unload-all" >/dev/kmsg
	for m in ipvs_fnat toa; do ! grep -q "^$m " /proc/modules || rmmod "$m"; done
	for m in $(awk '$1 ~ /^ip_vs/ { print $1 }' /proc/modules); do modprobe -r "$m" 2>/dev/null; done
	leak_scan unload-all "$SECONDS"
	scan_klog unload-all "$from"
	grep -q '^FAIL unload-all:' "$results" || echo "PASS unload-all: every module unloaded, no leak" | tee -a "$results"
fi

p=$(grep -c '^PASS ' "$results")
f=$(grep -c '^FAIL ' "$results")
echo "e2e: $p passed, $f failed"
[ "$f" -eq 0 ]
