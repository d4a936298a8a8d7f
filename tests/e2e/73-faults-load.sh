#!/usr/bin/env bash
# Faults and load with traffic running: ipvs_fnat.ko and toa.ko unloaded and reloaded
# under HTTP load; destinations, local addresses and services deleted and the table
# flushed under load; a SYN flood from many spoofed sources against conn_max (a hard
# limit: never one connection over, however many CPUs take SYNs), against a tiny
# local port range (port exhaustion), and against the module's global cap on
# connections, which one namespace's flood must not lift for another. After each:
# the refusals are counted, nothing is left in the table, and new connections work.
#
#   client ---------------- director ------------------------ lan --- rs1, rs2 (nginx,
#   198.51.100.2            VIP 192.0.2.10, 2001:db8:10::10            toa.ko loaded)
#   2001:db8:c::2           LIPs 203.0.113.100, .101, 2001:db8:5::100
#   flood sources:          198.51.100.128/25 and 2001:db8:c:1::/64 routed to the
#   spoofed                 client (whose kernel drops the answers)
#
#   c2 ---------------- d2: a second director namespace (VIP 192.0.2.20, its real
#   198.51.100.66       server 203.0.113.50 behind a dummy link): it shares the
#                       connection table and the global cap with "director"
#
# FAULT_RELOADS (default 2; make fuzz: 20) unload/reload cycles of each module;
# FLOOD_SYNS (default 2000; make fuzz: 20000) SYNs per flood (tests/tools/fnat-synflood).
. "$(dirname "$0")/lib.sh"

KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko}
TOA_KO=$BUILD/toa.ko
SYNFLOOD=$TOOLBIN/fnat-synflood
RELOADS=${FAULT_RELOADS:-2}
SYNS=${FLOOD_SYNS:-2000}
SUMMARY=${FUZZ_SUMMARY:-/dev/null}
SOCKETS_PY=$TOP/tests/e2e/sockets.py

fnat() { on director "$FNAT_TOOL" "$@"; }
counter() { on "${2:-director}" awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
conns() { counter conns "$@"; }
conns_are() { [ "$(conns)" = "$1" ]; }
fset() { on director sysctl -q -w "${@/#/net.ipvs_fnat.}"; }
mac() { on "$1" cat "/sys/class/net/$2/address"; }
loaded() { grep -q "^$1 " /proc/modules; }
served() { on client curl -s -m 5 http://192.0.2.10/ | grep -q '^rs[12] 198.51.100.2$'; }
served6() { on client curl -s -m 5 'http://[2001:db8:10::10]/' | grep -q '^rs[12] 2001:db8:c::2$'; }

# load_start NAME / load_stop NAME: background HTTP load from the client (v4 and v6).
load_start() {
	rm -f "$E2E_TMP/$1.stop"
	on client "$PY" "$SOCKETS_PY" load "$E2E_TMP/$1.stop" 192.0.2.10 2001:db8:10::10 >"$E2E_TMP/$1.out" 2>&1 &
}
load_stop() {
	touch "$E2E_TMP/$1.stop"
	wait_until 30 grep -q '^ok ' "$E2E_TMP/$1.out"
	cat "$E2E_TMP/$1.out"
}
load_ok() { awk '{ print $2 }' "$E2E_TMP/$1.out"; }

configure() {
	fnat -A -t 192.0.2.10:80 -s rr && fnat -a -t 192.0.2.10:80 -r 203.0.113.11 -b &&
		fnat -a -t 192.0.2.10:80 -r 203.0.113.12 -b &&
		fnat -P -t 192.0.2.10:80 -z 203.0.113.100 && fnat -P -t 192.0.2.10:80 -z 203.0.113.101 &&
		fnat -A -t '[2001:db8:10::10]:80' -s wrr &&
		fnat -a -t '[2001:db8:10::10]:80' -r '[2001:db8:5::11]' -b &&
		fnat -a -t '[2001:db8:10::10]:80' -r '[2001:db8:5::12]' -b &&
		fnat -P -t '[2001:db8:10::10]:80' -z 2001:db8:5::100 &&
		fset timeout_syn=3 timeout_tcp_fin=2 timeout_tcp=20
}

configure_d2() {
	on d2 "$FNAT_TOOL" -A -t 192.0.2.20:80 -s rr &&
		on d2 "$FNAT_TOOL" -a -t 192.0.2.20:80 -r 203.0.113.50 -b &&
		on d2 "$FNAT_TOOL" -P -t 192.0.2.20:80 -z 203.0.113.150
}

setup() {
	topo_standard
	addr director rs0 203.0.113.100/24 203.0.113.101/24 2001:db8:5::100/64
	on director ip route add 198.51.100.128/25 via 198.51.100.2
	on director ip -6 route add 2001:db8:c:1::/64 via 2001:db8:c::2
	ns_add c2
	ns_add d2
	link c2 eth0 d2 cli0
	addr c2 eth0 198.51.100.66/24
	addr d2 cli0 198.51.100.65/24
	on c2 ip route add default via 198.51.100.65
	on d2 ip link add dum0 type dummy
	on d2 ip link set dum0 up
	addr d2 dum0 203.0.113.150/24
	addr d2 lo 192.0.2.20/32
	router d2
	nginx_start rs1 rs1 && nginx_start rs2 rs2 || return 1
	insmod "$TOA_KO" trusted=203.0.113.100,203.0.113.101,2001:db8:5::100 || return 1
	at_exit "rmmod toa"
	insmod "$KO" || return 1
	at_exit "rmmod ipvs_fnat"
	configure && configure_d2 && wait_until 20 served
}

# --- (a) unload and reload under load -----------------------------------------------------

test_reload_fnat() {
	local i ok=0 t0=$SECONDS
	load_start rl
	for ((i = 1; i <= RELOADS; i++)); do
		wait_until 30 served || { info "cycle $i: no request served before unloading"; continue; }
		rmmod ipvs_fnat || { info "cycle $i: rmmod failed"; continue; }
		insmod "$KO" && configure && configure_d2 && wait_until 30 served && ok=$((ok + 1))
	done
	info "load during the reloads: $(load_stop rl)"
	check_eq "ipvs_fnat: $RELOADS unload/reload cycles under HTTP load, each serving again" "$RELOADS" "$ok"
	check "...and the load was served between them" test "$(load_ok rl)" -gt 0
	echo "ipvs_fnat: $ok/$RELOADS unload/reload cycles under load in $((SECONDS - t0)) s ($(cat "$E2E_TMP/rl.out"))" >>"$SUMMARY"
}

toa_peer_ok() { grep -q '^rs[12] 198.51.100.2$' <(on client curl -s -m 5 http://192.0.2.10/); }

test_reload_toa() {
	local i ok=0 t0=$SECONDS
	load_start rt
	for ((i = 1; i <= RELOADS; i++)); do
		rmmod toa || { info "cycle $i: rmmod toa failed"; continue; }
		insmod "$TOA_KO" trusted=203.0.113.100,203.0.113.101,2001:db8:5::100 &&
			wait_until 30 toa_peer_ok && ok=$((ok + 1))
	done
	info "load during the reloads: $(load_stop rt)"
	check_eq "toa: $RELOADS unload/reload cycles under HTTP load; nginx sees the client after each" \
		"$RELOADS" "$ok"
	check "...and the load was served between them" test "$(load_ok rt)" -gt 0
	echo "toa: $ok/$RELOADS unload/reload cycles under load in $((SECONDS - t0)) s ($(cat "$E2E_TMP/rt.out"))" >>"$SUMMARY"
}

# --- (b) deleting what connections use, under load ---------------------------------------

no_conn_to() { ! on director awk 'NR > 1 { print $5 }' /proc/net/ip_vs_fnat_conn | grep -q "^$1:"; }
no_conn_via() { ! on director awk 'NR > 1 { print $4 }' /proc/net/ip_vs_fnat_conn | grep -q "^$1:"; }

test_deletes() {
	load_start del
	wait_until 20 served
	check "delete a destination under load" fnat -d -t 192.0.2.10:80 -r 203.0.113.12
	check "...its connections leave the table" wait_until 20 no_conn_to 203.0.113.12
	check "...and the other destination still serves" wait_until 20 served
	check "delete a local address under load" fnat -Q -t 192.0.2.10:80 -z 203.0.113.101
	check "...its connections leave the table" wait_until 20 no_conn_via 203.0.113.101
	check "...and the remaining one still serves" wait_until 20 served
	check "delete the IPv6 service under load" fnat -D -t '[2001:db8:10::10]:80'
	check "...the IPv4 one still serves" wait_until 20 served
	check "flush everything under load" fnat -C
	check "...the table empties" wait_until 20 conns_are 0
	check "configure again" configure
	check "...IPv4 serves again" wait_until 30 served
	check "...IPv6 serves again" wait_until 30 served6
	info "load during the deletions: $(load_stop del)"
}

# --- (c) floods ---------------------------------------------------------------------------

# flood N: N SYNs to both VIPs from spoofed sources, from two processes at once (so
# that SYNs arrive on both CPUs), while the largest connection count seen is recorded
# in $E2E_TMP/max.
flood() {
	local n=$1 max=0 c p pids=()
	on client "$SYNFLOOD" --ifname eth0 --dmac "$(mac director cli0)" --count $((n / 2)) \
		--seed "$RANDOM" --rate 2000 --spoof 198.51.100.128/25 --dst 192.0.2.10 --port 80 \
		>"$E2E_TMP/flood1.out" 2>&1 &
	pids+=($!)
	on client "$SYNFLOOD" --ifname eth0 --dmac "$(mac director cli0)" --count $((n / 2)) \
		--seed "$RANDOM" --rate 2000 --spoof 2001:db8:c:1::/64 --dst 2001:db8:10::10 --port 80 \
		>"$E2E_TMP/flood2.out" 2>&1 &
	pids+=($!)
	while kill -0 "${pids[0]}" 2>/dev/null || kill -0 "${pids[1]}" 2>/dev/null; do
		c=$(conns)
		[ "${c:-0}" -gt "$max" ] && max=$c
		sleep 0.1
	done
	for p in "${pids[@]}"; do wait "$p"; done
	# What the senders queued is still being processed for a moment.
	for p in 1 2 3 4 5 6 7 8 9 10; do
		c=$(conns)
		[ "${c:-0}" -gt "$max" ] && max=$c
		sleep 0.2
	done
	echo "$max" >"$E2E_TMP/max"
	info "flood: IPv4 $(cat "$E2E_TMP/flood1.out"); IPv6 $(cat "$E2E_TMP/flood2.out"); largest connection count seen: $max"
	grep -q "^sent=" "$E2E_TMP/flood1.out" && grep -q "^sent=" "$E2E_TMP/flood2.out"
}

test_flood_conn_max() {
	local cl0 cl1 max t0=$SECONDS
	wait_until 60 conns_are 0
	fset conn_max=200
	cl0=$(counter conn_limit)
	load_start fl
	check "a SYN flood of $SYNS from spoofed sources (198.51.100.128/25, 2001:db8:c:1::/64)" flood "$SYNS"
	max=$(cat "$E2E_TMP/max")
	cl1=$(counter conn_limit)
	check "conn_max 200 is a hard limit: at most 200 connections seen ($max)" test "$max" -le 200
	check "...the refused SYNs counted in conn_limit (+$((cl1 - cl0)))" test "$cl1" -gt "$cl0"
	info "load during the flood: $(load_stop fl)"
	check "the flood's connections expire (timeout_syn 3 s)" wait_until 60 conns_are 0
	fset conn_max=0
	check "legitimate clients are served again" wait_until 20 served
	echo "SYN flood, conn_max=200: $SYNS SYNs, largest count $max, conn_limit +$((cl1 - cl0)), $((SECONDS - t0)) s" >>"$SUMMARY"
}

test_flood_ports() {
	local np0 np1 max
	wait_until 60 conns_are 0
	# 8 ports x 2 LIPs x 2 real servers (IPv4), 8 x 1 x 2 (IPv6): at most 48 connections
	fset "local_port_range=40000 40007"
	np0=$(counter no_port)
	check "a SYN flood of $SYNS against a local port range of 8" flood "$SYNS"
	max=$(cat "$E2E_TMP/max")
	np1=$(counter no_port)
	# conns counts places reserved by SYNs being processed too: one per CPU at most
	# beyond the 48 connections the ports allow.
	check "at most 8 ports per LIP and real server: $max connections (IPv4: 2 LIPs x 2, IPv6: 1 x 2, + 1 per CPU in flight)" \
		test "$max" -le $((48 + $(nproc)))
	check "...port exhaustion counted in no_port (+$((np1 - np0)))" test "$np1" -gt "$np0"
	check "the flood's connections expire" wait_until 60 conns_are 0
	fset "local_port_range=1024 65535"
	check "legitimate clients are served again" wait_until 20 served
	echo "SYN flood, 8 local ports: $SYNS SYNs, largest count $max, no_port +$((np1 - np0))" >>"$SUMMARY"
}

# The same SYNs (same seed) from two senders at once, so that both CPUs create the same
# client connection at the same moment now and then: the loser must use the winner's
# connection (counted in conn_race), not probe 64 ports and count no_port.
test_flood_same_syns() {
	local np0 np1 r0 r1 i pids=()
	wait_until 60 conns_are 0
	np0=$(counter no_port)
	r0=$(counter conn_race)
	for i in 1 2; do
		# one sender per CPU: the veth delivers on the sender's CPU
		on client taskset -c $((i - 1)) "$SYNFLOOD" --ifname eth0 --dmac "$(mac director cli0)" --count $((SYNS / 2)) \
			--seed 4242 --rate 2000 --spoof 198.51.100.128/25 --dst 192.0.2.10 --port 80 \
			>"$E2E_TMP/same$i.out" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	np1=$(counter no_port)
	r1=$(counter conn_race)
	info "two senders of the same $((SYNS / 2)) SYNs: conn_race +$((r1 - r0)), no_port +$((np1 - np0))"
	check_eq "the same SYNs from two senders at once never count as port exhaustion (no_port)" 0 \
		$((np1 - np0))
	check "the flood's connections expire" wait_until 60 conns_are 0
	check "legitimate clients are served" wait_until 20 served
	echo "the same $((SYNS / 2)) SYNs from two senders at once: conn_race +$((r1 - r0)), no_port +$((np1 - np0))" >>"$SUMMARY"
}

d2_served() { on c2 curl -s -m 2 -o /dev/null http://192.0.2.20/; [ "$(counter conn_new d2)" -gt "$1" ]; }

test_flood_global_cap() {
	local g0 g1 max d2g0 d2g1 d2n full
	wait_until 60 conns_are 0
	check "reload ipvs_fnat with conn_max_global=150" sh -c "rmmod ipvs_fnat && insmod '$KO' conn_max_global=150"
	check_eq "/sys/module/ipvs_fnat/parameters/conn_max_global" 150 \
		"$(cat /sys/module/ipvs_fnat/parameters/conn_max_global)"
	configure && configure_d2
	# The flood's connections must stay while d2 is tried, however long the flood and its
	# sampling take on a slow kernel: they outlive the test, and a flush ends them.
	fset timeout_syn=600
	g0=$(counter conn_limit_global)
	d2g0=$(counter conn_limit_global d2)
	d2n=$(counter conn_new d2)
	check "a SYN flood of $SYNS in the director's namespace" flood "$SYNS"
	max=$(cat "$E2E_TMP/max")
	g1=$(counter conn_limit_global)
	check "the global cap holds: at most 150 connections ($max)" test "$max" -le 150
	check "...refusals counted in conn_limit_global (+$((g1 - g0)))" test "$g1" -gt "$g0"
	full=$(conns)
	on c2 curl -s -m 2 -o /dev/null http://192.0.2.20/
	d2g1=$(counter conn_limit_global d2)
	check "another namespace's new connection is refused while the table is full ($full), counted in its own conn_limit_global (+$((d2g1 - d2g0)))" \
		test "$d2g1" -gt "$d2g0"
	check_eq "...and it sees none of the director's connections" 0 "$(conns d2)"
	check_eq "...nor counts them (conn_new)" "$d2n" "$(counter conn_new d2)"
	check "flush the director's services" fnat -C
	check "...the flood's connections leave the table" wait_until 30 conns_are 0
	d2n=$(counter conn_new d2)
	check "then the other namespace gets its connection" wait_until 20 d2_served "$d2n"
	check "configure the director again" configure
	check "legitimate clients of the director are served again" wait_until 20 served
	echo "SYN flood, conn_max_global=150: largest count $max, conn_limit_global +$((g1 - g0)); the other namespace refused +$((d2g1 - d2g0))" >>"$SUMMARY"
}

test_unload() {
	check "ipvs_fnat unloads" rmmod ipvs_fnat
	check "toa unloads" rmmod toa
}

timed() {
	local t0=$SECONDS
	"$@"
	info "$1: $((SECONDS - t0)) s"
}

if setup; then
	timed test_reload_fnat
	timed test_reload_toa
	timed test_deletes
	timed test_flood_conn_max
	timed test_flood_ports
	timed test_flood_same_syns
	timed test_flood_global_cap
	timed test_unload
else
	fail "setup: topology, modules, servers and services"
fi
finish
