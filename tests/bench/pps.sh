#!/usr/bin/env bash
# The director's forwarding cost per packet (make bench-pps; docs/benchmarks.md):
# packets per second forwarded by a director namespace, from a cheap generator
# (trafgen, static frames from a packet ring) to a sink that drops them at its
# ingress (tc matchall drop), so that the time measured is the director's path plus a
# fixed cost of the generator and the sink, the same in every mode.
#
#                  198.51.100.0/26                    203.0.113.0/26
#   gen  g_fnat ----------------- d_fnat (FULLNAT) ----------------- s_fnat  sink
#   .2   (trafgen)            .1  VIP 192.0.2.10 (lo)   .1, LIP .10       .11 (RS)
#        g_ipvs ----------------- d_ipvs (IPVS NAT) ---------------- s_ipvs
#   .66         198.51.100.64/26 .65 VIP 192.0.2.20      .65 203.0.113.64/26 .75 (RS)
#        g_route ---------------- d_route (routing only) ----------- s_route
#   .130        198.51.100.128/26 .129                  .129 203.0.113.128/26 .139 (RS)
#
# Each director namespace holds only its own mode's state (the FULLNAT module has no
# service, hence does nothing, outside d_fnat; ip_vs none outside d_ipvs; no
# conntrack anywhere: net.ipv4.vs.conntrack=0 and no rule asks for it).
#
# Cases (each one trafgen process on one CPU for BENCH_PPS_SECS, the sink's rx count
# over that window):
#   udp      client -> VIP:53 (route: -> RS:53), one flow; the first datagram makes the
#            connection, the rest are its established path
#   tcp_in   packets of an established TCP connection (made through the director by
#            pps_tcp.py, then frozen with TCP_REPAIR) client -> VIP:80 with its seq/ack
#   tcp_out  the same connection's packets RS -> LIP:lport (IPVS NAT, routing:
#            RS -> client), the real server's seq/ack
#   at 64 B and 1500 B frames; and for FULLNAT at 64 B with 1 k and 1 M live
#   connections: udp_1k / udp_1m (datagrams cycling over that many client tuples,
#   every one a live connection) and tcp_in_1k / tcp_in_1m (the one TCP connection
#   with those in the table beside it).
# BENCH_PPS_REPS rounds (default 7), each running every case once, the 1-connection
# cases in an order rotated per round; the 1 M flows are made and flushed in every
# round. Ratios are taken within each round; their median and spread are printed:
#   pps_ratio_fnat_vs_ipvs_nat_udp, _tcp_in, _tcp_out (64 B; _1500 beside them)
#   pps_ratio_fnat_vs_route_tcp_in
#   pps_ratio_1m_vs_1conn (tcp_in_1m / tcp_in) and _udp (udp_1m / udp)
#   pps_fnat_* / pps_ipvs_* / pps_route_* (medians, packets/s)
# Every round's numbers go to $BENCH_DIR/pps.tsv.
#
# PROFILE=1 (make bench-pps PROFILE=1) adds a profile of the director path instead of
# the rounds: tests/bench/pps_profile.sh.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/stats.bash"

REPS=${BENCH_PPS_REPS:-7}
SECS=${BENCH_PPS_SECS:-2}
BIG=${BENCH_PPS_BIG:-1000000}
BENCH_DIR=${BENCH_DIR:-$BUILD/bench}
# BENCH_PPS_KO: another build of the module (a before/after comparison).
KO=${BENCH_PPS_KO:-$BUILD/ipvs_fnat.ko}
HERE=$(cd "$(dirname "$0")" && pwd -P)
CONF=$E2E_TMP/trafgen
mkdir -p "$BENCH_DIR" "$CONF"

die() { echo "bench: $*" >&2; exit 1; }
for f in "$KO" "$FNAT_TOOL"; do
	[ -e "$f" ] || die "$f is missing: run make first"
done
for t in trafgen ipvsadm tc; do
	command -v $t >/dev/null || die "$t is missing: scripts/deps.sh installs it"
done

MODES="fnat ipvs route"
declare -A VIP=([fnat]=192.0.2.10 [ipvs]=192.0.2.20)
declare -A GEN=([fnat]=198.51.100.2 [ipvs]=198.51.100.66 [route]=198.51.100.130)
declare -A DGW=([fnat]=198.51.100.1 [ipvs]=198.51.100.65 [route]=198.51.100.129)
declare -A DRS=([fnat]=203.0.113.1 [ipvs]=203.0.113.65 [route]=203.0.113.129)
declare -A RS=([fnat]=203.0.113.11 [ipvs]=203.0.113.75 [route]=203.0.113.139)
LIP=203.0.113.10
# More LIPs for the UDP flows: $LIP's ports suffice for BENCH_PPS_BIG / 64512 flows.
UDP_LIPS=$(for ((i = 0; i < (BIG + 64511) / 64512; i++)); do echo "203.0.113.$((20 + i))"; done)

mac_of() { on "$1" cat "/sys/class/net/$2/address"; }

setup() {
	local m a
	ns_add gen
	ns_add sink
	for m in $MODES; do
		ns_add "d_$m"
		link gen "g_$m" "d_$m" g0
		link "d_$m" s0 sink "s_$m"
		addr gen "g_$m" "${GEN[$m]}/26"
		addr "d_$m" g0 "${DGW[$m]}/26"
		addr "d_$m" s0 "${DRS[$m]}/26"
		addr sink "s_$m" "${RS[$m]}/26"
		router "d_$m"
	done
	on gen ip route add 192.0.2.10/32 via ${DGW[fnat]}
	on gen ip route add 192.0.2.20/32 via ${DGW[ipvs]}
	on gen ip route add 203.0.113.128/26 via ${DGW[route]}
	on sink ip route add 198.51.100.64/26 via ${DRS[ipvs]}
	on sink ip route add 198.51.100.128/26 via ${DRS[route]}
	addr d_fnat lo 192.0.2.10/32
	addr d_fnat s0 $LIP/26
	for a in $UDP_LIPS; do addr d_fnat lo "$a/32"; done
	addr d_ipvs lo 192.0.2.20/32

	insmod "$KO" conn_max_global=$((2 * BIG + 100000)) || return 1
	at_exit "rmmod ipvs_fnat"
	modprobe ip_vs && modprobe ip_vs_rr || return 1
	at_exit "modprobe -r ip_vs_rr ip_vs"
	on d_ipvs sysctl -q -w net.ipv4.vs.conntrack=0
	on d_ipvs ipvsadm -A -t 192.0.2.20:80 -s rr &&
		on d_ipvs ipvsadm -a -t 192.0.2.20:80 -r ${RS[ipvs]}:80 -m &&
		on d_ipvs ipvsadm -A -u 192.0.2.20:53 -s rr &&
		on d_ipvs ipvsadm -a -u 192.0.2.20:53 -r ${RS[ipvs]}:53 -m || return 1
	fnat_udp_service || return 1
	on d_fnat "$FNAT_TOOL" -A -t 192.0.2.10:80 -s rr &&
		on d_fnat "$FNAT_TOOL" -a -t 192.0.2.10:80 -r ${RS[fnat]}:80 -b &&
		on d_fnat "$FNAT_TOOL" -P -t 192.0.2.10:80 -z $LIP || return 1
	# The frozen TCP connections and the UDP flows outlive every round.
	on d_fnat "$FNAT_TOOL" --set 7200 120 7200 || return 1
	on d_ipvs ipvsadm --set 7200 120 7200 || return 1
	tcp_conns || return 1
	sinks_on
}

# fnat_udp_service: VIP:53/udp over UDP_LIPS: one LIP has 64512 ports towards one
# real server's port, so 1 M flows need 16 of them.
fnat_udp_service() {
	local l
	on d_fnat "$FNAT_TOOL" -A -u 192.0.2.10:53 -s rr &&
		on d_fnat "$FNAT_TOOL" -a -u 192.0.2.10:53 -r ${RS[fnat]}:53 -b || return 1
	for l in $LIP $UDP_LIPS; do
		on d_fnat "$FNAT_TOOL" -P -u 192.0.2.10:53 -z "$l" || return 1
	done
}

# tcp_conns: one established connection per mode, frozen on both ends; their
# numbers in $CONF/{c,s}_MODE ("laddr lport paddr pport snd_nxt rcv_nxt").
tcp_conns() {
	local m dst
	for m in $MODES; do
		rm -f "$CONF/c_$m" "$CONF/s_$m"
		on sink python3 "$HERE/pps_tcp.py" server "${RS[$m]}" 80 "$CONF/s_$m" &
		at_exit "kill $! 2>/dev/null"
	done
	for m in $MODES; do
		wait_until 10 on sink ss -Htln "src ${RS[$m]}:80" || return 1
		dst=${VIP[$m]:-${RS[$m]}}
		on gen python3 "$HERE/pps_tcp.py" client "${GEN[$m]}" "$dst" 80 "$CONF/c_$m" &
		at_exit "kill $! 2>/dev/null"
	done
	for m in $MODES; do
		wait_until 10 test -s "$CONF/c_$m" -a -s "$CONF/s_$m" || { info "no TCP connection via $m"; return 1; }
		info "tcp $m: client $(cat "$CONF/c_$m"); server $(cat "$CONF/s_$m")"
	done
}

# sinks_on: every IPv4 packet reaching the generator's or the sink's namespace is
# dropped at its ingress (counted in the veth's rx statistics first); ARP passes, so
# that the directors keep resolving their neighbours.
sinks_on() {
	local m
	for m in $MODES; do
		on sink tc qdisc add dev "s_$m" clsact &&
			on sink tc filter add dev "s_$m" ingress protocol ip matchall action drop &&
			on gen tc qdisc add dev "g_$m" clsact &&
			on gen tc filter add dev "g_$m" ingress protocol ip matchall action drop || return 1
	done
}

# tcp_frame ENDFILE MAC FILL SIZE: the trafgen frame of the frozen connection's next
# segment from the end whose numbers ENDFILE holds, to MAC, SIZE bytes.
tcp_frame() {
	local la lp pa pp snd rcv
	read -r la lp pa pp snd rcv <"$1"
	printf '{ eth(da=%s), ipv4(sa=%s, da=%s, ttl=64, df), tcp(sp=%s, dp=%s, seq=%s, ackseq=%s, ack, window=512), fill(%s, %d) }\n' \
		"$2" "$la" "$pa" "$lp" "$pp" "$snd" "$rcv" "$3" $(($4 - 14 - 20 - 20))
}

# conf CASE MODE SIZE [FLOWS]: write the trafgen configuration of a case; prints the
# generator's "NS DEV" and the sink's "NS DEV" on one line.
conf() {
	local c=$1 m=$2 size=$3 flows=${4:-1} f="$CONF/$1.$2.$3.${4:-1}" pay
	case $c in
	udp)
		local mac vip na=1 np=1 k pfx
		pay=$((size - 14 - 20 - 8))
		mac=$(mac_of "d_$m" g0) vip=${VIP[$m]:-${RS[$m]}}
		: >"$f"
		if [ "$flows" -eq 1 ]; then
			printf '{ eth(da=%s), ipv4(sa=%s, da=%s, ttl=64, df), udp(sp=4000, dp=53), fill(0x41, %d) }\n' \
				"$mac" "${GEN[$m]}" "$vip" "$pay" >"$f"
		else
			# One frame per source address (.16 up of the generator's /26, all on
			# its link), sent in turn, each with its own counter over the ports:
			# addresses x ports distinct tuples, every one a connection.
			[ "$flows" -gt 60000 ] && na=16
			np=$(((flows + na - 1) / na))
			pfx=${GEN[$m]%.*}
			for ((k = 0; k < na; k++)); do
				printf '{ eth(da=%s), ipv4(sa=%s.%d, da=%s, ttl=64, df), udp(sp=dinc(1024, %d), dp=53), fill(0x41, %d) }\n' \
					"$mac" "$pfx" $((${GEN[$m]##*.} / 64 * 64 + 16 + k)) "$vip" $((1024 + np - 1)) "$pay" >>"$f"
			done
		fi
		echo "gen g_$m sink s_$m $f"
		;;
	tcp_in)
		tcp_frame "$CONF/c_$m" "$(mac_of "d_$m" g0)" 0x42 "$size" >"$f"
		echo "gen g_$m sink s_$m $f"
		;;
	tcp_out)
		# IPVS NAT and routing: the server's peer is the client itself.
		tcp_frame "$CONF/s_$m" "$(mac_of "d_$m" s0)" 0x43 "$size" >"$f"
		echo "sink s_$m gen g_$m $f"
		;;
	esac
}

# stop_trafgen PID: TERM to trafgen's workers (it sends from a child process per CPU,
# which outlives a parent killed alone) and to it, KILL if any lingers; reaped.
stop_trafgen() {
	pkill -TERM -P "$1"
	kill -TERM "$1" 2>/dev/null
	wait_until 5 sh -c "! pgrep -x trafgen" || pkill -KILL -x trafgen
	wait "$1" 2>/dev/null
	return 0
}

rx_of() { on "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }
now() { date +%s.%N; }

# run_pps GNS GDEV SNS SDEV CONF [WARM_CMD]: trafgen from GNS/GDEV; the packets/s the
# sink counted over SECS, after a short warm-up (or after WARM_CMD succeeds, polled).
run_pps() {
	local gns=$1 gdev=$2 sns=$3 sdev=$4 f=$5 warm=${6:-} pid r0 r1 t0 t1 out
	out=$E2E_TMP/trafgen.out
	on "$gns" trafgen --cpus 1 -o "$gdev" -n 0 --conf "$f" >"$out" 2>&1 &
	pid=$!
	if [ -n "$warm" ]; then
		wait_until 300 $warm || { stop_trafgen $pid; info "warm-up never ended: $(fnat_stat conns) connections" >&2; return 1; }
	fi
	sleep 0.5
	r0=$(rx_of "$sns" "$sdev") t0=$(now)
	sleep "$SECS"
	r1=$(rx_of "$sns" "$sdev") t1=$(now)
	if ! kill -0 $pid 2>/dev/null; then
		wait $pid
		info "trafgen stopped early (status $?): $(grep -v 'system socket memory' "$out")" >&2
		return 1
	fi
	stop_trafgen $pid
	awk -v a="$r0" -v b="$r1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f\n", (b - a) / (e - s) }'
}

fnat_stat() { on d_fnat awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
fnat_conns_at_least() { [ "$(fnat_stat conns)" -ge "$1" ]; }

# case_pps CASE MODE SIZE [FLOWS]: one measurement, packets/s on stdout.
case_pps() {
	local gns gdev sns sdev f warm=""
	read -r gns gdev sns sdev f < <(conf "$@")
	# Many flows: measured once every one is a live connection (the conn count
	# covers the TCP connection too).
	[ "${4:-1}" -gt 1 ] && warm="fnat_conns_at_least $(($4 + 1))"
	# trafgen gives up when a send finds the ring busy (EAGAIN), rarely, on a
	# loaded machine: the case is measured again, up to three times.
	local try
	for try in 1 2 3; do
		run_pps "$gns" "$gdev" "$sns" "$sdev" "$f" "$warm" && return 0
		info "$* measured again" >&2
	done
	return 1
}

# flush_flows: the UDP service's connections go (deleting the service expires them),
# and the service comes back; waits until the table holds only the TCP connection.
flush_flows() {
	local t0=$SECONDS
	on d_fnat "$FNAT_TOOL" -D -u 192.0.2.10:53 && fnat_udp_service || return 1
	wait_until 300 sh -c "[ \$(ip netns exec d_fnat awk '\$1 == \"conns\" { print \$2 }' /proc/net/ip_vs_fnat_stats) -le 1 ]" || return 1
	info "flush: $((SECONDS - t0)) s"
}

CASES1="udp.64 tcp_in.64 tcp_out.64 udp.1500 tcp_in.1500 tcp_out.1500"

bench_rounds() {
	local r cs c m size key v i order=() list
	declare -A val
	declare -A ratios
	local hdr="round"
	for c in $CASES1; do for m in $MODES; do hdr+="\t${m}_${c}"; done; done
	hdr+="\tfnat_udp_1k\tfnat_tcp_in_1k\tfnat_udp_1m\tfnat_tcp_in_1m"
	printf "$hdr\n" >"$BENCH_DIR/pps.tsv"
	for ((r = 1; r <= REPS; r++)); do
		list=()
		for c in $CASES1; do for m in $MODES; do list+=("$m:$c"); done; done
		# Rotate the order each round.
		order=("${list[@]:$(((r - 1) * 5 % ${#list[@]}))}" "${list[@]:0:$(((r - 1) * 5 % ${#list[@]}))}")
		for key in "${order[@]}"; do
			m=${key%%:*} cs=${key#*:}
			c=${cs%.*} size=${cs#*.}
			v=$(case_pps "$c" "$m" "$size") || return 1
			val[$m.$cs]=$v
			[ -n "${BENCH_PPS_VERBOSE:-}" ] && info "$m $cs: $v pkt/s"
		done
		val[fnat.udp_1k]=$(case_pps udp fnat 64 1000) || return 1
		val[fnat.tcp_in_1k]=$(case_pps tcp_in fnat 64) || return 1
		val[fnat.udp_1m]=$(case_pps udp fnat 64 "$BIG") || return 1
		info "round $r: $(fnat_stat conns) connections in the table"
		val[fnat.tcp_in_1m]=$(case_pps tcp_in fnat 64) || return 1
		flush_flows || return 1

		local line="$r"
		for c in $CASES1; do for m in $MODES; do line+="\t${val[$m.$c]}"; done; done
		line+="\t${val[fnat.udp_1k]}\t${val[fnat.tcp_in_1k]}\t${val[fnat.udp_1m]}\t${val[fnat.tcp_in_1m]}"
		printf "$line\n" >>"$BENCH_DIR/pps.tsv"
		for c in udp tcp_in tcp_out; do
			ratios[ipvs_$c]+=" $(ratio "${val[fnat.$c.64]}" "${val[ipvs.$c.64]}")"
			ratios[ipvs_${c}_1500]+=" $(ratio "${val[fnat.$c.1500]}" "${val[ipvs.$c.1500]}")"
			ratios[route_$c]+=" $(ratio "${val[fnat.$c.64]}" "${val[route.$c.64]}")"
		done
		ratios[big_tcp]+=" $(ratio "${val[fnat.tcp_in_1m]}" "${val[fnat.tcp_in.64]}")"
		ratios[big_udp]+=" $(ratio "${val[fnat.udp_1m]}" "${val[fnat.udp.64]}")"
		ratios[k_tcp]+=" $(ratio "${val[fnat.tcp_in_1k]}" "${val[fnat.tcp_in.64]}")"
		info "round $r: fnat udp ${val[fnat.udp.64]} tcp_in ${val[fnat.tcp_in.64]} tcp_out ${val[fnat.tcp_out.64]};" \
			"ipvs udp ${val[ipvs.udp.64]} tcp_in ${val[ipvs.tcp_in.64]} tcp_out ${val[ipvs.tcp_out.64]};" \
			"route tcp_in ${val[route.tcp_in.64]}; 1M tcp_in ${val[fnat.tcp_in_1m]} udp ${val[fnat.udp_1m]} pkt/s"
	done

	emit() {	# emit NAME VALUES...
		local n=$1
		shift
		# shellcheck disable=SC2068
		echo "BENCH $n $(median $@)"
		echo "BENCH ${n}_spread $(spread $@)"
	}
	for c in udp tcp_in tcp_out; do
		emit pps_ratio_fnat_vs_ipvs_nat_$c ${ratios[ipvs_$c]}
		emit pps_ratio_fnat_vs_ipvs_nat_${c}_1500 ${ratios[ipvs_${c}_1500]}
	done
	emit pps_ratio_fnat_vs_route_tcp_in ${ratios[route_tcp_in]}
	emit pps_ratio_fnat_vs_route_udp ${ratios[route_udp]}
	emit pps_ratio_1m_vs_1conn ${ratios[big_tcp]}
	emit pps_ratio_1m_vs_1conn_udp ${ratios[big_udp]}
	emit pps_ratio_1k_vs_1conn ${ratios[k_tcp]}
	# The medians of the rates themselves, by column of pps.tsv.
	local col=2 name
	for c in $CASES1; do
		for m in $MODES; do
			name="pps_${m}_${c/./_}"
			echo "BENCH $name $(median $(awk -F'\t' -v c=$col 'NR > 1 { print $c }' "$BENCH_DIR/pps.tsv"))"
			col=$((col + 1))
		done
	done
	for name in fnat_udp_1k fnat_tcp_in_1k fnat_udp_1m fnat_tcp_in_1m; do
		echo "BENCH pps_$name $(median $(awk -F'\t' -v c=$col 'NR > 1 { print $c }' "$BENCH_DIR/pps.tsv"))"
		col=$((col + 1))
	done
	noise_floor
}

# noise_floor: how far one case's own rate moves between rounds, as a fraction of its
# median: the routing case's, which runs no code of ours and no change touches. A
# ratio of two such rates cannot be steadier than this; when the headline ratios'
# spreads exceed the +-5 % the benchmark aims at, it says so, and why.
noise_floor() {
	local col vals med lo hi
	col=$(head -n 1 "$BENCH_DIR/pps.tsv" | tr '\t' '\n' | grep -nx 'route_udp.64' | cut -d: -f1)
	vals=$(awk -F'\t' -v c="$col" 'NR > 1 { print $c }' "$BENCH_DIR/pps.tsv")
	# shellcheck disable=SC2086
	med=$(median $vals)
	read -r lo hi < <(printf '%s\n' $vals | awk -v m="$med" 'NR == 1 || $1 < lo { lo = $1 } $1 > hi { hi = $1 }
		END { printf "%.3f %.3f\n", lo / m, hi / m }')
	echo "BENCH pps_noise_route_udp_spread $lo..$hi"
	if awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo < 0.95 || hi > 1.05) }'; then
		echo "bench: the plain routing case's own rate moved $lo..$hi of its median between rounds" \
			"(no code of ours runs in it): the emulated CPUs' speed varies that much from one" \
			"${SECS} s window to the next, so no ratio here can hold within +-5 %; read the medians"
	fi
}

setup || die "setup failed"
# BENCH_PPS_DEBUG: shell code run after the setup instead of the rounds.
if [ -n "${BENCH_PPS_DEBUG:-}" ]; then
	eval "$BENCH_PPS_DEBUG"
	finish
fi
if [ "${PROFILE:-0}" = 1 ]; then
	. "$HERE/pps_profile.bash"
	profile_all || die "the profile failed"
else
	bench_rounds || die "a round failed"
fi
finish
