#!/usr/bin/env bash
# toa.ko on a real server: a load balancer's handshakes carry the client's address in a
# TCP option (TOA); accept(), getpeername() and SO_PEERNAME must return that client, and
# getsockopt(IPPROTO_IP, TOA_SO_GET_LOOKUP) the TOA itself.
#
#   toalb: the load balancer                       toars: the real server
#   (tests/e2e/toa_inject.py, scapy)               (toa.ko, toa_server)
#   eth0 203.0.113.100/24  2001:db8:5::100/64 ---- eth0 203.0.113.11/24  2001:db8:5::11/64
#        203.0.113.200/24  2001:db8:5::200/64      (one veth pair, no router)
#        (.200/::200: a source left out of `trusted`)
#
#   toalb's own kernel RSTs are dropped by nftables: the injector owns its TCP.
#   The clients named in the TOAs, 198.51.100.0/24 and 2001:db8:c::/64, are never on
#   the wire. Helpers: tests/e2e/toa_lib.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/toa_lib.sh"

# --- scenarios -----------------------------------------------------------------------

setup() {
	toa_topology
	start_injector
	check "toa.ko loads" insmod "$TOA_KO"
	check_eq "trusted is empty by default" "" "$(cat $TOA_PARAMS/trusted)"
	check_eq "kinds default to 254,253" "254,253" "$(cat $TOA_PARAMS/kinds)"
}

# /proc/net/toa_stats in every namespace, with every counter.
test_stats_everywhere() {
	local n missing=""
	for n in $TOA_COUNTERS; do
		grep -Eq "^$n [0-9]+$" /proc/net/toa_stats || missing+=" $n"
	done
	check_eq "/proc/net/toa_stats lists every counter" "" "$missing"
	check "/proc/net/toa_stats in the real server's namespace" on toars grep -q '^entries_alloc ' /proc/net/toa_stats
	ns_add toaother
	check "/proc/net/toa_stats in a namespace made after loading" \
		on toaother grep -q '^entries_alloc ' /proc/net/toa_stats
}

# (a) accept()/getpeername()/SO_PEERNAME on an AF_INET listener; NAT64; no TOA.
test_ipv4_listener() {
	serve v4 203.0.113.11 8001 4
	snap
	check "4 handshakes with TOAs to an AF_INET listener" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8001 \
		"toa=198.51.100.7:40001" "toa=198.51.100.8:63881" none "toa=[2001:db8:c::64]:40064"
	wait_until 30 served v4 4
	peer_is "IPv4 TOA on an AF_INET socket" v4 1 198.51.100.7:40001
	check_eq "IPv4 TOA: getsockopt(TOA_SO_GET_LOOKUP)" "[::ffff:198.51.100.7]:40001" "$(field v4 1 lookup)"
	check_eq "IPv4 TOA: getsockname() untouched" 203.0.113.11:8001 "$(field v4 1 local)"
	peer_is "TOA port 63881 (0xF989) on the ACK is a TOA" v4 2 198.51.100.8:63881
	lb_peer "no TOA: the load balancer's address" v4 3 203.0.113.100
	check_eq "no TOA: getsockopt(TOA_SO_GET_LOOKUP) is ENOENT" ENOENT "$(field v4 3 lookup)"
	lb_peer "NAT64 (IPv6 TOA, AF_INET socket): getpeername() unchanged" v4 4 203.0.113.100
	check_eq "NAT64: getsockopt(TOA_SO_GET_LOOKUP) returns the IPv6 client" \
		"[2001:db8:c::64]:40064" "$(field v4 4 lookup)"
	check_deltas "AF_INET counters match" syn_recv_sock_toa=3 syn_recv_sock_no_toa=1 untrusted=0 \
		malformed=0 no_child=0 entries_alloc=3 getname_toa_ok=6 getname_toa_mismatch=3 \
		getname_toa_empty=3 getsockopt_toa_ok=3 getsockopt_toa_empty=1
	check "entries_alloc == entries_free once the connections are closed" wait_until 30 entries_balanced
}

# (a) a dual-stack [::] listener: IPv4 clients come back as ::ffff:a.b.c.d.
test_dualstack_listener() {
	serve ds :: 8002 5
	snap
	check "5 handshakes with TOAs to a [::] listener, over IPv4 and IPv6" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8002 \
		"toa=198.51.100.9:40003" "toa=[2001:db8:c::9]:40004" \
		"src=2001:db8:5::100 dst=2001:db8:5::11 toa=[2001:db8:c::a]:40005" \
		"src=2001:db8:5::100 dst=2001:db8:5::11 toa=[2001:db8:c::b]:40006 kind=253" \
		"src=2001:db8:5::100 dst=2001:db8:5::11 toa=198.51.100.12:40007"
	wait_until 30 served ds 5
	peer_is "IPv4 client, IPv4 TOA on [::]" ds 1 "[::ffff:198.51.100.9]:40003"
	check_eq "IPv4 client on [::]: getsockname() untouched" "[::ffff:203.0.113.11]:8002" "$(field ds 1 local)"
	peer_is "IPv4 client, IPv6 TOA on [::]" ds 2 "[2001:db8:c::9]:40004"
	peer_is "IPv6 client, IPv6 TOA kind 254" ds 3 "[2001:db8:c::a]:40005"
	peer_is "IPv6 client, IPv6 TOA kind 253" ds 4 "[2001:db8:c::b]:40006"
	peer_is "IPv6 client, IPv4 TOA" ds 5 "[::ffff:198.51.100.12]:40007"
	check_eq "IPv6 client: getsockopt(TOA_SO_GET_LOOKUP)" "[2001:db8:c::b]:40006" "$(field ds 4 lookup)"
	# One syn_recv_sock per handshake, though tcp_v6_syn_recv_sock calls the IPv4 one.
	check_deltas "dual-stack counters match" syn_recv_sock_toa=5 syn_recv_sock_no_toa=0 \
		entries_alloc=5 entries_stale=0 getname_toa_ok=15 getname_toa_mismatch=0 getname_toa_empty=0
	check "entries_alloc == entries_free once the connections are closed" wait_until 30 entries_balanced
}

# (c) SYN cookies: the TOA comes through cookie_v4_check()/cookie_v6_check().
test_syncookies() {
	on toars sysctl -qw net.ipv4.tcp_syncookies=2
	serve ck4 203.0.113.11 8003 1
	serve ck6 :: 8004 2
	local before
	before=$(tcpext SyncookiesRecv)
	snap
	check "handshakes with TOAs while every SYN gets a cookie" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8003 \
		"toa=198.51.100.13:40008" \
		"dport=8004 dst=2001:db8:5::11 src=2001:db8:5::100 toa=[2001:db8:c::d]:40009"
	check "an IPv4 client of [::] with SYN cookies" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8004 "toa=198.51.100.14:40010"
	wait_until 30 served ck6 2
	check_eq "the handshakes completed by SYN cookie" 3 $(($(tcpext SyncookiesRecv) - before))
	peer_is "SYN cookie, AF_INET" ck4 1 198.51.100.13:40008
	peer_is "SYN cookie, IPv6" ck6 1 "[2001:db8:c::d]:40009"
	peer_is "SYN cookie, IPv4 client on [::]" ck6 2 "[::ffff:198.51.100.14]:40010"
	check_deltas "SYN cookie counters match" syn_recv_sock_toa=3 entries_alloc=3 getname_toa_ok=9
	on toars sysctl -qw net.ipv4.tcp_syncookies=1
	check "entries_alloc == entries_free once the connections are closed" wait_until 30 entries_balanced
}

# (d) trusted: TOAs from sources outside the list are ignored and counted.
test_trusted() {
	local v
	check "trusted accepts a list excluding the load balancer" sh -c "echo 192.0.2.0/24 >$TOA_PARAMS/trusted"
	serve tr :: 8005 6
	snap
	check "handshakes from an untrusted load balancer" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8005 \
		"toa=198.51.100.20:40020" "src=2001:db8:5::100 dst=2001:db8:5::11 toa=[2001:db8:c::20]:40021"
	check "trusted accepts the load balancer's addresses" \
		sh -c "echo '203.0.113.100, 2001:db8:5::100/128' >$TOA_PARAMS/trusted"
	check_eq "trusted reads back in canonical form" "203.0.113.100/32,2001:db8:5::100/128" "$(cat $TOA_PARAMS/trusted)"
	check "handshakes from trusted and untrusted sources" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8005 \
		"toa=198.51.100.22:40022" "src=203.0.113.200 toa=198.51.100.23:40023" \
		"src=2001:db8:5::100 dst=2001:db8:5::11 toa=[2001:db8:c::24]:40024" \
		"src=2001:db8:5::200 dst=2001:db8:5::11 toa=[2001:db8:c::25]:40025"
	wait_until 30 served tr 6
	lb_peer "TOA from a source outside trusted is ignored (IPv4)" tr 1 "::ffff:203.0.113.100"
	check_eq "an ignored TOA is not readable by getsockopt either" ENOENT "$(field tr 1 lookup)"
	lb_peer "TOA from a source outside trusted is ignored (IPv6)" tr 2 "2001:db8:5::100"
	peer_is "TOA from a trusted IPv4 source" tr 3 "[::ffff:198.51.100.22]:40022"
	lb_peer "TOA from another IPv4 source is ignored" tr 4 "::ffff:203.0.113.200"
	peer_is "TOA from a trusted IPv6 source" tr 5 "[2001:db8:c::24]:40024"
	lb_peer "TOA from another IPv6 source is ignored" tr 6 "2001:db8:5::200"
	check_deltas "untrusted TOAs are counted" untrusted=4 syn_recv_sock_toa=2 syn_recv_sock_no_toa=0 \
		entries_alloc=2 getname_toa_ok=6 getname_toa_empty=12

	for v in 300.1.2.3 203.0.113.0/33 2001:db8::/129 203.0.113.1/24 2001:db8::1/64 garbage \
		"203.0.113.0/24,,2001:db8::/32" "203.0.113.0/24 2001:db8::/32" 203.0.113.0/ /24; do
		check_fails "trusted refuses '$v'" sh -c "echo '$v' >$TOA_PARAMS/trusted"
	done
	check_eq "a refused list leaves the old one" "203.0.113.100/32,2001:db8:5::100/128" "$(cat $TOA_PARAMS/trusted)"
	check "trusted can be emptied again" sh -c "echo >$TOA_PARAMS/trusted"
	check_eq "trusted is empty" "" "$(cat $TOA_PARAMS/trusted)"
	check "entries_alloc == entries_free once the connections are closed" wait_until 30 entries_balanced
}

# (e) malformed options, as packets: ignored, counted, and nothing else breaks.
test_malformed() {
	# name|option bytes in the ACK|malformed?  (TOA body: port 8080, 198.51.100.7)
	local cases=(
		"length 0|fe001f90c6336407|1"
		"length 1|fe011f90c6336407|1"
		"length running past the header|0101fe0c1f90c633|1"
		"kind without a length byte|010101fe|1"
		"truncated TOA (length 6)|fe061f90c6330101|1"
		"IPv6 TOA cut short (length 18)|fd123039200100db800c00000000000000000101|1"
		"kind 253 with the IPv4 length|fd081f90c6336407|1"
		"kind 254 with length 12|fe0c1f90c633640700000000|1"
		"two IPv4 TOAs|fe081f90c6336407fe081f91c6336408|1"
		"an IPv4 and an IPv6 TOA|fe081f90c6336407fd14303920010db8000c00000000000000000007|1"
		"a bad option before a TOA|08000101fe081f90c6336407|1"
		"a TOA after EOL|00010101fe081f90c6336407|0"
		"kind 200 (not accepted)|c8081f90c6336407|0"
	)
	local c conns=() nmal=0 i
	for c in "${cases[@]}"; do
		conns+=("opts=$(cut -d'|' -f2 <<<"$c")")
		nmal=$((nmal + $(cut -d'|' -f3 <<<"$c")))
	done
	serve mal 203.0.113.11 8006 ${#cases[@]}
	snap
	check "${#cases[@]} handshakes with malformed or foreign options" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8006 "${conns[@]}"
	wait_until 30 served mal ${#cases[@]}
	for i in "${!cases[@]}"; do
		lb_peer "ignored: $(cut -d'|' -f1 <<<"${cases[$i]}")" mal $((i + 1)) 203.0.113.100
	done
	check_deltas "malformed options are counted" malformed=$nmal syn_recv_sock_no_toa=${#cases[@]} \
		syn_recv_sock_toa=0 entries_alloc=0 getname_toa_ok=0 getname_toa_empty=$((3 * ${#cases[@]}))

	# The accepted kinds are a parameter.
	check "kinds accepts 254,253,200" sh -c "echo 254,253,200 >$TOA_PARAMS/kinds"
	check_eq "kinds reads back" "254,253,200" "$(cat $TOA_PARAMS/kinds)"
	serve k200 203.0.113.11 8007 1
	check "a handshake with a kind-200 TOA" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8007 "toa=198.51.100.7:8080 kind=200"
	wait_until 30 served k200 1
	peer_is "kind 200 is a TOA once accepted" k200 1 198.51.100.7:8080
	for c in 0 1 256 "" abc "254,,253" -5; do
		check_fails "kinds refuses '$c'" sh -c "echo '$c' >$TOA_PARAMS/kinds"
	done
	check_eq "a refused kinds list leaves the old one" "254,253,200" "$(cat $TOA_PARAMS/kinds)"
	check "kinds back to 254,253" sh -c "echo 254,253 >$TOA_PARAMS/kinds"
	check "entries_alloc == entries_free once the connections are closed" wait_until 30 entries_balanced
}

# Fast Open: the child is created from the SYN, whose experimental Fast Open option
# (254, magic 0xF989) must not be taken for a TOA, but the TOA beside it must.
test_fastopen() {
	on toars sysctl -qw net.ipv4.tcp_fastopen=$((0x203))
	serve tfo 203.0.113.11 8008 1 --fastopen
	local before
	before=$(tcpext TCPFastOpenPassive)
	snap
	check "a Fast Open SYN with data and a TOA" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8008 "tfo=1 toa=198.51.100.30:40030"
	wait_until 30 served tfo 1
	check_eq "the connection was opened by Fast Open" 1 $(($(tcpext TCPFastOpenPassive) - before))
	peer_is "TOA on a Fast Open SYN" tfo 1 198.51.100.30:40030
	check_deltas "Fast Open counters match" syn_recv_sock_toa=1 malformed=0 entries_alloc=1
	on toars sysctl -qw net.ipv4.tcp_fastopen=1
	check "entries_alloc == entries_free once the connections are closed" wait_until 30 entries_balanced
}

# Parameters at load time; a bad one fails the load.
test_load_params() {
	check "toa.ko unloads" rmmod toa
	check_fails "/proc/net/toa_stats is gone" test -e /proc/net/toa_stats
	check "toa.ko loads with trusted, kinds and hash_bits" \
		insmod "$TOA_KO" trusted=203.0.113.96/28,2001:db8:5::/64 kinds=254 hash_bits=10
	check_eq "trusted from the command line" "203.0.113.96/28,2001:db8:5::/64" "$(cat $TOA_PARAMS/trusted)"
	check_eq "kinds from the command line" 254 "$(cat $TOA_PARAMS/kinds)"
	check_eq "hash_bits from the command line" 10 "$(cat $TOA_PARAMS/hash_bits)"
	check "toa.ko unloads again" rmmod toa
	check_fails "toa.ko refuses hash_bits=30" insmod "$TOA_KO" hash_bits=30
	check_fails "toa.ko refuses trusted=nonsense" insmod "$TOA_KO" trusted=nonsense
	check_fails "toa.ko refuses kinds=1" insmod "$TOA_KO" kinds=1
}

# Without toa.ko, nothing changes: the load balancer's address, no TOA_SO_GET_LOOKUP.
test_without_module() {
	serve off 203.0.113.11 8009 1
	check "a handshake with a TOA, toa.ko not loaded" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8009 "toa=198.51.100.40:40040"
	wait_until 30 served off 1
	lb_peer "without toa.ko: the load balancer's address" off 1 203.0.113.100
	check_eq "without toa.ko: TOA_SO_GET_LOOKUP is not an option" ENOPROTOOPT "$(field off 1 lookup)"
}

setup
test_stats_everywhere
test_ipv4_listener
test_dualstack_listener
test_syncookies
test_trusted
test_malformed
test_fastopen
check_eq "no probe hit was missed" 0 "$(toa_stat probe_missed)"
test_load_params
test_without_module
finish
