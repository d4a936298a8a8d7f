#!/usr/bin/env bash
# Netlink fuzzing of ipvs_fnat.ko (fnat-nlfuzz): random and mutated IPVS_FNAT messages
# of every command, from a privileged process (two at once, racing each other) and
# from unprivileged ones, then: the module still keeps its whole contract
# (fnat-nlcheck), nothing of the fuzzing is left, the connection cache is back to its
# baseline, and the module unloads (its unload WARNs, and so fails the run, if any
# object it allocated was not freed).
#
#   init netns (the guest)           nlF: lo only; the privileged fuzzers run here
#     ipvs_fnat.ko                   nlU: --sample's configuration; the unprivileged
#                                         fuzzers run here: root of a new user
#                                         namespace (unshare -U -r), and nobody with
#                                         no capability at all (setpriv)
#
# NLFUZZ_COUNT (default 4000) messages per fuzzer run; make fuzz runs 100000+.
. "$(dirname "$0")/lib.sh"

NLFUZZ=$TOOLBIN/fnat-nlfuzz
NLCHECK=$TOOLBIN/fnat-nlcheck
KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko}
COUNT=${NLFUZZ_COUNT:-4000}
SEED=${NLFUZZ_SEED:-$RANDOM}
SUMMARY=${FUZZ_SUMMARY:-/dev/null}	# make fuzz collects the figures here


# fuzz WHAT NS [PREFIX...] -- ARGS: one fuzzer run, its summary shown and kept.
fuzz() {
	local what=$1 ns=$2 out rc n t0=$SECONDS
	shift 2
	local pre=()
	while [ "$1" != "--" ]; do pre+=("$1"); shift; done
	shift
	out=$(on "$ns" "${pre[@]}" "$NLFUZZ" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^fnat-nlfuzz' | sed 's/^/     | /' | head -n 30
	printf '%s\n' "$out" | grep -vE '^fnat-nlfuzz' >"$E2E_TMP/nlfuzz-$ns-$SECONDS.hist"
	n=$(grep -o ' sent=[0-9]*' <<<"$out" | awk -F= '{ s += $2 } END { print s + 0 }')
	check_eq "$what: every one of $n messages answered as the contract allows" 0 "$rc"
	{
		echo "$what ($((SECONDS - t0)) s):"
		grep -v '^fnat-nlfuzz\[' <<<"$out"
	} >>"$SUMMARY"
}

main() {
	local base after before out rc
	check "ipvs_fnat.ko loads" insmod "$KO"
	at_exit "rmmod ipvs_fnat"
	base=$(slab_active fnat_conn)
	info "seed $SEED, $COUNT messages per run; fnat_conn active objects at start: $base"

	ns_add nlF
	fuzz "privileged, two fuzzers at once" nlF -- --count "$COUNT" --jobs 2 --seed "$SEED"
	fuzz "privileged, one fuzzer (state checked every 500)" nlF -- --count "$COUNT" --seed $((SEED + 100))
	check_eq "the fuzzed namespace is left empty (fnat-nlfuzz flushes)" 0 \
		"$(on nlF awk 'NR > 4' /proc/net/ip_vs_fnat | wc -l)"
	out=$(on nlF "$NLCHECK" 2>&1)
	rc=$?
	check_eq "after fuzzing, fnat-nlcheck passes every case ($(tail -n 1 <<<"$out"))" 0 "$rc"

	ns_add nlU
	check "a sample configuration for the unprivileged fuzzers" on nlU "$NLCHECK" --sample
	before=$(on nlU cat /proc/net/ip_vs_fnat)
	fuzz "root of a user namespace without CAP_NET_ADMIN over the netns" nlU \
		unshare -U -r -- --unpriv --count "$COUNT" --seed $((SEED + 200))
	fuzz "nobody, no capabilities" nlU \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		-- --unpriv --count "$COUNT" --seed $((SEED + 300))
	check_eq "the unprivileged fuzzers changed nothing (/proc/net/ip_vs_fnat)" "$before" \
		"$(on nlU cat /proc/net/ip_vs_fnat)"

	check "the initial namespace was never touched" \
		grep -q 'services=0$' <("$NLCHECK" --state)
	ip netns del nlF
	ip netns del nlU
	E2E_NS=()
	wait_until 30 slab_active_is fnat_conn "$base"
	after=$(slab_active fnat_conn)
	check_eq "fnat_conn active objects back to the baseline" "$base" "$after"
	check "ipvs_fnat unloads after the fuzzing (no object leaked: it WARNs otherwise)" rmmod ipvs_fnat
	check_fails "ipvs_fnat is gone from /proc/modules" grep -q '^ipvs_fnat ' /proc/modules
}

main
finish
