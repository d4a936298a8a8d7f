#!/usr/bin/env bash
# Scale-out on BGP + ECMP (docs/scale-out.md): the topology of tests/e2e/82-bgp.sh
# (tests/e2e/bgp_topo.bash: a router running BIRD with a layer-4 multipath hash,
# three directors announcing the VIPs over BGP with ipvs-fnat-rhi, N-way connection
# sync, two real servers).
#
# 1. cps_ratio_2dir_vs_1dir, cps_ratio_3dir_vs_1dir: new connections per second from
#    the client (two wrk, -t1 -c16 each, `Connection: close`, BENCH_SECS each run) to
#    the VIP with 1, 2 and 3 directors in the router's route (the others' BGP
#    sessions disabled, the route polled until it has that many next hops), in the
#    order 1 2 3 3 2 1 within each of BENCH_REPS rounds; a round's ratio is the mean
#    of its two runs with N directors over the mean of its two with one. Median and
#    spread (min..max) of the rounds. Every machine of the topology shares the
#    guest's CPUs: the ratio shows what they allow, not what N machines would.
# 2. director_loss_recovery_s: BENCH_LOSS_FLOWS echo flows (tests/bench/pulse.py, a
#    line every 50 ms, each waiting for its echo) spread over the three directors;
#    d3 dies silently: every packet to and from it is dropped (netem on the
#    router's and the LAN's ports to it and on its own), its links stay up, so the
#    router learns of it only when BGP's hold time (3 s here) runs out, as with a
#    machine that hangs or loses power behind a switch. A flow that was stalled by
#    it (the gap between its echoes around the death longer than BENCH_STALL_MS)
#    recovers when its next echo arrives. A round's figure is the time from the
#    death to the last stalled flow's recovery; median and spread over
#    BENCH_LOSS_REPS rounds (d3 revived between them: the drops removed, its BGP
#    sessions and routes back). Every flow must come back intact (no reset).
# BENCH_SCALEOUT_PARTS ("cps loss") picks the parts. Every run is kept in
# $BENCH_DIR/scaleout.tsv.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/stats.bash"
. "$(dirname "$0")/../e2e/bgp_topo.bash"

REPS=${BENCH_REPS:-3}
SECS=${BENCH_SECS:-5}
LOSS_REPS=${BENCH_LOSS_REPS:-3}
LOSS_FLOWS=${BENCH_LOSS_FLOWS:-12}
STALL_MS=${BENCH_STALL_MS:-500}
BENCH_DIR=${BENCH_DIR:-$BUILD/bench}
PULSE="$PY $(dirname "$0")/pulse.py"
mkdir -p "$BENCH_DIR"
TSV=$BENCH_DIR/scaleout.tsv

die() { echo "bench: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is missing: scripts/deps.sh installs it"
command -v bird >/dev/null || die "bird is missing: scripts/deps.sh installs bird2"

# dirs_on K: directors 1..K in the router's route to the VIP, the others out (their
# BGP sessions disabled).
dirs_on() {
	local k=$1 n
	for ((n = 1; n <= N_DIRS; n++)); do
		if [ $n -le $k ]; then
			birdc_of d$n enable up4 >/dev/null
			birdc_of d$n enable up6 >/dev/null
		else
			birdc_of d$n disable up4 >/dev/null
			birdc_of d$n disable up6 >/dev/null
		fi
	done
	wait_until 30 nexthops_are $VIP4 "$k"
}

cps() { two_wrk_cps "http://$VIP4/" "$SECS" 16; }

# cps_with K: dirs_on K, then one cps run, into CPS; the directors' shares logged.
cps_with() {
	local n before=() shares=
	dirs_on "$1" || { info "the route did not get $1 next hops"; return 1; }
	for ((n = 1; n <= N_DIRS; n++)); do before[n]=$(own_new d$n); done
	CPS=$(cps) || return 1
	for ((n = 1; n <= N_DIRS; n++)); do shares="$shares d$n $(($(own_new d$n) - before[n]))"; done
	info "  $1 director(s): $CPS conn/s;$shares"
}

bench_cps() {
	local r a1 a2 a3 b3 b2 b1 x2 x3 r2=() r3=()
	for ((r = 1; r <= REPS; r++)); do
		cps_with 1 && a1=$CPS && cps_with 2 && a2=$CPS && cps_with 3 && a3=$CPS &&
			cps_with 3 && b3=$CPS && cps_with 2 && b2=$CPS && cps_with 1 && b1=$CPS || return 1
		x2=$(awk -v a="$a2" -v b="$b2" -v c="$a1" -v d="$b1" 'BEGIN { printf "%.4f", (a + b) / (c + d) }')
		x3=$(awk -v a="$a3" -v b="$b3" -v c="$a1" -v d="$b1" 'BEGIN { printf "%.4f", (a + b) / (c + d) }')
		r2+=("$x2") r3+=("$x3")
		info "round $r: 1 dir $a1 $b1, 2 dirs $a2 $b2, 3 dirs $a3 $b3 conn/s: ratios $x2 $x3"
		printf 'cps\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$a1" "$a2" "$a3" "$b3" "$b2" "$b1" "$x2" "$x3" >>"$TSV"
	done
	echo "BENCH cps_ratio_2dir_vs_1dir $(median "${r2[@]}")"
	echo "BENCH cps_ratio_2dir_vs_1dir_spread $(spread "${r2[@]}")"
	echo "BENCH cps_ratio_3dir_vs_1dir $(median "${r3[@]}")"
	echo "BENCH cps_ratio_3dir_vs_1dir_spread $(spread "${r3[@]}")"
}

# flows_now: the client ends (address:port) of this round's pulse flows.
flows_now() { on client ss -Htn state established "( dport = :7 )" | awk '{ print $3 }' | sort; }
# d3_own: the client ends of those flows that run through d3 (its LIP).
d3_own() {
	fnat d3 -L -c -n | awk -v v="$VIP4:7" '$3 == "ESTABLISHED" && $5 == v && $6 ~ /^192\.0\.2\.203:/ { print $4 }' |
		sort | comm -12 - "$T/flows"
}
# d3_copied: some flows run through d3, and d1 and d2 hold a copy of each.
d3_copied() {
	local want n
	want=$(d3_own)
	[ -n "$want" ] || return 1
	for n in 1 2; do
		[ -z "$(comm -23 <(echo "$want") <(fnat d$n -L -c -n | awk '$3 == "ESTABLISHED" { print $4 }' | sort))" ] || return 1
	done
}

# d3_silent add|del: every packet to and from d3 dropped (or no longer), its links up.
d3_silent() {
	local ns dev ns_dev
	for ns_dev in router:tod3 lan:d3 d3:up0 d3:rs0; do
		ns=${ns_dev%%:*} dev=${ns_dev#*:}
		if [ "$1" = add ]; then
			tc -n "$ns" qdisc replace dev "$dev" root netem loss 100%
		else
			tc -n "$ns" qdisc del dev "$dev" root
		fi
	done
}

# recovery T0 FILE...: the seconds from T0 to the last stalled flow's next echo (0 if
# none stalled), and "stalled/total" after it; 1 if a flow failed. BENCH_DEBUG=1 logs
# each flow's longest gap.
recovery() {
	local t0=$1 f
	shift
	for f in "$@"; do
		grep -q '^done$' "$f" || { info "flow $f: $(tail -2 "$f" | paste -sd' ')"; return 1; }
	done
	awk -v t0="$t0" -v stall="$STALL_MS" '
		FNR == 1 { prev = ""; seen = 0; files++ }
		# The first gap longer than stall that ends after the death and began
		# within 5 s of it (packets in flight when it died may still arrive).
		/^[0-9.]+$/ {
			if (prev != "" && !seen && $1 > t0 && prev < t0 + 5 && ($1 - prev) * 1000 > stall) {
				seen = 1
				stalled++
				if ($1 - t0 > worst) worst = $1 - t0
			}
			prev = $1
		}
		END { printf "%.3f %d/%d\n", worst, stalled, files }' "$@"
}

bench_loss() {
	local r i pids files t0 out worst all=() stalled
	for ((r = 1; r <= LOSS_REPS; r++)); do
		dirs_on 3 || return 1
		pids=() files=()
		for ((i = 1; i <= LOSS_FLOWS; i++)); do
			files+=("$T/pulse.$r.$i")
			on client $PULSE $VIP4 7 "$(scaled 25)" 50 >"$T/pulse.$r.$i" 2>&1 &
			pids+=($!)
		done
		wait_until 10 sh -c "[ \$(ip netns exec client ss -Htn state established '( dport = :7 )' | wc -l) -ge $LOSS_FLOWS ]"
		flows_now >"$T/flows"
		wait_until 10 d3_copied || { info "round $r: no flow through d3, or d1 and d2 lack its copies"; return 1; }
		stalled=$(d3_own | wc -l)
		t0=$(now)
		d3_silent add
		wait "${pids[@]}"
		out=$(recovery "$t0" "${files[@]}") || { info "round $r: a flow broke"; return 1; }
		[ -n "${BENCH_DEBUG:-}" ] && for f in "${files[@]}"; do
			info "$f: t0 $t0 $(awk -v t0="$t0" '/^[0-9.]+$/ { if (p != "" && $1 - p > g) { g = $1 - p; at = p } p = $1; if (!f) f = $1 } END { print "first", f, "last", p, "max gap", g, "after", at }' "$f")"
		done
		worst=${out%% *}
		all+=("$worst")
		info "round $r: $stalled of $LOSS_FLOWS flows through d3; stalled/all ${out#* }; the last recovered $worst s after the death"
		printf 'loss\t%s\t%s\t%s\n' "$r" "$stalled" "$out" >>"$TSV"
		d3_silent del
		wait_until 30 established router d3v4 d3v6 || { info "d3's BGP sessions did not come back"; return 1; }
	done
	echo "BENCH director_loss_recovery_s $(median "${all[@]}")"
	echo "BENCH director_loss_recovery_s_spread $(spread "${all[@]}")"
}

: >"$TSV"
setup || die "setup: router, three directors with BIRD, real servers"
wait_until 30 nexthops_are $VIP4 3 || die "the router's route to $VIP4 never got three next hops"
on client sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
for p in ${BENCH_SCALEOUT_PARTS:-cps loss}; do
	"bench_$p" || die "$p could not measure"
done
cleanup
