#!/usr/bin/env bash
# FULLNAT end to end: real clients (curl, socat) through ipvs_fnat.ko to real servers
# (nginx, socat) that run toa.ko, over IPv4 and IPv6, TCP and UDP.
#
#   client ------------- director ------------------ lan bridge --- rs1, rs2
#   198.51.100.2         VIP 192.0.2.10, 2001:db8:10::10 (lo)         203.0.113.11, .12
#   2001:db8:c::2        LIP 203.0.113.100, 2001:db8:5::100 (rs0)     2001:db8:5::11, ::12
#
# The real servers have no route to the client network: every reply must come back to
# the director's LIP and be translated there.
. "$(dirname "$0")/lib.sh"

fnat() { on director "$FNAT_TOOL" "$@"; }

setup() {
	topo_standard
	addr director rs0 203.0.113.100/24 2001:db8:5::100/64
	insmod "$BUILD/ipvs_fnat.ko" || return 1
	at_exit "rmmod ipvs_fnat"
	insmod "$BUILD/toa.ko" || return 1
	at_exit "rmmod toa"
	nginx_start rs1 rs1 && nginx_start rs2 rs2
}

# HTTP to a service: each response names the server and the peer it saw; the access
# logs must show the client, not the LIP.
test_http() {
	local fam=$1 vip=$2 url=$3 lip=$4 r1=$5 r2=$6 client=$7 out i
	fnat -A -t "$vip" -s rr
	fnat -a -t "$vip" -r "$r1" -b
	fnat -a -t "$vip" -r "$r2" -b
	fnat -P -t "$vip" -z "$lip"
	out=""
	for i in 1 2 3 4; do
		out+="$(on client curl -s -m 5 "$url")"$'\n'
	done
	check_eq "$fam: 4 requests answered, 2 by each server, each seeing the client" \
		"2 rs1 $client|2 rs2 $client" \
		"$(echo "$out" | grep -v '^$' | sort | uniq -c | sed 's/^ *//' | paste -sd'|')"
	check "$fam: rs1's nginx access log shows the client address" \
		grep -q "^$client GET / HTTP/1.1 200" "$E2E_TMP/rs1/access.log"
	check_fails "$fam: no access log line shows the LIP" \
		grep -q "^$lip " "$E2E_TMP/rs1/access.log" "$E2E_TMP/rs2/access.log"
	check "$fam: the listing counts 4 connections" \
		grep -qE "^(TCP|  ->).* 4 +" <(fnat -L -n --stats -t "$vip")
}

test_http_v4() {
	test_http IPv4 192.0.2.10:80 http://192.0.2.10/ 203.0.113.100 \
		203.0.113.11:80 203.0.113.12:80 198.51.100.2
}

test_http_v6() {
	test_http IPv6 '[2001:db8:10::10]:80' 'http://[2001:db8:10::10]/' 2001:db8:5::100 \
		'[2001:db8:5::11]:80' '[2001:db8:5::12]:80' 2001:db8:c::2
}

# The estimator turns the counters into rates every 2 s: after traffic, the service's
# packet rate is above zero.
service_rate_up() {
	local pps
	pps=$(fnat -L -n --rate -t 192.0.2.10:80 | awk '$1 == "TCP" { print $4 }')
	[ "${pps:-0}" -gt 0 ]
}
test_rates() {
	local i
	for i in $(seq 20); do on client curl -s -m 5 -o /dev/null http://192.0.2.10/; done
	check "--rate shows the service's packet rate (InPPS)" \
		wait_until 10 service_rate_up
}

# -p: one client's connections all go to one server for the persistence timeout;
# when that server is deleted, the client is scheduled anew.
test_persistence() {
	local first others after i
	fnat -A -t 192.0.2.10:8080 -s rr -p 60
	fnat -a -t 192.0.2.10:8080 -r 203.0.113.11:80 -b
	fnat -a -t 192.0.2.10:8080 -r 203.0.113.12:80 -b
	fnat -P -t 192.0.2.10:8080 -z 203.0.113.100
	first=$(on client curl -s -m 5 http://192.0.2.10:8080/ | awk '{ print $1 }')
	others=0
	for i in 1 2 3 4 5; do
		[ "$(on client curl -s -m 5 http://192.0.2.10:8080/ | awk '{ print $1 }')" = "$first" ] ||
			others=$((others + 1))
	done
	check_eq "persistent service: 6 connections of one client, all to ${first:-?}" 0 "$others"
	fnat -d -t 192.0.2.10:8080 -r "203.0.113.1${first#rs}:80"
	after=$(on client curl -s -m 5 http://192.0.2.10:8080/ | awk '{ print $1 }')
	check "after ${first:-?} is deleted, the client goes to the other server ($after)" \
		test -n "$after" -a "$after" != "$first"
	fnat -D -t 192.0.2.10:8080
}

test_counters() {
	local toa
	toa=$(on director awk '$1 == "toa_added" { print $2 }' /proc/net/ip_vs_fnat_stats)
	check "the TOA was added to the handshake-completing segments (toa_added=$toa)" \
		test "${toa:-0}" -ge 8
	check "no packet was dropped for a bad header" \
		on director awk '$1 == "bad_packet_drop" && $2 != 0 { exit 1 }' /proc/net/ip_vs_fnat_stats
}

test_udp() {
	local fam=$1 vip=$2 rip=$3 lip=$4 target=$5 reply i
	# PIPE echoes each datagram back without starting a process per datagram.
	on rs1 socat -T10 "UDP${fam}-RECVFROM:5353,fork,reuseaddr" PIPE &
	wait_until 5 on rs1 ss -Huln 'sport = :5353'
	fnat -A -u "$vip" -s rr
	fnat -a -u "$vip" -r "$rip" -b
	fnat -P -u "$vip" -z "$lip"
	# UDP may lose a datagram under load: up to three tries, as a client would.
	for i in 1 2 3; do
		reply=$(echo "ping-$fam" | on client socat -t5 -T5 - "UDP${fam}:$target")
		[ "$reply" = "ping-$fam" ] && break
	done
	check_eq "UDP over IPv$fam: the echo comes back through the director" "ping-$fam" "$reply"
}

test_no_conntrack() {
	local before after
	modprobe nf_conntrack
	on director nft add table inet ct_probe
	on director nft add chain inet ct_probe c '{ type filter hook prerouting priority 0; }'
	on director nft add rule inet ct_probe c ct state new counter
	before=$(on director cat /proc/sys/net/netfilter/nf_conntrack_count)
	on client curl -s -m 5 -o /dev/null http://192.0.2.10/
	after=$(on director cat /proc/sys/net/netfilter/nf_conntrack_count)
	check_eq "FULLNAT traffic creates no conntrack entries in the director" "$before" "$after"
}

test_unload_live() {
	# A connection held open: socat to nginx, its input kept open by sleep.
	sleep "$(scaled 30)" | on client socat -T"$(scaled 30)" - TCP:192.0.2.10:80 >/dev/null 2>&1 &
	wait_until 5 on director grep -q ESTABLISHED /proc/net/ip_vs_fnat_conn
	check "a live connection is listed in /proc/net/ip_vs_fnat_conn" \
		on director grep -q "^TCP 198.51.100.2:.* 192.0.2.10:80 203.0.113.100:.* ESTABLISHED" \
		/proc/net/ip_vs_fnat_conn
	check "ipvsadm-fnat -L -n -c lists it" \
		grep -qE "^TCP .*ESTABLISHED +198\.51\.100\.2:[0-9]+ +192\.0\.2\.10:80 +203\.0\.113\.100:[0-9]+ +203\.0\.113\.1[12]:80" \
		<(fnat -L -n -c)
	check "ipvs_fnat.ko unloads with live connections and services" rmmod ipvs_fnat
}

if setup; then
	test_http_v4
	test_http_v6
	test_rates
	test_persistence
	test_counters
	test_udp 4 192.0.2.10:53 203.0.113.11:5353 203.0.113.100 192.0.2.10:53
	test_udp 6 '[2001:db8:10::10]:53' '[2001:db8:5::11]:5353' 2001:db8:5::100 '[2001:db8:10::10]:53'
	test_no_conntrack
	test_unload_live
else
	fail "setup: topology, modules and nginx"
fi
finish
