#!/usr/bin/env bash
# Packet fuzzing of a FULLNAT director and of a real server with toa.ko
# (tests/tools/fnat-pktfuzz): malformed IPv4/IPv6 headers, TCP option overruns, TOA
# kinds with every length, UDP lengths, fragments and overlapping fragments, ICMP
# errors quoting cut or lying packets (and live connections), IPv6 extension header
# chains — while two connections (IPv4, IPv6) are held open through the director.
# Afterwards: the counters moved, the held connections still carry data, new ones
# work, every connection drains from the table, the connection cache and toa.ko's
# entries are back to their baseline, and both modules unload.
#
#   client ---------------- director ------------------------ lan --- rs1, rs2 (nginx)
#   198.51.100.2            VIP 192.0.2.10, 2001:db8:10::10            rs1 also: TCP echo
#   2001:db8:c::2           LIP 203.0.113.100, 2001:db8:5::100         :8080, UDP echo :53
#   fuzzer 1: at the VIPs   198.51.100.128/25 routed to the client     fuzzer 2 (rs1): at
#   (from eth0, some        (spoofed sources: their replies die         the LIPs;
#   sources spoofed)        there)                                     fuzzer 3 (rs2): at
#                                                                      rs1 "from" the LIP
#   toa.ko (global) trusts the LIPs.
#
# PKTFUZZ_COUNT (default 6000) frames in all; make fuzz sends 100000+.
. "$(dirname "$0")/lib.sh"

KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko}
TOA_KO=$BUILD/toa.ko
PKTFUZZ=$TOP/tests/tools/fnat-pktfuzz/fnat_pktfuzz.py
COUNT=${PKTFUZZ_COUNT:-6000}
SEED=${PKTFUZZ_SEED:-$RANDOM}
SUMMARY=${FUZZ_SUMMARY:-/dev/null}
HELPER=$TOP/tests/e2e/sockets.py

fnat() { on director "$FNAT_TOOL" "$@"; }
counter() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
toa_stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/toa_stats; }
mac() { on "$1" cat "/sys/class/net/$2/address"; }
conns_are() { [ "$(counter conns)" = "$1" ]; }
# toa.ko's entries are freed once their sockets are (RCU): alloc == free when idle.
toa_balanced() { [ "$(toa_stat entries_alloc)" = "$(toa_stat entries_free)" ]; }

setup() {
	topo_standard
	addr director rs0 203.0.113.100/24 2001:db8:5::100/64
	# Spoofed sources: routed to the client, whose kernel drops what comes back.
	on director ip route add 198.51.100.128/25 via 198.51.100.2
	insmod "$KO" || return 1
	at_exit "rmmod ipvs_fnat"
	insmod "$TOA_KO" trusted=203.0.113.100,2001:db8:5::100 || return 1
	at_exit "rmmod toa"
	nginx_start rs1 rs1 || return 1
	nginx_start rs2 rs2 || return 1
	on rs1 "$PY" "$HELPER" serve 8080 >/dev/null 2>&1 &
	on rs1 "$PY" "$HELPER" serve_udp 53 >/dev/null 2>&1 &
	wait_until 10 on rs1 ss -Htln 'sport = :8080' || return 1
	local v
	for v in 192.0.2.10 '[2001:db8:10::10]'; do
		local rs1=203.0.113.11 rs2=203.0.113.12 lip=203.0.113.100
		[ "$v" != 192.0.2.10 ] && rs1='[2001:db8:5::11]' rs2='[2001:db8:5::12]' lip=2001:db8:5::100
		fnat -A -t "$v:80" -s rr && fnat -a -t "$v:80" -r "$rs1:80" -b &&
			fnat -a -t "$v:80" -r "$rs2:80" -b && fnat -P -t "$v:80" -z "$lip" &&
			fnat -A -t "$v:8080" -s rr && fnat -a -t "$v:8080" -r "$rs1:8080" -b &&
			fnat -P -t "$v:8080" -z "$lip" &&
			fnat -A -u "$v:53" -s rr && fnat -a -u "$v:53" -r "$rs1:53" -b &&
			fnat -P -u "$v:53" -z "$lip" || return 1
	done
	# Connections the fuzzers open (SYNs) go quickly.
	on director sysctl -q -w net.ipvs_fnat.timeout_syn=3 net.ipvs_fnat.timeout_udp=5 \
		net.ipvs_fnat.timeout_tcp_fin=2
}

# conn_field VPORT_SUFFIX FIELD: a field (2 client, 4 local) of the director's
# connection whose virtual side ends with VPORT_SUFFIX, as ADDR:PORT.
conn_field() { on director awk -v v="$1" -v f="$2" 'NR > 1 && index($3, v) && $6 == "ESTABLISHED" { print $f; exit }' /proc/net/ip_vs_fnat_conn; }
# ip_of/port_of of "ADDR:PORT" or "[ADDR]:PORT"
ip_of() { local a=${1%:*}; a=${a#[}; echo "${a%]}"; }
port_of() { echo "${1##*:}"; }

run_fuzz() {
	local c4 c6 l4 l6 n1 n2 n3 before_bad before_noconn before_new t0 out
	rm -f "$E2E_TMP/go"
	on client "$PY" "$HELPER" hold "$E2E_TMP/go" 1 192.0.2.10:8080 '[2001:db8:10::10]:8080' \
		>"$E2E_TMP/hold.out" 2>&1 &
	check "two connections (IPv4, IPv6) held open through the director" \
		wait_until 30 grep -q '^held 2' "$E2E_TMP/hold.out"
	c4=$(conn_field 192.0.2.10:8080 2)
	c6=$(conn_field ']:8080' 2)
	l4=$(conn_field 192.0.2.10:8080 4)
	l6=$(conn_field ']:8080' 4)
	info "held: $c4 via $l4, $c6 via $l6"
	before_bad=$(counter bad_packet_drop)
	before_noconn=$(counter no_conn_drop)
	before_new=$(counter conn_new)
	before_icmp=$(counter icmp_translated)
	snap_toa=$(toa_stat malformed)

	n1=$((COUNT / 2)) n2=$((COUNT * 3 / 10)) n3=$((COUNT - COUNT / 2 - COUNT * 3 / 10))
	t0=$SECONDS
	out=$(on client "$PY" "$PKTFUZZ" --ifname eth0 --dmac "$(mac director cli0)" --count "$n1" \
		--seed "$SEED" --spoof 198.51.100.128/25 \
		--target 4,198.51.100.2,192.0.2.10,6,80 --target 4,198.51.100.2,192.0.2.10,6,8080 \
		--target 4,198.51.100.2,192.0.2.10,17,53 --target 4,198.51.100.2,192.0.2.10,6,81 \
		--target 6,2001:db8:c::2,2001:db8:10::10,6,80 --target 6,2001:db8:c::2,2001:db8:10::10,17,53 \
		--conn "4,6,$(ip_of "$c4"),$(port_of "$c4"),192.0.2.10,8080" \
		--conn "6,6,$(ip_of "$c6"),$(port_of "$c6"),2001:db8:10::10,8080" 2>&1)
	check "fuzzer 1, at the VIPs: $out" grep -q "^sent $n1 " <<<"$out"
	echo "client side ($((SECONDS - t0)) s): $out" >>"$SUMMARY"
	t0=$SECONDS
	out=$(on rs1 "$PY" "$PKTFUZZ" --ifname eth0 --dmac "$(mac director rs0)" --count "$n2" \
		--seed $((SEED + 1)) \
		--target "4,203.0.113.11,203.0.113.100,6,$(port_of "$l4")" \
		--target 4,203.0.113.11,203.0.113.100,6,20000 \
		--target 4,203.0.113.11,203.0.113.100,17,40000 \
		--target "6,2001:db8:5::11,2001:db8:5::100,6,$(port_of "$l6")" \
		--conn "4,6,203.0.113.11,8080,203.0.113.100,$(port_of "$l4")" \
		--conn "6,6,2001:db8:5::11,8080,2001:db8:5::100,$(port_of "$l6")" 2>&1)
	check "fuzzer 2, at the LIPs: $out" grep -q "^sent $n2 " <<<"$out"
	echo "real-server side ($((SECONDS - t0)) s): $out" >>"$SUMMARY"
	t0=$SECONDS
	out=$(on rs2 "$PY" "$PKTFUZZ" --ifname eth0 --dmac "$(mac rs1 eth0)" --count "$n3" \
		--seed $((SEED + 2)) \
		--target 4,203.0.113.100,203.0.113.11,6,80 --target 6,2001:db8:5::100,2001:db8:5::11,6,80 \
		--target 4,203.0.113.100,203.0.113.11,6,8080 2>&1)
	check "fuzzer 3, at a real server with toa.ko: $out" grep -q "^sent $n3 " <<<"$out"
	echo "at the real server with toa.ko ($((SECONDS - t0)) s): $out" >>"$SUMMARY"

	info "director: bad_packet_drop +$(($(counter bad_packet_drop) - before_bad)), no_conn_drop +$(($(counter no_conn_drop) - before_noconn)), conn_new +$(($(counter conn_new) - before_new)), icmp_translated +$(($(counter icmp_translated) - before_icmp)); toa malformed +$(($(toa_stat malformed) - snap_toa))"
	check "malformed segments of connections were dropped and counted (bad_packet_drop)" \
		test "$(counter bad_packet_drop)" -gt "$before_bad"
	check "segments without a connection were dropped and counted (no_conn_drop)" \
		test "$(counter no_conn_drop)" -gt "$before_noconn"
	check "SYNs with odd options still made connections (conn_new)" \
		test "$(counter conn_new)" -gt "$before_new"
	check "ICMP errors quoting the held connections were translated (icmp_translated)" \
		test "$(counter icmp_translated)" -gt "$before_icmp"

	touch "$E2E_TMP/go"
	wait_until 30 grep -q '^still ' "$E2E_TMP/hold.out"
	check_eq "the held connections still carried data after the fuzzing" "still 2" \
		"$(tail -n 1 "$E2E_TMP/hold.out")"
}

after_fuzz() {
	check "a new IPv4 connection works" grep -q '^rs[12] 198.51.100.2$' <(on client curl -s -m 10 http://192.0.2.10/)
	check "a new IPv6 connection works" grep -q '^rs[12] 2001:db8:c::2$' <(on client curl -s -m 10 'http://[2001:db8:10::10]/')
	check "UDP through the director works" on client "$PY" "$HELPER" udp_echo 192.0.2.10 53
	check "every connection drains from the director's table" wait_until 120 conns_are 0
	wait_until 30 slab_active_is fnat_conn 0
	check_eq "fnat_conn active objects back to 0" 0 "$(slab_active fnat_conn)"
	check "toa.ko: every entry freed (entries_alloc == entries_free)" wait_until 60 toa_balanced
	check "toa.ko unloads" rmmod toa
	check "ipvs_fnat unloads" rmmod ipvs_fnat
}

if setup; then
	run_fuzz
	after_fuzz
else
	fail "setup: topology, modules, servers and services"
fi
finish
