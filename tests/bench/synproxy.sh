#!/usr/bin/env bash
# The SYN proxy's cost and what it buys, in one guest boot and one topology:
#
#   client ------------- director ------------------------- lan bridge --- rs1, rs2
#   198.51.100.2         VIP 192.0.2.10 (lo)                                203.0.113.11, .12
#   (wrk, iperf3,        LIPs 203.0.113.100, .101 (rs0)                     nginx :80
#    fnat-synflood)      198.51.100.128/25 (the flood's sources) routed     iperf3 :5201 (rs1)
#                        back to the client, which drops what comes
#
#   VIP:80, :5201  FULLNAT            VIP:82  the kernel's IPVS, NAT (-m), conntrack off,
#   VIP:81, :5202  FULLNAT + -j               the real servers' own tcp_syncookies=1
#   VIP:83         nftables `synproxy` in the director's input (conntrack, netfilter's
#                  SYNPROXY), nothing behind it: only its SYN-ACKs are measured
#   VIP:84         dropped in raw prerouting: the flood's own cost, the baseline
#
# Every round (BENCH_REPS, default 5) measures each pair back to back, because the
# emulated, shared machine drifts and only runs close in time compare; a ratio is
# taken within its round, and the median and the spread (min..max) of the rounds'
# ratios are reported:
#   cps_ratio_synproxy_vs_plain   wrk (`Connection: close`) for BENCH_SECS on :81 / :80, in
#                                 the order 80 81 81 80 (the means of each pair)
#   flood_legit_cps_ratio         wrk on :81 while fnat-synflood floods :81 as fast as it
#                                 can from spoofed sources / wrk on :81 without the flood
#   flood_legit_cps_ratio_ipvs_syncookies  the same on :82 (the stock alternative)
#   flood_legit_cps_ratio_vs_dropped_flood (and _ipvs_syncookies)  wrk on :81 (:82)
#                                 under the flood at it / under the same flood sent
#                                 to :84, where it is dropped on arrival: the generator
#                                 and the receive path share the guest's two vCPUs with
#                                 wrk, nginx and the director, so this one takes their
#                                 share out and leaves what answering the flood costs
#   synproxy_cookie_rate_ratio    SYN-ACKs per CPU-second, ours / netfilter's: the
#                                 guest's busy time for BENCH_COOKIE_SYNS SYNs at :81 and
#                                 at :83, less that of as many dropped at :84, per
#                                 SYN-ACK the client received (counted at its ingress)
#   synproxy_throughput_ratio_up / _down  iperf3 for BENCH_IPERF_SECS to :5202 / :5201,
#                                 with 25 ms of netem delay each way (50 ms RTT), upload
#                                 (client -> real server) and download (-R)
# Prints the BENCH lines above (and _spread, the rates beside them); keeps every round
# in $BENCH_DIR/synproxy.tsv.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/stats.bash"

REPS=${BENCH_REPS:-5}
SECS=${BENCH_SECS:-4}
IPERF_SECS=${BENCH_IPERF_SECS:-5}
COOKIE_SYNS=${BENCH_COOKIE_SYNS:-100000}
BENCH_DIR=${BENCH_DIR:-$BUILD/bench}
SYNFLOOD=$TOOLBIN/fnat-synflood
VIP=192.0.2.10
LIPS="203.0.113.100 203.0.113.101"
mkdir -p "$BENCH_DIR"

fnat() { on director "$FNAT_TOOL" "$@"; }
die() { echo "bench: $*" >&2; exit 1; }
fnat_counter() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
for f in "$BUILD/ipvs_fnat.ko" "$FNAT_TOOL" "$SYNFLOOD"; do
	[ -e "$f" ] || die "$f is missing: run make first"
done
for t in wrk iperf3 ipvsadm nginx nft; do
	command -v $t >/dev/null || die "$t is missing: scripts/deps.sh installs it"
done

# --- topology ----------------------------------------------------------------------------
# fnat_service VIP:PORT FLAGS RS:PORT...: a round-robin FULLNAT service over the LIPs.
fnat_service() {
	local svc=$1 flags=$2 r l
	shift 2
	# shellcheck disable=SC2086
	fnat -A -t "$svc" -s rr $flags || return 1
	for r in "$@"; do fnat -a -t "$svc" -r "$r" -b || return 1; done
	for l in $LIPS; do fnat -P -t "$svc" -z "$l" || return 1; done
}

setup() {
	topo_standard
	rs_route_via_director
	local a i
	for a in $LIPS; do addr director rs0 "$a/24"; done
	on director ip route add 198.51.100.128/25 via 198.51.100.2
	on client sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
	for i in 1 2; do
		on rs$i sysctl -q -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096 \
			net.ipv4.tcp_syncookies=1
	done
	on rs1 iperf3 -s -D -p 5201 >/dev/null 2>&1
	nginx_start rs1 rs1 && nginx_start rs2 rs2 || return 1
	wait_until 10 on rs1 ss -Htln 'sport = :5201' || return 1

	insmod "$BUILD/ipvs_fnat.ko" || return 1
	at_exit "rmmod ipvs_fnat"
	on director sysctl -q -w net.ipvs_fnat.toa=0
	fnat_service $VIP:80 "" 203.0.113.11:80 203.0.113.12:80 &&
		fnat_service $VIP:81 -j 203.0.113.11:80 203.0.113.12:80 &&
		fnat_service $VIP:5201 "" 203.0.113.11:5201 &&
		fnat_service $VIP:5202 -j 203.0.113.11:5201 || return 1

	modprobe ip_vs && modprobe ip_vs_rr || return 1
	at_exit "modprobe -r ip_vs_rr ip_vs"
	on director sysctl -q -w net.ipv4.vs.conntrack=0 net.ipv4.vs.expire_nodest_conn=1
	on director ipvsadm -A -t $VIP:82 -s rr &&
		on director ipvsadm -a -t $VIP:82 -r 203.0.113.11:80 -m &&
		on director ipvsadm -a -t $VIP:82 -r 203.0.113.12:80 -m || return 1

	# netfilter's SYNPROXY as its documentation sets it up for a local service, and
	# the baseline's drop.
	on director sysctl -q -w net.ipv4.tcp_syncookies=1 net.ipv4.tcp_timestamps=1 || return 1
	modprobe nf_conntrack && on director sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0 ||
		return 1
	on director nft -f - <<-EOF || return 1
		table inet spbench {
			chain pre {
				type filter hook prerouting priority raw; policy accept;
				tcp dport 84 drop
				tcp dport 83 tcp flags syn notrack
			}
			chain in {
				type filter hook input priority filter; policy accept;
				tcp dport 83 ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
				tcp dport 83 ct state invalid drop
			}
		}
	EOF
	# What reaches the client for the spoofed sources: counted, then dropped.
	on client nft -f - <<-EOF || return 1
		table netdev spbench {
			counter synacks { }
			chain in {
				type filter hook ingress device eth0 priority 0;
				ip daddr 198.51.100.128/25 tcp flags & (syn | ack) == syn | ack counter name synacks
				ip daddr 198.51.100.128/25 drop
			}
		}
	EOF
	at_exit "on director nft delete table inet spbench"
}

# --- measurements --------------------------------------------------------------------------
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
client_synacks() { on client nft list counter netdev spbench synacks | awk '$1 == "packets" { print $2 }'; }

# cps PORT: connections per second of two wrk (-t1 -c4, one request per connection).
cps() {
	local o1 o2 p1 p2
	o1=$(mktemp) o2=$(mktemp)
	on client wrk -t1 -c4 -d"${SECS}s" --timeout 10s -H 'Connection: close' "http://$VIP:$1/" >"$o1" 2>&1 &
	p1=$!
	on client wrk -t1 -c4 -d"${SECS}s" --timeout 10s -H 'Connection: close' "http://$VIP:$1/" >"$o2" 2>&1 &
	p2=$!
	wait $p1 $p2
	awk '/^Requests\/sec:/ { r += $2; n++ } END { if (n == 2) printf "%.1f\n", r; else exit 1 }' "$o1" "$o2"
	local rc=$?
	rm -f "$o1" "$o2"
	return $rc
}

# flood_start PORT [COUNT]: fnat-synflood at the VIP's PORT from the spoofed /25, as
# fast as it goes (COUNT SYNs, or until flood_stop); its pid in FLOOD_PID.
flood_start() {
	local mac
	mac=$(on director cat /sys/class/net/cli0/address)
	# ip netns exec execs the tool: $! is the flood itself.
	ip netns exec client "$SYNFLOOD" --ifname eth0 --dmac "$mac" --count "${2:-1000000000}" \
		--seed "$RANDOM" --spoof 198.51.100.128/25 --dst $VIP --port "$1" \
		>"$BENCH_DIR/synproxy-flood.out" 2>&1 &
	FLOOD_PID=$!
}
flood_stop() {
	kill -TERM "$FLOOD_PID" 2>/dev/null
	wait "$FLOOD_PID" 2>/dev/null
}

# flood_cost PORT: busy ticks for COOKIE_SYNS SYNs at PORT, and the SYN-ACKs the client
# got for them: "ticks synacks sent elapsed_ms".
flood_cost() {
	local b0 b1 s0 s1 out
	s0=$(client_synacks)
	b0=$(busy_ticks)
	flood_start "$1" "$COOKIE_SYNS"
	wait "$FLOOD_PID"
	b1=$(busy_ticks)
	# The last SYN-ACKs are still on their way for a moment.
	sleep 0.5
	s1=$(client_synacks)
	out=$(cat "$BENCH_DIR/synproxy-flood.out")
	echo "$((b1 - b0)) $((s1 - s0)) $(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out") $(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' <<<"$out")"
}

# iperf PORT [-R]: bits/s received.
iperf() {
	on client iperf3 -c $VIP -p "$1" ${2:+"$2"} -t "$IPERF_SECS" -J 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])'
}


round() {
	local r=$1 plain sp noflood flooded inoflood iflooded base ours nft up0 up1 dn0 dn1
	local hz cost_base cost_ours cost_nft
	# plain, SYN proxy, SYN proxy, plain: a drift over the round cancels out.
	local p1 p2 s1 s2
	p1=$(cps 80) && s1=$(cps 81) && s2=$(cps 81) && p2=$(cps 80) || return 1
	plain=$(awk -v a="$p1" -v b="$p2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
	sp=$(awk -v a="$s1" -v b="$s2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
	R_CPS+=" $(ratio "$sp" "$plain")"

	local syn0 syn1 a0 a1
	noflood=$(cps 81) || return 1
	syn0=$(fnat_counter synproxy_syn) a0=$(client_synacks)
	flood_start 81
	flooded=$(cps 81) || flooded=0
	flood_stop
	syn1=$(fnat_counter synproxy_syn) a1=$(client_synacks)
	info "round $r: flood at :81: $(((syn1 - syn0) / SECS)) cookies/s, $(((a1 - a0) / SECS)) SYN-ACKs/s at the client; table $(fnat_counter conns)"
	inoflood=$(cps 82) || return 1
	a0=$(client_synacks)
	flood_start 82
	iflooded=$(cps 82) || iflooded=0
	flood_stop
	a1=$(client_synacks)
	info "round $r: flood at :82: $(((a1 - a0) / SECS)) SYN-ACKs/s (the real servers') at the client"
	R_FLOOD+=" $(ratio "$flooded" "$noflood")"
	R_FLOOD_IPVS+=" $(ratio "$iflooded" "$inoflood")"
	# The same flood dropped as it arrives: the generator's and the receive path's share.
	local dflooded idflooded
	flood_start 84
	dflooded=$(cps 81) || dflooded=0
	idflooded=$(cps 82) || idflooded=0
	flood_stop
	R_FLOOD_NET+=" $(ratio "$flooded" "$dflooded")"
	R_FLOOD_NET_IPVS+=" $(ratio "$iflooded" "$idflooded")"

	base=$(flood_cost 84) && ours=$(flood_cost 81) && nft=$(flood_cost 83) || return 1
	hz=$(getconf CLK_TCK)
	# seconds of CPU per SYN-ACK, the flood's own cost (per SYN sent) taken off
	read -r cost_ours cost_nft < <(awk -v b="$base" -v o="$ours" -v n="$nft" -v hz="$hz" 'BEGIN {
		split(b, B, " "); split(o, O, " "); split(n, N, " ")
		per = B[1] / hz / (B[3] ? B[3] : 1)
		co = O[2] ? (O[1] / hz - per * O[3]) / O[2] : 0
		cn = N[2] ? (N[1] / hz - per * N[3]) / N[2] : 0
		printf "%.9f %.9f\n", co, cn }')
	cost_base=$base
	info "round $r: busy ticks, SYN-ACKs, SYNs, ms: baseline $cost_base; ours $ours; netfilter $nft"
	R_COOKIE+=" $(ratio "$cost_nft" "$cost_ours")"
	RATE_OURS+=" $(awk -v c="$cost_ours" 'BEGIN { printf "%.0f", (c > 0 ? 1 / c : 0) }')"
	RATE_NFT+=" $(awk -v c="$cost_nft" 'BEGIN { printf "%.0f", (c > 0 ? 1 / c : 0) }')"

	on client tc qdisc add dev eth0 root netem delay 25ms limit 10000
	on director tc qdisc add dev cli0 root netem delay 25ms limit 10000
	up0=$(iperf 5201) && up1=$(iperf 5202) && dn0=$(iperf 5201 -R) && dn1=$(iperf 5202 -R) || {
		on client tc qdisc del dev eth0 root
		on director tc qdisc del dev cli0 root
		return 1
	}
	on client tc qdisc del dev eth0 root
	on director tc qdisc del dev cli0 root
	R_UP+=" $(ratio "$up1" "$up0")"
	R_DOWN+=" $(ratio "$dn1" "$dn0")"
	info "round $r: cps plain $plain, synproxy $sp; :81 $noflood -> $flooded under the flood ($dflooded under a dropped one), IPVS :82 $inoflood -> $iflooded ($idflooded); up $up0 / $up1 bit/s, down $dn0 / $dn1 bit/s"
	printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$plain" "$sp" "$noflood" "$flooded" \
		"$inoflood" "$iflooded" "$cost_ours" "$cost_nft" "$up0" "$up1" "$dn0" "$dn1" "$dflooded" "$idflooded" \
		>>"$BENCH_DIR/synproxy.tsv"
}

# --- main ----------------------------------------------------------------------------------
setup || die "setup: topology, ipvs_fnat, ip_vs, nftables, nginx, iperf3"
printf 'round\tcps_plain\tcps_synproxy\tcps_noflood\tcps_flood\tipvs_cps_noflood\tipvs_cps_flood\tcpu_s_per_synack\tnft_cpu_s_per_synack\tup_plain\tup_synproxy\tdown_plain\tdown_synproxy\tcps_dropped_flood\tipvs_cps_dropped_flood\n' \
	>"$BENCH_DIR/synproxy.tsv"
R_CPS="" R_FLOOD="" R_FLOOD_IPVS="" R_FLOOD_NET="" R_FLOOD_NET_IPVS="" R_COOKIE="" R_UP="" R_DOWN="" RATE_OURS="" RATE_NFT=""
for ((r = 1; r <= REPS; r++)); do
	round $r || die "round $r"
done
info "synproxy counters: $(on director awk '/^synproxy_/ { printf "%s %s ", $1, $2 }' /proc/net/ip_vs_fnat_stats)"
for m in cps_ratio_synproxy_vs_plain:R_CPS flood_legit_cps_ratio:R_FLOOD \
	flood_legit_cps_ratio_ipvs_syncookies:R_FLOOD_IPVS \
	flood_legit_cps_ratio_vs_dropped_flood:R_FLOOD_NET \
	flood_legit_cps_ratio_vs_dropped_flood_ipvs_syncookies:R_FLOOD_NET_IPVS \
	synproxy_cookie_rate_ratio:R_COOKIE \
	synproxy_throughput_ratio_up:R_UP synproxy_throughput_ratio_down:R_DOWN; do
	name=${m%%:*}
	v=${m#*:}
	# shellcheck disable=SC2086
	echo "BENCH $name $(median ${!v})"
	# shellcheck disable=SC2086
	echo "BENCH ${name}_spread $(spread ${!v})"
done
# shellcheck disable=SC2086
echo "BENCH synproxy_cookie_rate_per_cpu $(median $RATE_OURS)"
# shellcheck disable=SC2086
echo "BENCH nft_synproxy_cookie_rate_per_cpu $(median $RATE_NFT)"
cleanup
