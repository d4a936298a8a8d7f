#!/usr/bin/env bash
# sparse-check.sh KDIR DIR...: run sparse (C=2: every file, whether rebuilt or not)
# over each module directory and fail if it reports anything. sparse checks what the
# stock kernel's missing lockdep cannot: __rcu pointers used without rcu_dereference,
# __be16/__be32 mixed with host-order integers, lock-context annotations.
set -u
kdir=$1
shift
status=0
for d in "$@"; do
	out=$(make -s -C "$kdir" M="$(cd "$d" && pwd -P)" C=2 CF="-D__CHECK_ENDIAN__" modules 2>&1 |
		grep -E ': (warning|error):' | grep -v 'Skipping BTF')
	if [ -n "$out" ]; then
		echo "FAIL sparse: $d"
		echo "$out" | sed 's/^/     | /'
		status=1
	else
		echo "PASS sparse: $d"
	fi
done
exit $status
