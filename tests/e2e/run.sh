#!/usr/bin/env bash
# Runs end-to-end tests inside the test guest, one after another in this boot:
#   tests/e2e/run.sh [TEST.sh ...]      (default: every tests/e2e/[0-9]*.sh)
# Each test's stages are appended to build/test-results/e2e.results as PASS/FAIL lines;
# a test that exits non-zero without recording a failure is recorded as one. Exits
# non-zero if anything failed.
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

for t in "${tests[@]}"; do
	name=$(basename "${t%.sh}")
	before=$(grep -c "^FAIL $name:" "$results")
	echo "=== $name"
	start=$SECONDS
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
done

p=$(grep -c '^PASS ' "$results")
f=$(grep -c '^FAIL ' "$results")
echo "e2e: $p passed, $f failed"
[ "$f" -eq 0 ]
