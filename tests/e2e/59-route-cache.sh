#!/usr/bin/env bash
# The routes the director keeps (docs/benchmarks.md, "Route cache"): to the real
# servers, per LIP, and for replies, to the clients, per service: once warm, packets
# take no route lookup either way; when a route changes, the very next packet follows
# it; deleting a LIP or a real server under traffic, and unloading the module, leave
# nothing behind.
#
#                     ====== link C ======                ====== link A =======
#   client  eth0 198.51.100.66/26   cli0 .65  director  ra0 203.0.113.1/24   ra0 .2  rs
#                2001:db8:e::2/64        ::1              2001:db8:a::1/64     ::2
#                     ====== link D ======                ====== link B =======
#           eth1 198.51.100.130/26  cli1 .129           rb0 192.0.2.65/26    rb0 .66
#                2001:db8:d::2/64        ::1              2001:db8:b::1/64     ::2
#   The client is 198.51.100.2, 2001:db8:c::2 (its lo), sending over link C; the
#   director routes it via link C or D as each scenario sets. VIP 192.0.2.10,
#   2001:db8:10::10 (director lo); LIPs 192.0.2.20-22, 2001:db8:20::1 (lo). Real
#   servers on rs's lo: 192.0.2.200, 192.0.2.201, 2001:db8:99::200, routed by the
#   director via link A or B; each echoes every datagram to port 5000 back.
#   rs counts the datagrams arriving on each link (nft counters a, b), the client
#   the echoes (c, d).
. "$(dirname "$0")/lib.sh"

VIP4=192.0.2.10
VIP6=2001:db8:10::10
RS4=192.0.2.200
RS4B=192.0.2.201
RS6=2001:db8:99::200

fnat() { on director "$FNAT_TOOL" "$@"; }
stat_of() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
# count LINK: datagrams to port 5000 that reached rs over link a or b, or their
# echoes that reached the client over link c or d.
count() {
	local ns=rs
	case $1 in c | d) ns=client ;; esac
	on $ns nft list counter inet rc "$1" | awk '$1 == "packets" { print $2 }'
}
count_is() { [ "$(count "$1")" = "$2" ]; }

# send HOST SPORT [N]: N (default 1) datagrams from the client's port SPORT to HOST:5000.
send() {
	on client python3 -c '
import socket, sys
host, sport, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
for _ in range(n):
    s.sendto(b"route-cache", (host, 5000))
' "$1" "$2" "${3:-1}"
}

# echo_server: on rs, every datagram to a real server's port 5000 is sent back from
# that address (one socket per address, so that the reply's source is the real
# server, not whatever address routing would pick).
echo_server() {
	on rs python3 -c '
import select, socket
socks = []
for fam, a in ((socket.AF_INET, "'$RS4'"), (socket.AF_INET, "'$RS4B'"), (socket.AF_INET6, "'$RS6'")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((a, 5000))
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)
'
}

setup() {
	local ns
	for ns in client director rs; do
		ns_add $ns
		# Packets come in over one link and their answers may leave by another.
		on $ns sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
	link client eth0 director cli0
	link client eth1 director cli1
	addr client lo 198.51.100.2/32 2001:db8:c::2/128
	addr client eth0 198.51.100.66/26 2001:db8:e::2/64
	addr client eth1 198.51.100.130/26 2001:db8:d::2/64
	addr director cli0 198.51.100.65/26 2001:db8:e::1/64
	addr director cli1 198.51.100.129/26 2001:db8:d::1/64
	on client ip route add default via 198.51.100.65 src 198.51.100.2
	on client ip -6 route add default via 2001:db8:e::1 src 2001:db8:c::2
	link director ra0 rs ra0
	link director rb0 rs rb0
	addr director ra0 203.0.113.1/24 2001:db8:a::1/64
	addr rs ra0 203.0.113.2/24 2001:db8:a::2/64
	addr director rb0 192.0.2.65/26 2001:db8:b::1/64
	addr rs rb0 192.0.2.66/26 2001:db8:b::2/64
	addr director lo $VIP4/32 $VIP6/128 192.0.2.20/32 192.0.2.21/32 192.0.2.22/32 2001:db8:20::1/128
	addr rs lo $RS4/32 $RS4B/32 $RS6/128
	on rs ip route add 192.0.2.16/28 via 203.0.113.1
	on rs ip -6 route add 2001:db8:20::/64 via 2001:db8:a::1
	routes_a
	routes_c
	on rs nft -f - <<-'EOF' || return 1
	table inet rc {
		counter a { }
		counter b { }
		chain pre {
			type filter hook prerouting priority -300;
			iifname "ra0" udp dport 5000 counter name "a"
			iifname "rb0" udp dport 5000 counter name "b"
		}
	}
	EOF
	on client nft -f - <<-'EOF' || return 1
	table inet rc {
		counter c { }
		counter d { }
		chain pre {
			type filter hook prerouting priority -300;
			iifname "eth0" udp sport 5000 counter name "c"
			iifname "eth1" udp sport 5000 counter name "d"
		}
	}
	EOF
	echo_server &
	insmod "$BUILD/ipvs_fnat.ko" || return 1
	at_exit "rmmod ipvs_fnat"
	fnat -A -u $VIP4:5000 -s rr && fnat -a -u $VIP4:5000 -r $RS4:5000 -b || return 1
	fnat -A -u [$VIP6]:5000 -s rr && fnat -a -u [$VIP6]:5000 -r [$RS6]:5000 -b || return 1
	local l
	for l in 192.0.2.20 192.0.2.21 192.0.2.22; do fnat -P -u $VIP4:5000 -z $l || return 1; done
	fnat -P -u [$VIP6]:5000 -z 2001:db8:20::1
}

# routes_c: the client routed via link C.
routes_c() {
	on director ip route replace 198.51.100.2/32 via 198.51.100.66
	on director ip -6 route replace 2001:db8:c::2/128 via 2001:db8:e::2
}

# routes_a: every real server routed via link A's gateway (a device going down
# takes its routes with it).
routes_a() {
	on director ip route replace $RS4/32 via 203.0.113.2
	on director ip route replace $RS4B/32 via 203.0.113.2
	on director ip -6 route replace $RS6/128 via 2001:db8:a::2
}

# kernel_link ADDR FROM: the link (a, b, c or d) the director's routing table sends
# packets from FROM to ADDR over, as `ip route get` says.
kernel_link() {
	on director ip route get "$1" from "$2" | awk '{
		for (i = 1; i < NF; i++)
			if ($i == "dev") {
				l = $(i + 1)
				print l == "ra0" ? "a" : l == "rb0" ? "b" : l == "cli0" ? "c" : l == "cli1" ? "d" : l
				exit
			}
	}'
}

# arrives_via LINK OTHER ADDR FROM HOST SPORT WHAT: the routing table sends packets
# from FROM to ADDR over LINK now, and of one more datagram of the flow from the
# client's SPORT to HOST (or its echo, for links c and d) one copy arrives over it,
# none over OTHER.
arrives_via() {
	local link=$1 other=$2 addr=$3 from=$4 host=$5 sport=$6 what=$7 a0 b0 k
	k=$(kernel_link "$addr" "$from")
	if [ "$k" != "$link" ]; then
		fail "$what (the routing table says link ${k:-none})"
		return
	fi
	a0=$(count "$link") b0=$(count "$other")
	send "$host" "$sport"
	if wait_until 5 count_is "$link" $((a0 + 1)) && count_is "$other" "$b0"; then
		pass "$what"
	else
		fail "$what (link $link: $a0 -> $(count "$link"), link $other: $b0 -> $(count "$other"))"
	fi
}

# one_packet_via LINK RS HOST SPORT WHAT: towards the real server RS, over link a or b.
one_packet_via() {
	local from=192.0.2.20
	case $2 in *:*) from=2001:db8:20::1 ;; esac
	arrives_via "$1" "$([ "$1" = a ] && echo b || echo a)" "$2" "$from" "$3" "$4" "$5"
}

# echo_via LINK HOST SPORT WHAT: the echo of a datagram to the VIP HOST reaches the
# client over link c or d.
echo_via() {
	local client=198.51.100.2
	case $2 in *:*) client=2001:db8:c::2 ;; esac
	arrives_via "$1" "$([ "$1" = c ] && echo d || echo c)" "$client" "$2" "$2" "$3" "$4"
}

# warm FAMILY: a flow's packets after its first look no route up, either way.
scenario_warm() {
	local v=$1 host=$VIP4 sport=4000 r0 a0 c0
	[ "$v" = 6 ] && host=$VIP6
	a0=$(count a) c0=$(count c)
	send $host $sport
	wait_until 5 count_is c $((c0 + 1))
	r0=$(stat_of route_lookups) a0=$(count a) c0=$(count c)
	send $host $sport 50
	wait_until 5 count_is c $((c0 + 50))
	check_eq "IPv$v: 50 packets of a warm flow all forwarded" "$((a0 + 50))" "$(count a)"
	check_eq "IPv$v: ... and their 50 echoes" "$((c0 + 50))" "$(count c)"
	check_eq "IPv$v: ... and none of the 100 looked its route up (route_lookups)" "$r0" "$(stat_of route_lookups)"
}

# nexthop FAMILY: the real server's route moves to link B, then back to A.
scenario_nexthop() {
	local v=$1 host=$VIP4 sport=4001 rs=$RS4 gwa=203.0.113.2 gwb=192.0.2.66 ip=ip
	if [ "$v" = 6 ]; then
		host=$VIP6 rs=$RS6 gwa=2001:db8:a::2 gwb=2001:db8:b::2 ip="ip -6"
	fi
	one_packet_via a $rs $host $sport "IPv$v: the flow goes over link A"
	on director $ip route replace $rs via $gwb
	one_packet_via b $rs $host $sport "IPv$v: new next hop on link B: the next packet follows"
	on director $ip route replace $rs via $gwa
	one_packet_via a $rs $host $sport "IPv$v: next hop back on link A: the next packet follows"
}

# linkdown FAMILY: A is preferred (metric 10), B the fallback (metric 20); A's device
# goes down, then comes back and is routed again.
scenario_linkdown() {
	local v=$1 host=$VIP4 sport=4002 rs=$RS4 gwa=203.0.113.2 gwb=192.0.2.66 ip=ip
	if [ "$v" = 6 ]; then
		host=$VIP6 rs=$RS6 gwa=2001:db8:a::2 gwb=2001:db8:b::2 ip="ip -6"
	fi
	on director $ip route del $rs
	on director $ip route add $rs via $gwa metric 10
	one_packet_via a $rs $host $sport "IPv$v: routed via link A (metric 10), the flow takes it"
	on director $ip route add $rs via $gwb metric 20
	on director ip link set ra0 down
	one_packet_via b $rs $host $sport "IPv$v: link A's device down: the next packet leaves on link B (metric 20)"
	on director ip link set ra0 up
	# IPv6 drops the device's addresses when it goes down; both families its routes.
	addr director ra0 2001:db8:a::1/64
	wait_until 10 on director ip -6 route get 2001:db8:a::2
	wait_until 10 on director ip route get 203.0.113.2
	on director $ip route del $rs via $gwb metric 20
	routes_a
	one_packet_via a $rs $host $sport "IPv$v: link A up and routed again: the next packet is back on it"
}

# moved: the real server moves from behind a gateway on link A into a subnet of
# link B, where it is on-link (ARP, no gateway).
scenario_moved() {
	local sport=4003
	one_packet_via a $RS4 $VIP4 $sport "IPv4: the real server is behind 203.0.113.2 on link A"
	on director ip route del $RS4/32
	on rs ip addr del $RS4/32 dev lo
	addr rs rb0 $RS4/26
	addr director rb0 192.0.2.193/26
	one_packet_via b $RS4 $VIP4 $sport "IPv4: moved into 192.0.2.192/26 on link B: the next packet finds it there"
	on director ip addr del 192.0.2.193/26 dev rb0
	on rs ip addr del $RS4/26 dev rb0
	addr rs lo $RS4/32
	on director ip route add $RS4/32 via 203.0.113.2
	one_packet_via a $RS4 $VIP4 $sport "IPv4: moved back behind link A's gateway: followed again"
}

# reply_nexthop FAMILY: the client's route moves to link D, then back to C; the
# echoes follow.
scenario_reply_nexthop() {
	local v=$1 host=$VIP4 sport=4004 cl=198.51.100.2 gwc=198.51.100.66 gwd=198.51.100.130 ip=ip
	if [ "$v" = 6 ]; then
		host=$VIP6 cl=2001:db8:c::2 gwc=2001:db8:e::2 gwd=2001:db8:d::2 ip="ip -6"
	fi
	echo_via c $host $sport "IPv$v: the replies go over link C"
	on director $ip route replace $cl via $gwd
	echo_via d $host $sport "IPv$v: the client's next hop on link D: the next reply follows"
	on director $ip route replace $cl via $gwc
	echo_via c $host $sport "IPv$v: next hop back on link C: the next reply follows"
}

# reply_linkdown FAMILY: the client routed via link D (metric 10), C the fallback
# (metric 20); D's device goes down, then comes back and is routed again.
scenario_reply_linkdown() {
	local v=$1 host=$VIP4 sport=4005 cl=198.51.100.2 gwc=198.51.100.66 gwd=198.51.100.130 ip=ip
	if [ "$v" = 6 ]; then
		host=$VIP6 cl=2001:db8:c::2 gwc=2001:db8:e::2 gwd=2001:db8:d::2 ip="ip -6"
	fi
	on director $ip route del $cl
	on director $ip route add $cl via $gwd metric 10
	on director $ip route add $cl via $gwc metric 20
	echo_via d $host $sport "IPv$v: the client routed via link D (metric 10), the replies take it"
	on director ip link set cli1 down
	echo_via c $host $sport "IPv$v: link D's device down: the next reply leaves on link C (metric 20)"
	on director ip link set cli1 up
	addr director cli1 2001:db8:d::1/64
	wait_until 10 on director ip -6 route get 2001:db8:d::2
	wait_until 10 on director ip route get 198.51.100.130
	on director $ip route add $cl via $gwd metric 10 2>/dev/null
	echo_via d $host $sport "IPv$v: link D up and routed again: the next reply is back on it"
	on director $ip route del $cl via $gwd metric 10
	on director $ip route del $cl via $gwc metric 20
	routes_c
}

# stream STOPFILE: datagrams from 64 client ports to the IPv4 VIP until STOPFILE
# exists (a few thousand a second at most).
stream() {
	on client python3 -c '
import os, socket, sys, time
stop = sys.argv[1]
socks = []
for p in range(5000, 5064):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", p))
    socks.append(s)
while not os.path.exists(stop):
    for s in socks:
        s.sendto(b"stream", ("192.0.2.10", 5000))
    time.sleep(0.01)
' "$1"
}

growing() {	# growing LINK: more datagrams arrive over LINK within 5 s
	local c0
	c0=$(count "$1")
	wait_until 5 sh -c "[ \$(ip netns exec rs nft list counter inet rc $1 | awk '\$1 == \"packets\" { print \$2 }') -gt $c0 ]"
}

# conns_of ADDR: the director's connections whose LIP or real server is ADDR.
conns_of() { fnat -L -c -n | awk -v a="$1" 'index($0, a ":") { n++ } END { print n + 0 }'; }

# deletions: a LIP, then a real server, then the module, each with the stream running
# and the routes warm.
scenario_deletions() {
	local stop=$E2E_TMP/stream.stop pid
	fnat -a -u $VIP4:5000 -r $RS4B:5000 -b || { fail "second real server"; return; }
	rm -f "$stop"
	stream "$stop" &
	pid=$!
	wait_until 10 sh -c "[ \$(ip netns exec director awk '\$1 == \"conns\" { print \$2 }' /proc/net/ip_vs_fnat_stats) -ge 64 ]"
	check "the stream runs over its 64 flows and all three LIPs" \
		sh -c "[ $(conns_of 192.0.2.21) -gt 0 ] && [ $(conns_of 192.0.2.22) -gt 0 ]"
	check "LIP 192.0.2.21 deleted under traffic" fnat -Q -u $VIP4:5000 -z 192.0.2.21
	check_eq "... its connections are gone" 0 "$(conns_of 192.0.2.21)"
	check "... and the flows carry on over the other LIPs" growing a
	check "real server $RS4 deleted under traffic" fnat -d -u $VIP4:5000 -r $RS4:5000
	check_eq "... its connections are gone" 0 "$(conns_of $RS4)"
	check "... and the flows carry on to $RS4B" growing a
	check "rmmod ipvs_fnat with the stream running" rmmod ipvs_fnat
	touch "$stop"
	wait $pid
}

setup || { fail "setup"; finish; }
scenario_warm 4
scenario_warm 6
scenario_nexthop 4
scenario_nexthop 6
scenario_linkdown 4
scenario_linkdown 6
scenario_moved
scenario_reply_nexthop 4
scenario_reply_nexthop 6
scenario_reply_linkdown 4
scenario_reply_linkdown 6
scenario_deletions
finish
