#!/usr/bin/env bash
# Connection sync's cost on the master and the cost of a full resync (docs/sync.md):
#
#   client ------------- director (master) ---------------- lan bridge --- rs1, rs2
#   198.51.100.2         VIP 192.0.2.10 (lo)                                203.0.113.11, .12
#   (wrk,                LIPs 203.0.113.100-103 (rs0)                       nginx :80
#    fnat-synflood)      sink: 203.0.113.200-207 on a dummy device (sk0)
#                          │ sync0 192.0.2.129/25 (multicast 239.255.88.82:8850)
#                        backup 192.0.2.130/25: the same services, nothing routed to it
#
#   VIP:80/tcp -> rs1, rs2 (the connection rate);  VIP:53/udp -> the sinks (the table).
#
# 1. cps_ratio_sync_on_vs_off: two wrk (each -t1 -c4, `Connection: close`) for
#    BENCH_SECS at VIP:80, with no daemon (off) and with the master running and the
#    backup taking everything (on), in the order off on on off within each of
#    BENCH_REPS rounds; the round's ratio is the mean of its two "on" rates over the
#    mean of its two "off" rates. Median and spread (min..max) of the rounds.
#    sync_msgs_per_conn: the master's DATA messages over the connections made while
#    it ran (sync_tx_msgs / conn_new, over all "on" runs); sync_records_per_conn
#    beside it (sync_tx_conns / conn_new: establishment, state changes, the delete).
# 2. The table: BENCH_SYNC_CONNS UDP flows (fnat-synflood --proto udp, one datagram
#    from each of as many client tuples) to VIP:53 with the master running
#    (threshold 1) and the backup stopped; then the backup starts empty, asks for a
#    full resync, and sync_resync_1m_s is the time until it holds as many connections
#    as the master. sync_backup_mem_ratio: the fnat_conn slab's bytes the backup's copy
#    added over those the master's table added (the guest boots with slab_nomerge,
#    without slub_debug: vm-run --bench).
# BENCH_SYNC_PARTS ("cps resync") picks the parts. Prints the BENCH lines above (and _spread); keeps every round in $BENCH_DIR/sync.tsv.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/stats.bash"

REPS=${BENCH_REPS:-5}
SECS=${BENCH_SECS:-4}
CONNS=${BENCH_SYNC_CONNS:-1000000}
BENCH_DIR=${BENCH_DIR:-$BUILD/bench}
SYNFLOOD=$TOOLBIN/fnat-synflood
VIP=192.0.2.10
LIPS="203.0.113.100 203.0.113.101 203.0.113.102 203.0.113.103"
SINKS="203.0.113.200 203.0.113.201 203.0.113.202 203.0.113.203 203.0.113.204 203.0.113.205 203.0.113.206 203.0.113.207"
mkdir -p "$BENCH_DIR"

die() { echo "bench: $*" >&2; exit 1; }
for f in "$BUILD/ipvs_fnat.ko" "$FNAT_TOOL" "$SYNFLOOD"; do
	[ -e "$f" ] || die "$f is missing: run make first"
done
command -v wrk >/dev/null || die "wrk is missing: scripts/deps.sh installs it"

fnat() {
	local ns=$1
	shift
	on "$ns" "$FNAT_TOOL" "$@"
}
stat_of() { on "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
# slab_bytes: the fnat_conn cache's active objects x object size.
slab_bytes() { awk '$1 == "fnat_conn" { print $2 * $4 }' /proc/slabinfo; }

# services NS: identical on the master and the backup.
services() {
	local ns=$1 a
	fnat "$ns" -A -t $VIP:80 -s rr || return 1
	fnat "$ns" -a -t $VIP:80 -r 203.0.113.11:80 -b && fnat "$ns" -a -t $VIP:80 -r 203.0.113.12:80 -b || return 1
	fnat "$ns" -A -u $VIP:53 -s rr || return 1
	for a in $SINKS; do fnat "$ns" -a -u $VIP:53 -r "$a:53" -b || return 1; done
	for a in $LIPS; do
		fnat "$ns" -P -t $VIP:80 -z "$a" && fnat "$ns" -P -u $VIP:53 -z "$a" || return 1
	done
	# The table's flows must outlive the measurement.
	fnat "$ns" --set 0 0 3600
}

setup() {
	# Master and backup hold the table twice: above the module's global cap.
	insmod "$BUILD/ipvs_fnat.ko" conn_max_global=$((2 * CONNS + 100000)) || return 1
	at_exit "rmmod ipvs_fnat"
	topo_standard
	local a i
	for a in $LIPS; do addr director rs0 "$a/24"; done
	on director ip link add sk0 type dummy
	on director ip link set sk0 up
	for a in $SINKS; do on director ip route add "$a/32" dev sk0; done
	on client sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
	for i in 1 2; do
		on rs$i sysctl -q -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
	done
	nginx_start rs1 rs1 && nginx_start rs2 rs2 || return 1
	ns_add backup
	link director sync0 backup sync0
	addr director sync0 192.0.2.129/25
	addr backup sync0 192.0.2.130/25
	on director sysctl -q -w net.ipvs_fnat.toa=0
	services director && services backup
}

master_on() { fnat director --start-daemon master --mcast-interface sync0 ${1:+--sync-threshold "$1"}; }
master_off() { fnat director --stop-daemon master; }
backup_on() { fnat backup --start-daemon backup --mcast-interface sync0; }
backup_off() { fnat backup --stop-daemon backup; }

cps() { two_wrk_cps "http://$VIP/" "$SECS" 4; }


ON_MSGS=0
ON_RECORDS=0
ON_CONNS=0
# cps_on: a connection-rate run with the master sending to a running backup, into
# CPS_ON; adds to the ON_* sums.
cps_on() {
	local m0 r0 c0 v
	master_on || return 1
	m0=$(stat_of director sync_tx_msgs) r0=$(stat_of director sync_tx_conns) c0=$(stat_of director conn_new)
	v=$(cps) || return 1
	# The last connections' closes are still queued for a moment.
	sleep 1
	ON_MSGS=$((ON_MSGS + $(stat_of director sync_tx_msgs) - m0))
	ON_RECORDS=$((ON_RECORDS + $(stat_of director sync_tx_conns) - r0))
	ON_CONNS=$((ON_CONNS + $(stat_of director conn_new) - c0))
	master_off || return 1
	CPS_ON=$v
}

bench_cps() {
	local r off1 on1 on2 off2 x ratios=()
	backup_on || return 1
	# cps_on sets CPS_ON: not run in a subshell, so that it keeps the ON_* sums.
	printf 'round\toff1\ton1\ton2\toff2\tratio\n' >"$BENCH_DIR/sync.tsv"
	for ((r = 1; r <= REPS; r++)); do
		off1=$(cps) && cps_on && on1=$CPS_ON && cps_on && on2=$CPS_ON && off2=$(cps) || return 1
		x=$(awk -v a="$on1" -v b="$on2" -v c="$off1" -v d="$off2" 'BEGIN { printf "%.4f", (a + b) / (c + d) }')
		ratios+=("$x")
		info "round $r: off $off1, on $on1, on $on2, off $off2 conn/s: ratio $x"
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$off1" "$on1" "$on2" "$off2" "$x" >>"$BENCH_DIR/sync.tsv"
	done
	backup_off
	echo "BENCH cps_ratio_sync_on_vs_off $(median "${ratios[@]}")"
	echo "BENCH cps_ratio_sync_on_vs_off_spread $(spread "${ratios[@]}")"
	info "while on: $ON_CONNS connections, $ON_MSGS messages, $ON_RECORDS records"
	echo "BENCH sync_msgs_per_conn $(ratio "$ON_MSGS" "$ON_CONNS")"
	echo "BENCH sync_records_per_conn $(ratio "$ON_RECORDS" "$ON_CONNS")"
}

# fill: CONNS UDP flows into the master's table.
fill() {
	local out ms live
	out=$(on client "$SYNFLOOD" --via raw --proto udp --tuples seq --count "$CONNS" \
		--spoof 198.51.100.10/24 --dst $VIP --port 53) || return 1
	ms=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' <<<"$out")
	# The last datagrams are still in the backlogs when the sender returns.
	wait_until 60 sh -c "[ \"\$(ip netns exec director awk '\$1 == \"conns\" { print \$2 }' /proc/net/ip_vs_fnat_stats)\" -ge $CONNS ]"
	live=$(stat_of director conns)
	info "fill: $CONNS UDP flows sent in $ms ms; the master holds $live connections"
	[ "$live" -ge "$CONNS" ]
}

# udp_live NS: the UDP service's live connections (its real servers' active and
# inactive counts; the TCP rounds' closed connections linger on the master only).
udp_live() {
	fnat "$1" -L -n -u $VIP:53 | awk '$1 == "->" && $2 != "RemoteAddress:Port" { n += $5 + $6 } END { print n + 0 }'
}
master_table() { [ "$(udp_live backup)" -ge "$(udp_live director)" ]; }

bench_resync() {
	local s0 s1 s2 t0 t1 n m b rs0
	s0=$(slab_bytes)
	master_on 1 || return 1
	fill || return 1
	s1=$(slab_bytes)
	n=$(udp_live director)
	rs0=$(stat_of director sync_resync)
	t0=$(date +%s.%N)
	backup_on || return 1
	# Polled each 0.2 s; the progress is shown every 5 s.
	local last=$SECONDS
	until master_table; do
		if [ $((SECONDS - last)) -ge 5 ]; then
			last=$SECONDS
			info "resync: backup $(udp_live backup) of $n; master sent $(stat_of director sync_tx_msgs)," \
				"resent $(stat_of director sync_resent), nacks $(stat_of director sync_nack_rx);" \
				"backup received $(stat_of backup sync_rx_msgs), gaps lost $(stat_of backup sync_gap_lost)"
		fi
		[ $((SECONDS - ${t0%.*})) -lt 600 ] || { info "resync: gave up at $(udp_live backup) of $n"; return 1; }
		sleep 0.2
	done
	t1=$(date +%s.%N)
	s2=$(slab_bytes)
	m=$((s1 - s0)) b=$((s2 - s1))
	info "resync: $(udp_live backup) of $n connections in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s;" \
		"resyncs served $(($(stat_of director sync_resync) - rs0)), messages received $(stat_of backup sync_rx_msgs)," \
		"gaps lost $(stat_of backup sync_gap_lost), queue drops $(stat_of director sync_queue_drops)"
	info "slab fnat_conn: the master's table added $m bytes, the backup's copy $b bytes"
	echo "BENCH sync_resync_1m_s $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
	echo "BENCH sync_resync_conns $n"
	echo "BENCH sync_backup_mem_ratio $(ratio "$b" "$m")"
	backup_off
	master_off
}

setup || die "setup"
for part in ${BENCH_SYNC_PARTS:-cps resync}; do
	"bench_$part" || die "$part"
done
cleanup
