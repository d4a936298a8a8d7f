#!/usr/bin/env bash
# make bench: every benchmark in tests/bench/, one after another, inside the test guest
# (scripts/vm-run; `make bench` boots it with more memory and a long timeout).
#
#   tests/bench/run.sh [BENCH.sh ...]      (default: every tests/bench/*.sh but this one)
#
# A benchmark is a bash script here that builds its own namespaces (tests/e2e/lib.sh
# helpers), measures, and prints its results as lines
#   BENCH <name> <value>
# It exits non-zero only if it could not measure. To add one, drop NAME.sh next to this
# file. Benchmarks are not tests: no result fails `make bench` by its value.
#
# Each benchmark's output is kept in build/bench/NAME.out; at the end tests/bench/report.py
# draws docs/bench-scale.png, rewrites the generated section of docs/benchmarks.md and
# prints every BENCH line of the run again as the last lines.
set -u -o pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

if [ -z "${VM_GUEST:-}" ]; then
	echo "run.sh: run me inside the test guest: make bench" >&2
	exit 2
fi

benches=("$@")
if [ ${#benches[@]} -eq 0 ]; then
	for b in "$here"/*.sh; do
		[ "$(basename "$b")" = run.sh ] || benches+=("$b")
	done
fi
if [ ${#benches[@]} -eq 0 ]; then
	echo "bench: no benchmarks" >&2
	exit 1
fi

BENCH_DIR=${BENCH_DIR:-$here/../../build/bench}
export BENCH_DIR
mkdir -p "$BENCH_DIR"
rm -f "$BENCH_DIR"/*.out

rc=0
for b in "${benches[@]}"; do
	name=$(basename "${b%.sh}")
	echo "=== $name"
	start=$SECONDS
	if ! E2E_NAME=$name bash "$b" 2>&1 | tee "$BENCH_DIR/$name.out"; then
		echo "bench: $name could not measure" >&2
		rc=1
	fi
	echo "=== $name: $((SECONDS - start)) s"
done
echo "=== report"
/usr/bin/python3 "$here/report.py" final "$BENCH_DIR" "$here/../../docs/benchmarks.md" || rc=1
exit $rc
