#!/usr/bin/env bash
# Scale-out with ECMP (docs/scale-out.md): two directors hold the same VIP, a router
# spreads the clients' connections over both with a layer-4 multipath hash, and each
# director owns its own LIP, which the real servers route back to it, so every reply
# comes back to the director that holds the connection.
#
#   c1 198.51.100.2,.3 ┐              192.0.2.130 ┌ d1  VIP 192.0.2.10 (lo)  rs0 203.0.113.1 ┐
#   c2 198.51.100.4,.5 ├─ br0 ─ router ───────────┤     LIP 192.0.2.201 (lo)                 ├ lan ─ rs1 203.0.113.11
#   c3 198.51.100.6,.7 ┘  198.51.100.1 \          └                                          │       rs2 203.0.113.12
#                                        \ 192.0.2.134 ─ d2  VIP 192.0.2.10 (lo)  rs0 203.0.113.2 ┘   (toa, nginx)
#                                                          LIP 192.0.2.202 (lo)
#   router: 192.0.2.10/32 nexthop via 192.0.2.130 nexthop via 192.0.2.134,
#           net.ipv4.fib_multipath_hash_policy=3, fields 0x37 (addresses, protocol, ports)
#   rs1, rs2: 192.0.2.201 via 203.0.113.1, 192.0.2.202 via 203.0.113.2; no route to
#           the clients. Directors: no ip_forward (FULLNAT sends what it translates).
#   IPv6 alongside: clients 2001:db8:c::N/64 (N = the IPv4 host part), router links
#   2001:db8:1::/64 and 2001:db8:2::/64 (router ::1, director ::2), VIP
#   2001:db8:10::10, LIPs 2001:db8:20::1 (d1) and 2001:db8:20::2 (d2) on lo, real
#   servers 2001:db8:5::11, ::12 with the LIPs routed via 2001:db8:5::1 / ::2,
#   net.ipv6.fib_multipath_hash_policy=3 alike.
# Then director 1 "fails": the router's route loses its next hop, and every new
# connection is served by director 2.
. "$(dirname "$0")/lib.sh"

CLIENTS="c1 c2 c3"
PER_ADDR=8      # connections per client address and family: 3 clients x 2 addresses x 8 = 48

director() {
	local d=$1 n=$2 lip=$3 mac
	ns_add "$d"
	link router "to$d" "$d" up0
	addr router "to$d" "192.0.2.$((125 + 4 * n))/30" "2001:db8:$n::1/64"
	addr "$d" up0 "192.0.2.$((126 + 4 * n))/30" "2001:db8:$n::2/64"
	on "$d" ip route add 198.51.100.0/24 via "192.0.2.$((125 + 4 * n))"
	on "$d" ip -6 route add 2001:db8:c::/64 via "2001:db8:$n::1"
	addr "$d" lo 192.0.2.10/32 "$lip/32" 2001:db8:10::10/128 "2001:db8:20::$n/128"
	link "$d" rs0 lan "$d"
	ip -n lan link set "$d" master br0
	addr "$d" rs0 "203.0.113.$n/24" "2001:db8:5::$n/64"
	# Static neighbour entries for the next hops, as for BGP peers on a point-to-point
	# link: no neighbour discovery between the router and the directors on a loaded
	# emulated machine.
	mac=$(ip -n "$d" -br link show up0 | awk '{ print $3 }')
	ip -n router neigh replace "192.0.2.$((126 + 4 * n))" lladdr "$mac" dev "to$d" nud permanent
	ip -n router -6 neigh replace "2001:db8:$n::2" lladdr "$mac" dev "to$d" nud permanent
}

setup() {
	local i c n
	ns_add router
	ns_add lan
	router router
	# The router hashes the headers, as a real one does. Policy 1 would not, here: over
	# veth a packet keeps the hash its socket gave it (skb->hash), and policy 1 takes
	# any such layer-4 hash as it is, while packets that carry none are hashed from
	# their headers, another function; TCP also draws a new socket hash after a
	# retransmission timeout. Either moves a flow to the other director (the debug
	# kernel, slow enough for timeouts, saw it). Policy 3 with the five-tuple fields
	# (source and destination address, protocol, ports: 0x37) reads the headers only.
	on router sysctl -q -w net.ipv4.fib_multipath_hash_policy=3 net.ipv4.fib_multipath_hash_fields=0x37 \
		net.ipv6.fib_multipath_hash_policy=3 net.ipv6.fib_multipath_hash_fields=0x37
	on router ip link add br0 type bridge
	on router ip link set br0 up
	addr router br0 198.51.100.1/24 2001:db8:c::1/64
	n=2
	for c in $CLIENTS; do
		ns_add "$c"
		link "$c" eth0 router "$c"
		ip -n router link set "$c" master br0
		addr "$c" eth0 "198.51.100.$n/24" "198.51.100.$((n + 1))/24" \
			"2001:db8:c::$n/64" "2001:db8:c::$((n + 1))/64"
		on "$c" ip route add default via 198.51.100.1
		on "$c" ip -6 route add default via 2001:db8:c::1
		n=$((n + 2))
	done
	on lan ip link add br0 type bridge
	on lan ip link set br0 up
	director d1 1 192.0.2.201
	director d2 2 192.0.2.202
	on router ip route add 192.0.2.10/32 nexthop via 192.0.2.130 nexthop via 192.0.2.134
	on router ip -6 route add 2001:db8:10::10/128 nexthop via 2001:db8:1::2 nexthop via 2001:db8:2::2
	for i in 1 2; do
		ns_add "rs$i"
		link "rs$i" eth0 lan "rs$i"
		ip -n lan link set "rs$i" master br0
		addr "rs$i" eth0 "203.0.113.1$i/24" "2001:db8:5::1$i/64"
		on "rs$i" ip route add 192.0.2.201/32 via 203.0.113.1
		on "rs$i" ip route add 192.0.2.202/32 via 203.0.113.2
		on "rs$i" ip -6 route add 2001:db8:20::1/128 via 2001:db8:5::1
		on "rs$i" ip -6 route add 2001:db8:20::2/128 via 2001:db8:5::2
	done

	insmod "$BUILD/ipvs_fnat.ko" || return 1
	at_exit "rmmod ipvs_fnat"
	insmod "$BUILD/toa.ko" trusted=192.0.2.201/32,192.0.2.202/32,2001:db8:20::/126 || return 1
	at_exit "rmmod toa"
	nginx_start rs1 rs1 && nginx_start rs2 rs2 || return 1

	# The same services on both directors, each with its own LIPs.
	for i in 1 2; do
		on "d$i" "$FNAT_TOOL" -A -t 192.0.2.10:80 -s rr &&
			on "d$i" "$FNAT_TOOL" -a -t 192.0.2.10:80 -r 203.0.113.11:80 -b &&
			on "d$i" "$FNAT_TOOL" -a -t 192.0.2.10:80 -r 203.0.113.12:80 -b &&
			on "d$i" "$FNAT_TOOL" -P -t 192.0.2.10:80 -z "192.0.2.20$i" &&
			on "d$i" "$FNAT_TOOL" -A -t '[2001:db8:10::10]:80' -s rr &&
			on "d$i" "$FNAT_TOOL" -a -t '[2001:db8:10::10]:80' -r '[2001:db8:5::11]:80' -b &&
			on "d$i" "$FNAT_TOOL" -a -t '[2001:db8:10::10]:80' -r '[2001:db8:5::12]:80' -b &&
			on "d$i" "$FNAT_TOOL" -P -t '[2001:db8:10::10]:80' -z "2001:db8:20::$i" || return 1
	done
}

stat_of() { on "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }

# addresses FAM: the six client addresses of a family.
addresses() {
	local n
	for n in 2 3 4 5 6 7; do
		if [ "$1" = 4 ]; then echo "198.51.100.$n"; else echo "2001:db8:c::$n"; fi
	done
}

# spread FAM URL OUT [N]: each client address opens N (PER_ADDR) connections one after another
# (a new source port each time); the clients run in parallel. OUT gets one line per
# answer: "<client address> rsN <peer the server saw>".
spread() {
	local fam=$1 url=$2 out=$3 count=${4:-$PER_ADDR} c a n=2 pids=()
	rm -f "$out" "$out".*
	for c in $CLIENTS; do
		for a in $(addresses "$fam" | sed -n "$((n - 1))p;${n}p"); do
			(
				for _ in $(seq "$count"); do
					r=$(on "$c" curl -s -m 10 --interface "$a" "$url") &&
						echo "$a $r" >>"$out.$a"
				done
			) &
			pids+=($!)
		done
		n=$((n + 2))
	done
	wait "${pids[@]}"
	cat "$out".* >"$out" 2>/dev/null
}

svc_conns() {
	on "$1" "$FNAT_TOOL" -L -n --stats --exact -t "$2" | awk '$1 == "TCP" { print $3 }'
}

# test_family FAM VIP URL LIPREGEX: the spread over both directors, for one family.
test_family() {
	local fam=$1 vip=$2 url=$3 lips=$4 out=$E2E_TMP/answers$1 total answered wrong
	local d1 d2 a logs="$E2E_TMP/rs1/access.log $E2E_TMP/rs2/access.log"
	total=$((6 * PER_ADDR))
	spread "$fam" "$url" "$out"
	answered=$(wc -l <"$out")
	check_eq "IPv$fam: all $total connections from 6 client addresses completed" "$total" "$answered"
	wrong=$(awk '$3 != $1' "$out" | wc -l)
	check_eq "IPv$fam: every real server saw the client's own address (toa trusted = the LIPs)" 0 "$wrong"
	d1=$(svc_conns d1 "$vip")
	d2=$(svc_conns d2 "$vip")
	info "IPv$fam connections: d1 ${d1:-?}, d2 ${d2:-?}; no_conn_drop so far: d1 $(stat_of d1 no_conn_drop), d2 $(stat_of d2 no_conn_drop)"
	check "IPv$fam: both directors carried connections (-L --stats: d1 ${d1:-?}, d2 ${d2:-?})" \
		test "${d1:-0}" -gt 0 -a "${d2:-0}" -gt 0
	check_eq "IPv$fam: the directors' connections add up to the $total requests" "$total" \
		"$((${d1:-0} + ${d2:-0}))"
	for a in $(addresses "$fam"); do
		grep -q "^$a GET / HTTP/1.1 200" $logs || { fail "IPv$fam: no access log line for $a"; return; }
	done
	pass "IPv$fam: the access logs list every client address"
	check_fails "IPv$fam: no access log line shows a LIP" grep -qE "^($lips) " $logs
}

# Each director's view of the client side: a capture of the TCP segments to port 80
# arriving on its router link, from before the first connection.
CAPTURES=()
capture_start() {
	local i
	for i in 1 2; do
		# ip netns exec execs tcpdump: $! is tcpdump's own pid.
		ip netns exec "d$i" tcpdump -i up0 -n -U -s 96 -w "$E2E_TMP/d$i.pcap" \
			'tcp dst port 80' >/dev/null 2>&1 &
		CAPTURES+=($!)
	done
	wait_until 10 test -s "$E2E_TMP/d1.pcap" -a -s "$E2E_TMP/d2.pcap"
}

# orphans D: client address.port of segments that reached director D without their
# connection's SYN having reached D (what no_conn_drop counts), with the flags.
orphans() {
	local d=$1 f=$E2E_TMP/$1
	tcpdump -r "$E2E_TMP/$d.pcap" -n 2>/dev/null |
		awk '$2 ~ /^IP/ { print $3, $7 }' >"$f.pkts"
	awk '$2 == "[S]," { print $1 }' "$f.pkts" | sort -u >"$f.syn"
	awk '$2 != "[S]," { print $1 }' "$f.pkts" | sort -u >"$f.rest"
	comm -13 "$f.syn" "$f.rest" | while read -r key; do
		echo "$key at $d: $(awk -v k="$key" '$1 == k { printf "%s ", $2 }' "$f.pkts")"
	done
}

# The property ECMP with a layer-4 hash must give: every segment of a connection
# reaches the director that received its SYN.
test_same_director() {
	local out
	kill -INT "${CAPTURES[@]}" 2>/dev/null
	wait_until 10 bash -c 'for p; do kill -0 "$p" 2>/dev/null && exit 1; done; exit 0' _ "${CAPTURES[@]}"
	out=$(orphans d1; orphans d2)
	if [ -z "$out" ]; then
		pass "every segment of every connection reached the director that got its SYN (captures on both)"
	else
		fail "segments reached a director without their connection's SYN (flow, director, flags):"
		printf '%s\n' "$out" | head -n 20 | sed 's/^/     | /'
	fi
}

test_counters() {
	local n1 n2
	n1=$(stat_of d1 conn_new)
	n2=$(stat_of d2 conn_new)
	check_eq "/proc/net/ip_vs_fnat_stats: the directors' conn_new add up to all $((12 * PER_ADDR)) connections" \
		"$((12 * PER_ADDR))" "$((${n1:-0} + ${n2:-0}))"
	check_eq "no connection was dropped for lack of state (a reply at the wrong director)" "0 0" \
		"$(stat_of d1 no_conn_drop) $(stat_of d2 no_conn_drop)"
	check_eq "the access logs hold exactly the $((12 * PER_ADDR)) requests" "$((12 * PER_ADDR))" \
		"$(cat "$E2E_TMP/rs1/access.log" "$E2E_TMP/rs2/access.log" | wc -l)"
}

# Director 1 fails: the router (as BGP would on a lost session) keeps one next hop.
# New connections all complete, through director 2 only.
test_failover() {
	local before1 before2 out=$E2E_TMP/after
	before1=$(stat_of d1 conn_new)
	before2=$(stat_of d2 conn_new)
	on router ip route replace 192.0.2.10/32 via 192.0.2.134
	spread 4 http://192.0.2.10/ "$out" 4
	check_eq "after director 1 left the route, all 24 new connections completed" \
		24 "$(wc -l <"$out")"
	check_eq "... all of them through director 2" "$before1 $((before2 + 24))" \
		"$(stat_of d1 conn_new) $(stat_of d2 conn_new)"
}

if setup && capture_start; then
	test_family 4 192.0.2.10:80 http://192.0.2.10/ '192\.0\.2\.20[12]'
	test_family 6 '[2001:db8:10::10]:80' 'http://[2001:db8:10::10]/' '2001:db8:20::[12]'
	test_counters
	test_same_director
	test_failover
else
	fail "setup: router, two directors, real servers, modules, nginx, services"
fi
finish
