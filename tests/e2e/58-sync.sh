#!/usr/bin/env bash
# Connection synchronisation (docs/sync.md): a director fails and its connections go on
# through the other one.
#
#                 client 198.51.100.2/26, 2001:db8:c::2/64
#                   │ eth0
#                 router 198.51.100.1/26, 2001:db8:c::1      routes to the VIPs via the
#                   │ up0 198.51.100.65/26, 2001:db8:e::1     director that has them
#        ┌────── "up" bridge ───────┐
#   d1 up0 .71, 2001:db8:e::11    d2 up0 .72, 2001:db8:e::12
#   d1 sync0 198.51.100.129/26 ── d2 sync0 198.51.100.130/26   (the sync link: its own
#      2001:db8:f::11                 2001:db8:f::12            veth, netem on it)
#   d1 rs0 203.0.113.1            d2 rs0 203.0.113.2
#        └────── "lan" bridge ──────┘    (2001:db8:5::1, ::2)
#     rs1 203.0.113.11, 2001:db8:5::11    rs2 203.0.113.12, 2001:db8:5::12
#     (toa.ko; nginx :80 with /big; echo :7; sha256 sink :9)
#
#   On both directors' lo: VIP1 192.0.2.10, 2001:db8:10::10; VIP2 192.0.2.20 and LIP1
#   192.0.2.100, 2001:db8:11::100; LIP2 192.0.2.101. The same FULLNAT services on both:
#     VIP1:80, :7, :9 -> rs1, rs2 (rr), LIP1;  VIP1:81 the same, persistent (-p 300);
#     [VIP1 v6]:80, :7 -> rs1, rs2, LIP1 v6;   VIP2:7 -> rs1, rs2, LIP2.
#   "Routing" is the test's: the router's routes to the VIPs and the real servers'
#   routes to the LIPs point at the director that serves them, and a failover moves
#   both together (docs/ha.md: sync is pointless unless the LIPs move with the VIPs).
#   A director fails abruptly: its up0 and rs0 links go down, nothing is stopped.
#
# Scenarios: without sync a transfer breaks at the failover (the test can fail); with
# sync, IPv4 and IPv6 downloads and an upload (sha256), an interactive session and a
# persistent client go on with no RST; 10 % loss on the sync link; the backup
# restarted mid-run; wrong keys and replayed messages; active-active both ways;
# fuzzed datagrams and records for a VIP or real server the backup lacks; unload with
# the daemons running.
. "$(dirname "$0")/lib.sh"

VIP1=192.0.2.10
VIP1_6=2001:db8:10::10
VIP2=192.0.2.20
LIP1=192.0.2.100
LIP1_6=2001:db8:11::100
LIP2=192.0.2.101
TOA_KO=$BUILD/toa.ko
TRAFFIC="$PY $(dirname "$0")/sync_traffic.py"
FUZZ="$PY $(dirname "$0")/sync_fuzz.py"
T=$E2E_TMP

fnat() {
	local ns=$1
	shift
	on "$ns" "$FNAT_TOOL" "$@"
}
stat_of() { on "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
# conn_set NS [VIP]: the director's connections as sorted "proto client vip lip rs"
# lines (state and expiry left out), optionally only those of one VIP.
conn_set() {
	fnat "$1" -L -c -n | awk -v v="${2:-}" 'NR > 2 && (v == "" || $5 == v) { print $1, $4, $5, $6, $7 }' |
		sort
}
conn_count() { conn_set "$@" | wc -l; }

# --- topology ------------------------------------------------------------------------

bridge() {
	ns_add "$1"
	on "$1" ip link add br0 type bridge mcast_snooping 0
	on "$1" ip link set br0 up
}

# services NS: the FULLNAT configuration, identical on both directors.
services() {
	local d=$1 p
	fnat "$d" -C || return 1
	for p in 80 7 9; do
		fnat "$d" -A -t $VIP1:$p -s rr &&
			fnat "$d" -a -t $VIP1:$p -r 203.0.113.11:$p -b &&
			fnat "$d" -a -t $VIP1:$p -r 203.0.113.12:$p -b &&
			fnat "$d" -P -t $VIP1:$p -z $LIP1 || return 1
	done
	fnat "$d" -A -t $VIP1:81 -s rr -p 300 &&
		fnat "$d" -a -t $VIP1:81 -r 203.0.113.11:80 -b &&
		fnat "$d" -a -t $VIP1:81 -r 203.0.113.12:80 -b &&
		fnat "$d" -P -t $VIP1:81 -z $LIP1 || return 1
	for p in 80 7; do
		fnat "$d" -A -t "[$VIP1_6]:$p" -s rr &&
			fnat "$d" -a -t "[$VIP1_6]:$p" -r "[2001:db8:5::11]:$p" -b &&
			fnat "$d" -a -t "[$VIP1_6]:$p" -r "[2001:db8:5::12]:$p" -b &&
			fnat "$d" -P -t "[$VIP1_6]:$p" -z $LIP1_6 || return 1
	done
	fnat "$d" -A -t $VIP2:7 -s rr &&
		fnat "$d" -a -t $VIP2:7 -r 203.0.113.11:7 -b &&
		fnat "$d" -a -t $VIP2:7 -r 203.0.113.12:7 -b &&
		fnat "$d" -P -t $VIP2:7 -z $LIP2
}

director() {
	local d=d$1 n=$1
	ns_add $d
	link $d up0 up $d
	ip -n up link set $d master br0
	addr $d up0 198.51.100.7$n/26 2001:db8:e::1$n/64
	link $d rs0 lan $d
	ip -n lan link set $d master br0
	addr $d rs0 203.0.113.$n/24 2001:db8:5::$n/64
	addr $d lo $VIP1/32 $VIP2/32 $LIP1/32 $LIP2/32 $VIP1_6/128 $LIP1_6/128
	router $d
	on $d ip route add 198.51.100.0/26 via 198.51.100.65
	on $d ip -6 route add 2001:db8:c::/64 via 2001:db8:e::1
	services $d
}

# route_to VIP|LIP... N: traffic for these addresses goes to director dN.
route_vip() {
	local n=$1 a
	shift
	for a in "$@"; do
		case $a in
		*:*) on router ip -6 route replace $a/128 via 2001:db8:e::1$n ;;
		*) on router ip route replace $a/32 via 198.51.100.7$n ;;
		esac
	done
}
route_lip() {
	local n=$1 a i
	shift
	for a in "$@"; do
		for i in 1 2; do
			case $a in
			*:*) on rs$i ip -6 route replace $a/128 via 2001:db8:5::$n ;;
			*) on rs$i ip route replace $a/32 via 203.0.113.$n ;;
			esac
		done
	done
}

# cut_director N: director dN fails: its cables are pulled (the bridges' ends of its
# up0 and rs0 go down, so it keeps its addresses and routes, as a hung machine
# would), it sends nothing more on the sync link, and routing moves its VIPs and LIPs
# to the other one. restore N: its links come back (routes stay where they are).
cut_director() {
	local n=$1 o=$((3 - $1))
	ip -n up link set d$n down
	ip -n lan link set d$n down
	on d$n tc qdisc replace dev sync0 root netem loss 100%
	route_vip $o $VIP1 $VIP1_6 $VIP2
	route_lip $o $LIP1 $LIP1_6 $LIP2
}
restore() {
	ip -n up link set d$1 up
	ip -n lan link set d$1 up
	on d$1 tc qdisc del dev sync0 root
	wait_until 10 on d$1 ping -c1 -W1 198.51.100.65 >/dev/null
}

# reset: the module reloaded (no daemons, no connections, counters at zero), both
# directors up with their services, VIP1/LIP1 on d1, VIP2/LIP2 on d2.
reset() {
	local n
	rmmod ipvs_fnat && insmod "$BUILD/ipvs_fnat.ko" || return 1
	for n in 1 2; do
		ip -n up link set d$n up
		ip -n lan link set d$n up
		on d$n tc qdisc del dev sync0 root 2>/dev/null
		services d$n || return 1
	done
	route_vip 1 $VIP1 $VIP1_6
	route_lip 1 $LIP1 $LIP1_6
	route_vip 2 $VIP2
	route_lip 2 $LIP2
}

# servers on rsN: nginx (/big), an echo on :7, a sink on :9 answering the sha256 of
# what it received.
servers() {
	local i
	for i in 1 2; do
		nginx_start rs$i rs$i || return 1
		cp "$T/big" "$T/rs$i/big"
		on rs$i socat TCP6-LISTEN:7,fork,reuseaddr,ipv6only=0 EXEC:cat &
		on rs$i socat TCP-LISTEN:9,fork,reuseaddr SYSTEM:'sha256sum' &
	done
	for i in 1 2; do
		wait_until 10 on rs$i ss -Htln 'sport = :7' || return 1
		wait_until 10 on rs$i ss -Htln 'sport = :9' || return 1
	done
}

setup() {
	insmod "$BUILD/ipvs_fnat.ko" || return 1
	insmod "$TOA_KO" || return 1
	at_exit "rmmod toa"
	at_exit "rmmod ipvs_fnat 2>/dev/null"
	head -c 2000000 /dev/urandom >"$T/big"
	head -c 1200000 /dev/urandom >"$T/up"
	SHA_BIG=$(sha256sum <"$T/big" | cut -d' ' -f1)

	ns_add client
	ns_add router
	bridge up
	bridge lan
	link client eth0 router cl0
	addr client eth0 198.51.100.2/26 2001:db8:c::2/64
	addr router cl0 198.51.100.1/26 2001:db8:c::1/64
	on client ip route add default via 198.51.100.1
	on client ip -6 route add default via 2001:db8:c::1
	link router up0 up r
	ip -n up link set r master br0
	addr router up0 198.51.100.65/26 2001:db8:e::1/64
	router router
	local i
	for i in 1 2; do
		ns_add rs$i
		link rs$i eth0 lan rs$i
		ip -n lan link set rs$i master br0
		addr rs$i eth0 203.0.113.1$i/24 2001:db8:5::1$i/64
	done
	director 1 && director 2 || return 1
	link d1 sync0 d2 sync0
	addr d1 sync0 198.51.100.129/26 2001:db8:f::11/64
	addr d2 sync0 198.51.100.130/26 2001:db8:f::12/64
	servers || return 1
	reset
}

# --- traffic ---------------------------------------------------------------------------

# start_rst_capture: count the RSTs the client receives from any VIP, until stop.
start_rst_capture() {
	on client tcpdump -i eth0 -n -U -w "$T/rst.pcap" \
		"(ip and tcp[tcpflags] & tcp-rst != 0) or (ip6 and ip6[6] == 6 and ip6[53] & 4 != 0)" \
		>/dev/null 2>&1 &
	RST_PID=$!
	wait_until 5 test -s "$T/rst.pcap"
}
rsts_seen() {
	kill "$RST_PID" 2>/dev/null
	wait "$RST_PID" 2>/dev/null
	on client tcpdump -n -r "$T/rst.pcap" 2>/dev/null | wc -l
}

# synced N COUNT: director dN holds at least COUNT connections.
synced() { [ "$(conn_count "d$1")" -ge "$2" ]; }

# --- scenarios ---------------------------------------------------------------------------

test_baseline() {
	info "without sync: a download through d1, d1 fails"
	on client curl -s -g -m 40 --speed-time 5 --speed-limit 1000 \
		-o "$T/base.out" "http://$VIP1/slow" &
	local job=$!
	wait_until 10 synced 1 1
	sleep 3
	cut_director 1
	local rc=0
	wait $job || rc=$?
	check "without sync the download through the failed director breaks (curl exit $rc)" test "$rc" -ne 0
	check "and d2, which did not know it, dropped its packets (no_conn_drop)" \
		test "$(stat_of d2 no_conn_drop)" -gt 0
	reset
}

test_failover() {
	info "sync: master on d1, backup on d2; downloads (v4, v6), upload, session, persistent client"
	check "a backup starts on d2" fnat d2 --start-daemon backup --mcast-interface sync0
	check "a master starts on d1" fnat d1 --start-daemon master --mcast-interface sync0
	check "-L --daemon on d1 lists the master" \
		sh -c "ip netns exec d1 '$FNAT_TOOL' -L --daemon | grep -q '^master sync daemon (mcast=sync0'"
	start_rst_capture
	on client curl -s -g -m 90 -o "$T/dl4" "http://$VIP1/slow" &
	local dl4=$!
	on client curl -s -g -m 90 -o "$T/dl6" "http://[$VIP1_6]/slow" &
	local dl6=$!
	on client $TRAFFIC upload $VIP1 9 "$T/up" 20 >"$T/up.out" 2>&1 &
	local up=$!
	on client $TRAFFIC session $VIP1 7 25 >"$T/sess.out" 2>&1 &
	local sess=$!
	on client $TRAFFIC session $VIP1_6 7 25 >"$T/sess6.out" 2>&1 &
	local sess6=$!
	# The persistent client's connections are short: one in its handshake at the cut
	# would be lost by design (docs/sync.md), so it makes 5 before the failover and
	# 15 after, none across it.
	: >"$T/persist"
	(for i in $(seq 5); do on client curl -s -m 5 "http://$VIP1:81/"; sleep 1; done >>"$T/persist") &
	local persist=$!
	check "the backup holds the master's connections before the failover" \
		wait_until 15 synced 2 5
	wait $persist
	sleep 1
	local before
	before=$(conn_set d1 | wc -l)
	info "d1 holds $before connections, d2 $(conn_count d2); cutting d1"
	cut_director 1
	(for i in $(seq 15); do on client curl -s -m 5 "http://$VIP1:81/"; sleep 1; done >>"$T/persist") &
	persist=$!
	local t0=$SECONDS rc
	rc=0; wait $dl4 || rc=$?
	check "the IPv4 download survives the failover (curl exit $rc)" test $rc -eq 0
	check "its sha256 is the file's" test "$(sha256sum <"$T/dl4" | cut -d' ' -f1)" = "$SHA_BIG"
	rc=0; wait $dl6 || rc=$?
	check "the IPv6 download survives the failover (curl exit $rc)" test $rc -eq 0
	check "its sha256 is the file's" test "$(sha256sum <"$T/dl6" | cut -d' ' -f1)" = "$SHA_BIG"
	rc=0; wait $up || rc=$?
	check "the upload survives and the real server received it whole: $(cat "$T/up.out")" test $rc -eq 0
	rc=0; wait $sess || rc=$?
	check "the interactive session goes on: $(cat "$T/sess.out")" test $rc -eq 0
	rc=0; wait $sess6 || rc=$?
	check "the IPv6 session goes on: $(cat "$T/sess6.out")" test $rc -eq 0
	wait $persist
	check "the persistent client kept its real server: $(cut -d' ' -f1 "$T/persist" | sort | uniq -c | paste -sd' ')" \
		test "$(cut -d' ' -f1 "$T/persist" | sort -u | wc -l)" -eq 1
	check "every answer came (20 requests)" test "$(grep -c . "$T/persist")" -eq 20
	check "the real server saw the real client on new connections after the failover" \
		awk '$2 != "198.51.100.2" { bad = 1 } END { exit bad }' "$T/persist"
	check_eq "no RST reached the client" 0 "$(rsts_seen)"
	check "d2 forwarded the synced connections (in_pkts)" test "$(stat_of d2 in_pkts)" -gt 0
	info "transfers ended $((SECONDS - t0)) s after the failover; d1 tx_conns $(stat_of d1 sync_tx_conns), d2 rx_conns $(stat_of d2 sync_rx_conns)"
	reset
}

# hold_conns N VIP PORT SECS: N client connections that send a line and stay open
# (SECS stretched by the caller with scaled: on the debug kernel starting 60 of them
# takes longer than the unstretched lifetime).
hold_conns() {
	local i
	for ((i = 0; i < $1; i++)); do
		(echo "hold $i"; sleep "$4") | on client socat -T "$4" - TCP:$2:$3 >/dev/null 2>&1 &
	done
}

# same_tables VIP: d2's connections of VIP are d1's.
same_tables() { [ "$(conn_set d1 "$1")" = "$(conn_set d2 "$1")" ] && [ -n "$(conn_set d1 "$1")" ]; }

test_loss() {
	info "10 % loss on the sync link (both ways), 60 connections"
	on d1 tc qdisc add dev sync0 root netem loss 10%
	on d2 tc qdisc add dev sync0 root netem loss 10%
	local nack0 res0
	nack0=$(stat_of d2 sync_nack_tx)
	res0=$(stat_of d1 sync_resent)
	fnat d2 --start-daemon backup --mcast-interface sync0 &&
		fnat d1 --start-daemon master --mcast-interface sync0 || fail "the daemons start"
	hold_conns 60 $VIP1 7 "$(scaled 70)"
	check "the 60 connections are open on d1" wait_until 20 synced 1 60
	check "the backup's table converges to the master's despite the loss" wait_until 30 same_tables "$VIP1:7"
	check "the backup asked for resends (nack_tx)" test "$(stat_of d2 sync_nack_tx)" -gt "$nack0"
	check "the master resent (resent)" test "$(stat_of d1 sync_resent)" -gt "$res0"
	on d1 tc qdisc del dev sync0 root
	on d2 tc qdisc del dev sync0 root

	info "the backup restarted mid-run, its table emptied"
	local rs0 rq0
	rs0=$(stat_of d1 sync_resync)
	rq0=$(stat_of d2 sync_resync_req)
	fnat d2 --stop-daemon backup
	services d2
	check_eq "d2's table is empty" 0 "$(conn_count d2)"
	fnat d2 --start-daemon backup --mcast-interface sync0
	check "a full resync brings it back to the master's table" wait_until 20 same_tables "$VIP1:7"
	check "the master served a resync" test "$(stat_of d1 sync_resync)" -gt "$rs0"
	check "the backup asked for it" test "$(stat_of d2 sync_resync_req)" -gt "$rq0"
	reset
}

# key_opt NAME: the option for key file NAME, nothing for "-".
key_opt() { [ "$1" = - ] || echo "--sync-key-file $T/$1"; }
auth_fail_above() { [ "$(stat_of d2 sync_auth_fail)" -gt "$1" ]; }

test_keys() {
	info "authentication: wrong key, key on one side only"
	head -c 32 /dev/urandom >"$T/k1"
	head -c 32 /dev/urandom >"$T/k2"
	chmod 600 "$T/k1" "$T/k2"
	local m b a0
	for m in k1 - k2; do
		case $m in k1) b=k2 ;; -) b=k2 ;; k2) b=- ;; esac
		reset
		a0=$(stat_of d2 sync_auth_fail)
		fnat d2 --start-daemon backup --mcast-interface sync0 $(key_opt $b) &&
			fnat d1 --start-daemon master --mcast-interface sync0 $(key_opt $m) ||
			fail "the daemons start (master key $m, backup key $b)"
		hold_conns 5 $VIP1 7 "$(scaled 20)"
		wait_until 10 synced 1 5
		check "master key $m, backup key $b: the backup counts auth failures" \
			wait_until 10 auth_fail_above $a0
		check_eq "master key $m, backup key $b: nothing is installed" 0 "$(conn_count d2)"
	done
	reset
	fnat d2 --start-daemon backup --mcast-interface sync0 --sync-key-file "$T/k1"
	fnat d1 --start-daemon master --mcast-interface sync0 --sync-key-file "$T/k1"
	check "-L --daemon shows key=set, never the key" \
		sh -c "ip netns exec d1 '$FNAT_TOOL' -L --daemon | grep -q 'key=set' && ! ip netns exec d1 '$FNAT_TOOL' -L --daemon --json | grep -qi \"$(od -An -tx1 "$T/k1" | tr -d ' \n' | head -c 16)\""
	on d2 tcpdump -i sync0 -n -U -w "$T/sync.pcap" udp port 8850 >/dev/null 2>&1 &
	local cap=$!
	hold_conns 5 $VIP1 7 "$(scaled 20)"
	check "with the same key on both the backup installs them" wait_until 15 same_tables "$VIP1:7"
	kill $cap
	wait $cap 2>/dev/null
	# The master goes on sending DATA (its later records of the held connections)
	# while the replay runs, which takes seconds on a slow kernel: the backup may
	# apply those, and only those. (HELLOs count in neither number.)
	local r0 m0 t0 m1 t1 before
	r0=$(stat_of d2 sync_replay) t0=$(stat_of d1 sync_tx_msgs) m0=$(stat_of d2 sync_rx_msgs)
	before=$(conn_set d2)
	check "the captured messages are sent again from d1, from another port" \
		on d1 $FUZZ replay "$T/sync.pcap" 198.51.100.130 8850
	check "the backup counts the replayed DATA messages (replay)" \
		wait_until 5 sh -c "[ \$(ip netns exec d2 awk '\$1 == \"sync_replay\" { print \$2 }' /proc/net/ip_vs_fnat_stats) -gt $r0 ]"
	m1=$(stat_of d2 sync_rx_msgs) t1=$(stat_of d1 sync_tx_msgs)
	check "and applies none of them (it applied $((m1 - m0)), the master sent $((t1 - t0)) meanwhile)" \
		test $((m1 - m0)) -le $((t1 - t0))
	check_eq "its table is unchanged" "$before" "$(conn_set d2)"
	reset
}

test_active_active() {
	info "active-active: d1 masters VIP1 (syncid 1, IPv4 group), d2 VIP2 (syncid 2, IPv6 group)"
	fnat d1 --start-daemon master --mcast-interface sync0 --syncid 1 &&
		fnat d2 --start-daemon backup --mcast-interface sync0 --syncid 1 &&
		fnat d2 --start-daemon master --mcast-interface sync0 --syncid 2 --mcast-group ff02::8850 &&
		fnat d1 --start-daemon backup --mcast-interface sync0 --syncid 2 --mcast-group ff02::8850 ||
		fail "the four daemons start"
	check "d1 runs a master and a backup" \
		test "$(ip netns exec d1 "$FNAT_TOOL" -L --daemon | grep -c 'sync daemon')" -eq 2
	on client $TRAFFIC session $VIP1 7 24 >"$T/aa1.out" 2>&1 &
	local s1=$!
	on client $TRAFFIC session $VIP2 7 24 >"$T/aa2.out" 2>&1 &
	local s2=$!
	check "d2 holds d1's session and d1 holds d2's" \
		wait_until 15 sh -c "[ -n \"\$(ip netns exec d2 '$FNAT_TOOL' -L -c -n | grep ' $VIP1:7 ')\" ] && [ -n \"\$(ip netns exec d1 '$FNAT_TOOL' -L -c -n | grep ' $VIP2:7 ')\" ]"
	sleep 2
	info "d1 fails: VIP1 moves to d2"
	cut_director 1
	sleep 6
	restore 1
	info "d2 fails: everything moves to d1"
	cut_director 2
	local rc=0
	wait $s1 || rc=$?
	check "the VIP1 session survived both failovers: $(cat "$T/aa1.out")" test $rc -eq 0
	rc=0
	wait $s2 || rc=$?
	check "the VIP2 session survived d2's failure: $(cat "$T/aa2.out")" test $rc -eq 0
	reset
}

# moved: both directors master their own connections and back up all others'
# (scale-out, docs/scale-out.md). d2 holds LIP1 as a peer LIP, another director's,
# and has LIP2 of its own for VIP1:7. A session through d1 moves to d2 while d1
# stays up (the router's hash shifts): d2 takes it over, d1 learns from d2's record
# that d2 forwards it now and keeps it as d2's, so that when d1's copy would expire
# (d1's timeouts are cut to 6 s) no RST comes from d1; d2 gives new connections its
# own LIP, never the peer LIP.
test_moved() {
	info "moved: every director masters its own connections and backs up all others"
	fnat d2 -Q -t $VIP1:7 -z $LIP1 && fnat d2 -P -t $VIP1:7 -z $LIP1 --peer &&
		fnat d2 -P -t $VIP1:7 -z $LIP2 || fail "d2's pool for VIP1:7: LIP1 as a peer, LIP2"
	check "d2 lists LIP1 as a peer LIP" \
		sh -c "ip netns exec d2 '$FNAT_TOOL' -G -n -t $VIP1:7 | grep -q '=> $LIP1 .* peer\$'"
	fnat d1 --start-daemon master --mcast-interface sync0 --syncid 1 &&
		fnat d1 --start-daemon backup --mcast-interface sync0 &&
		fnat d2 --start-daemon master --mcast-interface sync0 --syncid 2 &&
		fnat d2 --start-daemon backup --mcast-interface sync0 || fail "the four daemons start"
	fnat d1 --set 6 6 6
	start_rst_capture
	on client $TRAFFIC session $VIP1 7 "$(scaled 24)" >"$T/mv.out" 2>&1 &
	local s=$!
	check "d2 holds d1's session, with LIP1" \
		wait_until 15 sh -c "ip netns exec d2 '$FNAT_TOOL' -L -c -n | grep -q ' $VIP1:7 *$LIP1:'"
	info "the router moves VIP1 and LIP1 to d2; d1 stays up"
	route_vip 2 $VIP1
	route_lip 2 $LIP1
	check "d1 learns that d2 forwards the session now (sync_moved)" \
		wait_until 15 sh -c "[ \$(ip netns exec d1 awk '\$1 == \"sync_moved\" { print \$2 }' /proc/net/ip_vs_fnat_stats) -ge 1 ]"
	on client $TRAFFIC session $VIP1 7 3 >"$T/mv-new.out" 2>&1 &
	local n=$!
	check "a new connection through d2 is given d2's own LIP2, not the peer LIP1" \
		wait_until 10 sh -c "ip netns exec d2 '$FNAT_TOOL' -L -c -n | grep -q ' $VIP1:7 *$LIP2:'"
	check_eq "and the one connection d2 has from LIP1 is the synced session" 1 \
		"$(conn_set d2 $VIP1:7 | awk -v l=$LIP1: 'index($4, l) == 1' | wc -l)"
	local rc=0
	wait $n || rc=$?
	check "that connection works: $(cat "$T/mv-new.out")" test $rc -eq 0
	rc=0
	wait $s || rc=$?
	check "the moved session goes on past d1's 6 s timeout: $(cat "$T/mv.out")" test $rc -eq 0
	check_eq "d1 sent no RST for the session it no longer forwards (expire_rst)" 0 "$(stat_of d1 expire_rst)"
	check_eq "and none reached the client" 0 "$(rsts_seen)"
	reset
}

test_fuzz() {
	info "fuzzed datagrams at the backup"
	fnat d2 --start-daemon backup --mcast-interface sync0
	local m0 v0
	m0=$(stat_of d2 sync_malformed)
	v0=$(stat_of d2 sync_version_err)
	check "3000 fuzzed datagrams are sent" on d1 $FUZZ fuzz 198.51.100.130 8850 3000 58 192.0.2.99
	check_eq "they installed nothing" 0 "$(conn_count d2)"
	check "malformed ones were counted" test "$(stat_of d2 sync_malformed)" -gt "$m0"
	check "wrong versions and magics were counted" test "$(stat_of d2 sync_version_err)" -gt "$v0"
	check "IPv6 fuzz too" on d1 $FUZZ fuzz 2001:db8:f::12 8850 500 59 2001:db8:10::99
	check_eq "which installed nothing either" 0 "$(conn_count d2)"
	check "a well-formed record with an unknown optional field is sent" \
		on d1 $FUZZ valid 198.51.100.130 8850 198.51.100.2 40000 $VIP1 80 $LIP1 30000 203.0.113.11 80
	check "the backup installs it, LIP:lport as sent" \
		wait_until 5 sh -c "ip netns exec d2 '$FNAT_TOOL' -L -c -n | grep -q '198.51.100.2:40000 *$VIP1:80 *$LIP1:30000 *203.0.113.11:80'"
	info "records the backup cannot place: dropped and counted (docs/sync.md)"
	local ns0 nd0 nl0 n0
	ns0=$(stat_of d2 sync_no_service) nd0=$(stat_of d2 sync_no_dest) nl0=$(stat_of d2 sync_no_laddr)
	n0=$(conn_count d2)
	on d1 $FUZZ valid 198.51.100.130 8850 198.51.100.2 40001 192.0.2.99 80 $LIP1 30001 203.0.113.11 80 >/dev/null
	on d1 $FUZZ valid 198.51.100.130 8850 198.51.100.2 40002 $VIP1 80 $LIP1 30002 203.0.113.99 80 >/dev/null
	on d1 $FUZZ valid 198.51.100.130 8850 198.51.100.2 40003 $VIP1 80 192.0.2.199 30003 203.0.113.11 80 >/dev/null
	check "a record for a VIP the backup lacks: no_service" \
		wait_until 5 sh -c "[ \$(ip netns exec d2 awk '\$1 == \"sync_no_service\" { print \$2 }' /proc/net/ip_vs_fnat_stats) -gt $ns0 ]"
	check "a record for a real server it lacks: no_dest" \
		wait_until 5 sh -c "[ \$(ip netns exec d2 awk '\$1 == \"sync_no_dest\" { print \$2 }' /proc/net/ip_vs_fnat_stats) -gt $nd0 ]"
	check "a record for a LIP it lacks: no_laddr" \
		wait_until 5 sh -c "[ \$(ip netns exec d2 awk '\$1 == \"sync_no_laddr\" { print \$2 }' /proc/net/ip_vs_fnat_stats) -gt $nl0 ]"
	check_eq "none of the three is installed" "$n0" "$(conn_count d2)"
	reset
}

test_unload() {
	info "unload with the daemons running and traffic flowing"
	fnat d2 --start-daemon backup --mcast-interface sync0
	fnat d1 --start-daemon master --mcast-interface sync0
	fnat d1 --start-daemon backup --mcast-interface sync0 --syncid 9
	hold_conns 20 $VIP1 7 "$(scaled 30)"
	wait_until 10 synced 2 20
	check "ipvs_fnat unloads with master and backup daemons running" rmmod ipvs_fnat
	check "and loads again" insmod "$BUILD/ipvs_fnat.ko"
}

if setup; then
	scenarios=${SYNC_SCENARIOS:-baseline failover loss keys active_active moved fuzz unload}
	for s in $scenarios; do
		"test_$s"
	done
else
	fail "setup"
fi
finish
