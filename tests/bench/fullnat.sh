#!/usr/bin/env bash
# FULLNAT against the kernel's own IPVS, in one guest boot and one topology:
#
#   client ------------- director --------------------- lan bridge --- rs1, rs2
#   198.51.100.2         VIP 192.0.2.10 (lo)                             203.0.113.11, .12
#   (wrk, iperf3,        LIPs 203.0.113.100-103 (rs0)                    nginx :80, iperf3 :5201
#    fnat-synflood)      sink: 203.0.113.200-207 on a dummy device (sk0)
#
# 1. Modes, interleaved (a b c d a b c d ...) for BENCH_REPS rounds, because the
#    emulated, shared machine drifts and only runs close in time compare:
#      route  the director routes; the clients talk to rs1/rs2 directly (the ceiling)
#      ipvs   the kernel's IPVS, NAT (-m), conntrack off, VIP 192.0.2.10 -> rs1, rs2
#      fnat   ipvs_fnat FULLNAT, net.ipvs_fnat.toa=0, no toa.ko
#      toa    ipvs_fnat FULLNAT with the TOA, toa.ko on the real servers
#    Each round: short connections (two wrk, each -t1 -c4, `Connection: close`: one
#    request per connection, one wrk per real server's worth of load) for BENCH_SECS,
#    then one iperf3 bulk transfer to rs1 for BENCH_IPERF_SECS. CPU per connection
#    is the guest's busy time (all of /proc/stat but idle) over the connections made;
#    client and servers are the same in every mode, so the difference between modes
#    is the director's.
# 2. Profile (perf record -a -g, cpu-clock) during IPVS NAT and FULLNAT+TOA loads.
# 3. Memory per connection: SYNs from BENCH_MEM_CONNS spoofed client tuples
#    (fnat-synflood --tuples seq) to a service whose real servers are the sink (a
#    dummy device: every translated SYN is sent and discarded, none is answered, so
#    each tuple stays a live half-open connection), once through IPVS and once
#    through FULLNAT; the slab's objects x object size / live connections (the guest boots with
#    slab_nomerge, without slub_debug: vm-run --bench).
# 4. Scale: the same fill up to the last of BENCH_SCALE_STEPS live entries (timeout_syn raised so
#    that they stay), with the FULLNAT+TOA connection rate and the CPU per forwarded
#    packet measured at each step, and at an empty table before and after.
#
# BENCH_BEFORE_KO=PATH adds a fifth mode, toa0: FULLNAT+TOA with another build of
# ipvs_fnat.ko (the one before a datapath change), measured and profiled in the same
# rounds, for a before/after comparison.
#
# Output: BENCH lines (below), and under $BENCH_DIR (build/bench): modes.tsv (every
# round), scale.tsv, mem.tsv, profile-*.txt, for tests/bench/report.py.
. "$(dirname "$0")/../e2e/lib.sh"

REPS=${BENCH_REPS:-3}
SECS=${BENCH_SECS:-4}
IPERF_SECS=${BENCH_IPERF_SECS:-3}
MEM_CONNS=${BENCH_MEM_CONNS:-100000}
SCALE_STEPS=${BENCH_SCALE_STEPS:-"100000 300000 1000000"}
SCALE_BUDGET=${BENCH_SCALE_BUDGET:-600}	# seconds of filling at most
SCALE_CYCLES=${BENCH_SCALE_CYCLES:-1}	# 2: a second fill straight to the top
BENCH_DIR=${BENCH_DIR:-$BUILD/bench}
SYNFLOOD=$TOOLBIN/fnat-synflood
VIP=192.0.2.10
LIPS="203.0.113.100 203.0.113.101 203.0.113.102 203.0.113.103"
SINKS="203.0.113.200 203.0.113.201 203.0.113.202 203.0.113.203 203.0.113.204 203.0.113.205 203.0.113.206 203.0.113.207"
MODES="route ipvs fnat toa"
PROF_MODES="ipvs toa"
if [ -n "${BENCH_BEFORE_KO:-}" ]; then
	[ -r "$BENCH_BEFORE_KO" ] || { echo "bench: cannot read BENCH_BEFORE_KO=$BENCH_BEFORE_KO" >&2; exit 1; }
	MODES="$MODES toa0"
	PROF_MODES="$PROF_MODES toa0"
fi
mkdir -p "$BENCH_DIR"
rm -f "$BENCH_DIR"/modes.tsv "$BENCH_DIR"/scale.tsv "$BENCH_DIR"/mem.tsv "$BENCH_DIR"/profile-*.txt

fnat() { on director "$FNAT_TOOL" "$@"; }
die() { echo "bench: $*" >&2; exit 1; }
for f in "$BUILD/ipvs_fnat.ko" "$BUILD/toa.ko" "$FNAT_TOOL" "$SYNFLOOD"; do
	[ -e "$f" ] || die "$f is missing: run make first"
done
for t in wrk iperf3 ipvsadm nginx; do
	command -v $t >/dev/null || die "$t is missing: scripts/deps.sh installs it"
done

# --- topology ----------------------------------------------------------------------------
setup() {
	topo_standard
	rs_route_via_director
	local a i
	for a in $LIPS; do addr director rs0 "$a/24"; done
	on client sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
	for i in 1 2; do
		on rs$i sysctl -q -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
		on rs$i iperf3 -s -D -p 5201 >/dev/null 2>&1
	done
	# The sink: real-server addresses behind a dummy device, which discards.
	on director ip link add sk0 type dummy
	on director ip link set sk0 up
	for a in $SINKS; do on director ip route add "$a/32" dev sk0; done
	nginx_start rs1 rs1 && nginx_start rs2 rs2 || return 1
	wait_until 10 on rs1 ss -Htln 'sport = :5201'
	# Whatever a failed measurement leaves loaded goes at exit (toa_accept.sh loads
	# toa.ko next).
	at_exit "rmmod ipvs_fnat; rmmod toa"
	modprobe ip_vs && modprobe ip_vs_rr || return 1
	at_exit "modprobe -r ip_vs_rr ip_vs"
	# No conntrack; a connection whose server is gone is dropped at once, not its packets.
	on director sysctl -q -w net.ipv4.vs.conntrack=0 net.ipv4.vs.expire_nodest_conn=1
}

# --- the modes -----------------------------------------------------------------------------
mode_up() {
	case $1 in
	route) ;;
	ipvs)
		on director ipvsadm -A -t $VIP:80 -s rr &&
			on director ipvsadm -a -t $VIP:80 -r 203.0.113.11:80 -m &&
			on director ipvsadm -a -t $VIP:80 -r 203.0.113.12:80 -m &&
			on director ipvsadm -A -t $VIP:5201 -s rr &&
			on director ipvsadm -a -t $VIP:5201 -r 203.0.113.11:5201 -m
		;;
	fnat | toa | toa0)
		# conn_max_global: by default the module caps all namespaces together at
		# 1/16 of RAM, about 1 M connections in this 4 GB guest: the scale test
		# must go past 1 M, so the cap is lifted to 4 M (1 GB of entries).
		if [ "$1" = toa0 ]; then
			insmod "$BENCH_BEFORE_KO" conn_max_global=4000000 || return 1
		else
			insmod "$BUILD/ipvs_fnat.ko" conn_max_global=4000000 || return 1
		fi
		if [ "$1" != fnat ]; then
			insmod "$BUILD/toa.ko" || return 1
		else
			on director sysctl -q -w net.ipvs_fnat.toa=0
		fi
		fnat_service $VIP:80 203.0.113.11:80 203.0.113.12:80 && fnat_service $VIP:5201 203.0.113.11:5201
		;;
	esac
}

mode_down() {
	case $1 in
	ipvs) on director ipvsadm -C ;;
	fnat) rmmod ipvs_fnat ;;
	toa | toa0) rmmod ipvs_fnat && rmmod toa ;;
	esac
}

# fnat_service VIP:PORT RS:PORT...: a round-robin FULLNAT service over the four LIPs.
fnat_service() {
	local svc=$1 r l
	shift
	fnat -A -t "$svc" -s rr || return 1
	for r in "$@"; do fnat -a -t "$svc" -r "$r" -b || return 1; done
	for l in $LIPS; do fnat -P -t "$svc" -z "$l" || return 1; done
}

# busy_ticks: the guest's non-idle CPU time so far, in USER_HZ ticks (all CPUs).
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
softirq_ticks() { awk '$1 == "cpu" { print $8 }' /proc/stat; }

# to_ms VALUE: wrk's latency ("812.00us", "1.23ms", "2.01s") in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN { u = v; sub(/^[0-9.]+/, "", u); n = v + 0
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n }'
}

# cps_run MODE: two wrk for SECS seconds; prints "cps p50_ms p99_ms cpu_us_per_conn softirq_us_per_conn errors"
cps_run() {
	local mode=$1 t1 t2 s1 s2 b0 b1 q0 q1 o1 o2 r1 r2 u1 u2 hz
	if [ "$mode" = route ]; then
		u1=http://203.0.113.11/ u2=http://203.0.113.12/
	else
		u1=http://$VIP/ u2=http://$VIP/
	fi
	o1=$(mktemp) o2=$(mktemp)
	b0=$(busy_ticks) q0=$(softirq_ticks)
	on client wrk -t1 -c4 -d"${SECS}s" --timeout 10s --latency -H 'Connection: close' "$u1" >"$o1" 2>&1 &
	t1=$!
	on client wrk -t1 -c4 -d"${SECS}s" --timeout 10s --latency -H 'Connection: close' "$u2" >"$o2" 2>&1 &
	t2=$!
	wait $t1 $t2
	b1=$(busy_ticks) q1=$(softirq_ticks)
	hz=$(getconf CLK_TCK)
	r1=$(awk '/^Requests\/sec:/ { print $2 }' "$o1")
	r2=$(awk '/^Requests\/sec:/ { print $2 }' "$o2")
	s1=$(awk '$1 == "50%" { print $2 }' "$o1")
	s2=$(awk '$1 == "50%" { print $2 }' "$o2")
	t1=$(awk '$1 == "99%" { print $2 }' "$o1")
	t2=$(awk '$1 == "99%" { print $2 }' "$o2")
	local n1 n2 err
	n1=$(awk '/requests in/ { print $1 }' "$o1")
	n2=$(awk '/requests in/ { print $1 }' "$o2")
	err=$(cat "$o1" "$o2" | awk '/Socket errors/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 } /Non-2xx/ { e += $NF } END { print e + 0 }')
	rm -f "$o1" "$o2"
	[ -n "$r1" ] && [ -n "$r2" ] || return 1
	awk -v r1="$r1" -v r2="$r2" -v p1="$(to_ms "$s1")" -v p2="$(to_ms "$s2")" \
		-v q1="$(to_ms "$t1")" -v q2="$(to_ms "$t2")" -v n=$((n1 + n2)) -v hz="$hz" \
		-v b=$((b1 - b0)) -v s=$((q1 - q0)) -v e="$err" 'BEGIN {
		printf "%.1f %.3f %.3f %.1f %.1f %d\n", r1 + r2, (p1 + p2) / 2, (q1 > q2 ? q1 : q2),
			(n ? b * 1e6 / hz / n : 0), (n ? s * 1e6 / hz / n : 0), e }'
}

# iperf_run MODE: one bulk TCP transfer to rs1; prints bits/s received.
iperf_run() {
	local dst=$VIP
	[ "$1" = route ] && dst=203.0.113.11
	on client iperf3 -c $dst -p 5201 -t "$IPERF_SECS" -J 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])'
}

modes_bench() {
	local r m line bps
	printf 'round\tmode\tcps\tp50_ms\tp99_ms\tcpu_us_per_conn\tsoftirq_us_per_conn\terrors\tbps\n' >"$BENCH_DIR/modes.tsv"
	for ((r = 1; r <= REPS; r++)); do
		for m in $MODES; do
			mode_up $m || die "cannot set up mode $m"
			line=$(cps_run $m) || die "wrk failed in mode $m"
			bps=$(iperf_run $m) || bps=0
			mode_down $m || die "cannot tear down mode $m"
			info "round $r $m: cps p50 p99 cpu/conn softirq/conn errors = $line; iperf3 ${bps:-0} bit/s"
			printf '%d\t%s\t%s\t%s\n' "$r" $m "$(tr ' ' '\t' <<<"$line")" "${bps:-0}" >>"$BENCH_DIR/modes.tsv"
		done
	done
}

# --- profile -------------------------------------------------------------------------------
# Two views of the datapath under the same wrk load, for IPVS NAT and FULLNAT+TOA:
#  - exact call counts (kprobes, their hit counters in kprobe_profile) of the kernel
#    functions behind the usual suspects (route lookups, header reallocations, full
#    checksums, allocations, netfilter hooks) and of each balancer's own entry
#    points, divided by the connections made: what each mode does per connection;
#  - perf record -a -g (cpu-clock): where the guest spends its time. (Under TCG the
#    guest's sampling timer lands mostly in the idle loop: see docs/benchmarks.md.)
PROF_KFUNCS="fib_table_lookup ip_route_output_key_hash ip_route_input_noref ip_local_out ip_forward
	nf_hook_slow ip_rcv tcp_v4_rcv veth_xmit kmem_cache_alloc __kmalloc dst_release
	pskb_expand_head skb_checksum __skb_checksum_complete nf_conntrack_in"
PROF_MODFUNCS_ipvs="ip_vs_in_hook ip_vs_out_hook ip_vs_nat_xmit ip_vs_conn_new ip_vs_conn_in_get __ip_vs_get_out_rt"
PROF_MODFUNCS_fnat="fnat_conn_lookup_in fnat_conn_lookup_out fnat_conn_new fnat_xmit fnat_xmit_routed fnat_route tcp_fnat_in_handler tcp_fnat_out_handler"
TR=/sys/kernel/tracing

# kprobes_start FUNC...: a counting kprobe on each FUNC that exists (group fb).
kprobes_start() {
	local f
	[ -w $TR/kprobe_events ] || return 1
	echo 0 >$TR/tracing_on		# count only: nothing is written to the trace buffer
	for f in "$@"; do echo "p:fb/k_$f $f" >>$TR/kprobe_events 2>/dev/null; done
	[ -d $TR/events/fb ] || return 1
	echo 1 >$TR/events/fb/enable
}

# kprobes_stop OUT CONNS: "function calls calls_per_conn" into OUT; removes the probes.
kprobes_stop() {
	echo 0 >$TR/events/fb/enable
	awk -v n="$2" '$1 ~ /^k_/ { sub(/^k_/, "", $1); printf "%-28s %10d %10.2f\n", $1, $2, (n ? $2 / n : 0) }' \
		$TR/kprobe_profile >"$1"
	: >$TR/kprobe_events
	echo 1 >$TR/tracing_on
}

profile() {
	local m out mod funcs n
	for m in $PROF_MODES; do
		mode_up $m || die "cannot set up mode $m"
		funcs=$PROF_MODFUNCS_fnat
		[ $m = ipvs ] && funcs=$PROF_MODFUNCS_ipvs
		out=$BENCH_DIR/profile-$m.wrk
		# shellcheck disable=SC2086
		if kprobes_start $PROF_KFUNCS $funcs; then
			on client wrk -t2 -c8 -d"${SECS}s" --timeout 10s -H 'Connection: close' http://$VIP/ >"$out" 2>&1
			n=$(awk '/requests in/ { print $1 }' "$out")
			kprobes_stop "$BENCH_DIR/profile-$m-calls.txt" "${n:-0}"
			info "call counts $m: ${n:-0} connections"
		else
			info "no kprobe events: no call counts"
		fi
		if command -v perf >/dev/null; then
			sysctl -q -w kernel.perf_cpu_time_max_percent=0
			on client wrk -t2 -c8 -d"$((SECS + 3))s" --timeout 10s -H 'Connection: close' http://$VIP/ >"$out" 2>&1 &
			sleep 1
			perf record -q -F 250 -e cpu-clock -a -g -o /tmp/perf.$m.data -- sleep "$SECS" >/dev/null 2>&1
			wait
			info "perf profile $m: wrk $(awk '/^Requests\/sec:/ { print $2 }' "$out") conn/s during the recording"
			# (reported before the modules go: perf resolves their symbols from /proc/kallsyms)
			perf report -i /tmp/perf.$m.data --stdio --no-children --sort sym --percent-limit 0.3 \
				-g none 2>/dev/null | grep -v '^$' | grep -v '^# *$' | head -n 40 >"$BENCH_DIR/profile-$m.txt"
			perf report -i /tmp/perf.$m.data --stdio --no-children --sort dso -g none 2>/dev/null |
				grep -E '%' | head -n 12 >"$BENCH_DIR/profile-$m-dso.txt"
			rm -f /tmp/perf.$m.data
		fi
		mode_down $m
	done
}

# --- memory and scale ------------------------------------------------------------------------
# slab CACHE: "active_objs objsize pages_bytes" of a slab cache.
slab() { awk -v c="$1" '$1 == c { print $2, $4, $15 * $6 * 4096 }' /proc/slabinfo; }
fnat_live() { on director awk '$1 == "conn_new" { n = $2 } $1 == "conn_expired" { e = $2 } END { print n - e }' /proc/net/ip_vs_fnat_stats; }
ipvs_live() { on director ipvsadm -L -n | awk '$1 == "->" { n += $5 + $6 } END { print n + 0 }'; }
fnat_counter() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }

FILLED=0
FILL_RATE=0
# fill N: SYNs from the next N client tuples to $VIP:81; sets FILLED and FILL_RATE
# (SYNs per second). Not in a subshell: it keeps FILLED.
fill() {
	local out sent ms
	[ "$1" -gt 0 ] || { FILL_RATE=0; return 0; }
	# Tuple FILLED on: 198.51.100.10 + i / 64512, port 1024 + i % 64512; the raw
	# socket waits out a full queue instead of dropping, so sent = count.
	out=$(on client "$SYNFLOOD" --via raw --tuples seq --first "$FILLED" --count "$1" \
		--spoof 198.51.100.10/24 --dst $VIP --port 81) || return 1
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
	ms=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' <<<"$out")
	FILLED=$((FILLED + sent))
	FILL_RATE=$(awk -v n="$sent" -v m="$ms" 'BEGIN { printf "%.0f", n * 1000 / (m ? m : 1) }')
}

# settle LIVE_FN: wait until the live count stops growing (the SYNs are queued in
# the sender's and director's backlogs for a moment after the sender returns).
settle() {
	local prev=-1 now i
	for i in $(seq 100); do
		now=$($1)
		[ "$now" = "$prev" ] && break
		prev=$now
		sleep 0.5
	done
	echo "$now"
}

mem_ipvs() {
	local s live a
	on director ipvsadm -A -t $VIP:81 -s rr || return 1
	for a in $SINKS; do on director ipvsadm -a -t $VIP:81 -r "$a:81" -m || return 1; done
	fill "$MEM_CONNS" || return 1
	live=$(settle ipvs_live)
	s=$(slab ip_vs_conn)
	info "ip_vs: $live live connections; slab ip_vs_conn (active objsize bytes): $s"
	printf 'ipvs\t%s\t%s\n' "$live" "$(tr ' ' '\t' <<<"$s")" >>"$BENCH_DIR/mem.tsv"
	on director ipvsadm -C
	# Unloading frees its connections: none of their timers run during the scale test.
	modprobe -r ip_vs_rr ip_vs
}

# scale_point CYCLE STEP: BENCH_SCALE_RUNS connection-rate runs at the table's present
# size (STEP: the fill target, 0 for an empty table).
scale_point() {
	local cycle=$1 step=$2 size i line b0 b1 p0 p1 hz pkt
	size=$(fnat_live)
	for ((i = 1; i <= ${BENCH_SCALE_RUNS:-2}; i++)); do
		p0=$(($(fnat_counter in_pkts) + $(fnat_counter out_pkts)))
		b0=$(busy_ticks)
		line=$(cps_run toa) || return 1
		b1=$(busy_ticks)
		p1=$(($(fnat_counter in_pkts) + $(fnat_counter out_pkts)))
		hz=$(getconf CLK_TCK)
		pkt=$(awk -v b=$((b1 - b0)) -v p=$((p1 - p0)) -v hz="$hz" 'BEGIN { printf "%.2f", (p ? b * 1e6 / hz / p : 0) }')
		set -- $line
		info "table $size: cps $1, p50 $2 ms, p99 $3 ms, $pkt us CPU per forwarded packet"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cycle" "$step" "$size" "$1" "$2" "$3" "$pkt" "$FILL_RATE" "$i" \
			>>"$BENCH_DIR/scale.tsv"
	done
}

# scale_up: FULLNAT+TOA with the wrk service and the sink service (:81, SYNs that
# stay for timeout_syn), on an empty table.
scale_up() {
	local a
	mode_up toa || return 1
	on director sysctl -q -w net.ipvs_fnat.timeout_syn=7200
	fnat -A -t $VIP:81 -s rr || return 1
	for a in $SINKS; do fnat -a -t $VIP:81 -r "$a:81" -b || return 1; done
	for a in $LIPS; do fnat -P -t $VIP:81 -z "$a" || return 1; done
	FILLED=0	# a fresh table: the client tuples can start over
	FILL_RATE=0
}

# scale_down: unload (which frees every connection), timed.
scale_down() {
	local t0=$SECONDS
	mode_down toa || return 1
	info "scale: unloading with $FILLED filled connections took $((SECONDS - t0)) s"
}

# Cycle 1 fills step by step (the plot); a cycle 2 (BENCH_SCALE_CYCLES=2) fills
# straight to the top. Each full table is measured between two empty ones (the
# module reloaded), and cps_ratio_1m_vs_empty compares the full table with the
# empty ones beside it.
scale() {
	local live s step start cycle top
	printf 'cycle\tstep\tentries\tcps\tp50_ms\tp99_ms\tcpu_us_per_pkt\tfill_syn_per_s\trep\n' >"$BENCH_DIR/scale.tsv"
	top=${SCALE_STEPS##* }
	scale_up || return 1
	scale_point 0 0 || return 1
	start=$SECONDS
	for ((cycle = 1; cycle <= SCALE_CYCLES; cycle++)); do
		if [ $cycle = 2 ]; then
			scale_up || return 1
		fi
		for step in $SCALE_STEPS; do
			[ $cycle = 2 ] && step=$top
			if [ $((SECONDS - start)) -gt "$SCALE_BUDGET" ]; then
				info "scale: the fill budget (${SCALE_BUDGET} s) is spent; stopping at $FILLED"
				break
			fi
			fill $((step - FILLED)) || return 1
			live=$(settle fnat_live)
			info "scale: $FILLED SYNs sent ($FILL_RATE/s), $live live connections"
			if [ $cycle = 1 ] && [ "$step" = "$MEM_CONNS" ]; then
				s=$(slab fnat_conn)
				info "ipvs_fnat: $live live connections; slab fnat_conn (active objsize bytes): $s"
				printf 'fnat\t%s\t%s\n' "$live" "$(tr ' ' '\t' <<<"$s")" >>"$BENCH_DIR/mem.tsv"
			fi
			scale_point $cycle "$step" || return 1
			[ $cycle = 2 ] && break
		done
		s=$(slab fnat_conn)
		[ $cycle = 1 ] && printf 'fnat_full\t%s\t%s\n' "$live" "$(tr ' ' '\t' <<<"$s")" >>"$BENCH_DIR/mem.tsv"
		info "scale: full: $live live, no_port=$(fnat_counter no_port) nomem=$(fnat_counter nomem_drop) conn_limit=$(fnat_counter conn_limit) conn_limit_global=$(fnat_counter conn_limit_global); slab: $s"
		scale_down || return 1
		# An empty table again, after the full one.
		scale_up || return 1
		scale_point $cycle 0 || return 1
		mode_down toa || return 1
	done
}

# --- main ----------------------------------------------------------------------------------
PHASES=${BENCH_PHASES:-modes profile mem scale}	# (a subset, for trying the benchmark out)
phase() { [[ " $PHASES " == *" $1 "* ]]; }
setup || die "setup: topology, ip_vs, nginx, iperf3"
if phase modes; then
	info "modes: $REPS rounds of $MODES, ${SECS} s of wrk and ${IPERF_SECS} s of iperf3 each"
	modes_bench
fi
if phase profile; then
	info "profile"
	profile
fi
: >"$BENCH_DIR/mem.tsv"
if phase mem; then
	info "memory: $MEM_CONNS half-open connections through IPVS"
	mem_ipvs || die "ip_vs memory fill"
fi
if phase scale; then
	info "scale: FULLNAT table filled to $SCALE_STEPS"
	scale || die "scale"
fi

# --- results -------------------------------------------------------------------------------
/usr/bin/python3 "$(dirname "$0")/report.py" summary "$BENCH_DIR" || die "summary"
cleanup
