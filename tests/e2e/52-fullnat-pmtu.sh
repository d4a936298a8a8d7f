#!/usr/bin/env bash
# ICMP errors through FULLNAT (icmp.c), IPv4 and IPv6: path-MTU discovery in both
# directions with multi-megabyte transfers, port unreachable both ways, time exceeded,
# and malformed errors.
#
#   client ------------- director ------------------ lan bridge --- rs1 (rs2 idle)
#   198.51.100.2  eth0   cli0  VIP 192.0.2.10, 2001:db8:10::10 (lo)   203.0.113.11
#   2001:db8:c::2        rs0   LIP 203.0.113.100, 2001:db8:5::100     2001:db8:5::11
#
#   upload (client -> RS):   rs0, the bridge and the RS ends at MTU 1300, the RS
#                            advertising an MSS for 1500 (advmss on its route to the
#                            LIP): the director's own stack answers the client's
#                            translated segments with "frag needed" / "packet too big"
#                            to the LIP, which must reach the client from the VIP.
#   download (RS -> client): cli0 and the client's eth0 at MTU 1300, the client
#                            advertising an MSS for 1500: the director answers the
#                            RS's translated segments to the VIP, which must reach the
#                            RS from the LIP.
#   unreachable:             UDP to a closed port of the RS (its error to the LIP goes
#                            to the client) and an answer to the client's closed port
#                            (its error to the VIP goes to the RS).
#   time exceeded, frag needed about UDP (with and without the TOA), malformed:
#                            hand-made errors (52-icmp-helper.py inject).
#
# Services: TCP 80 (nginx) and 9000 (socat upload sink), UDP 53 -> 5353 (python echo),
# 54 -> 5354 (late answer), 9999 (closed); all to rs1 through one LIP per family.
. "$(dirname "$0")/lib.sh"

KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko} # FNAT_KO: test another build of the module
HELPER=$TOP/tests/e2e/52-icmp-helper.py
SIZE=$((4 * 1024 * 1024))
VIP4=192.0.2.10 VIP6=2001:db8:10::10
LIP4=203.0.113.100 LIP6=2001:db8:5::100
RIP4=203.0.113.11 RIP6=2001:db8:5::11
C4=198.51.100.2 C6=2001:db8:c::2

fnat() { on director "$FNAT_TOOL" "$@"; }
helper() {
	local ns=$1
	shift
	on "$ns" "$PY" "$HELPER" "$@"
}
stat_of() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# nstat_of NS COUNTER: a kernel SNMP counter of namespace NS (absolute, history untouched).
nstat_of() { on "$1" nstat -asz "$2" | awk -v k="$2" '$1 == k { print $2 }'; }

# Per family: the addresses as the helpers and the tools want them.
fam() {
	if [ "$1" = 4 ]; then
		VIP=$VIP4 LIP=$LIP4 RIP=$RIP4 C=$C4 VIPB=$VIP4 RIPB=$RIP4
	else
		VIP=$VIP6 LIP=$LIP6 RIP=$RIP6 C=$C6 VIPB="[$VIP6]" RIPB="[$RIP6]"
	fi
}

setup() {
	local v p
	topo_standard
	addr director rs0 203.0.113.100/24 2001:db8:5::100/64
	insmod "$KO" || return 1
	at_exit "rmmod ipvs_fnat"
	insmod "$BUILD/toa.ko" || return 1
	at_exit "rmmod toa"
	nginx_start rs1 rs1 || return 1
	head -c "$SIZE" /dev/urandom >"$E2E_TMP/rs1/big"
	cp "$E2E_TMP/rs1/big" "$E2E_TMP/data"
	# (A python echo: socat's fork + EXEC:cat child can be killed before it answers
	# when the guest is slow.)
	for v in 4 6; do
		helper rs1 udp-echo "$v" 5353 >"$E2E_TMP/echo$v" 2>&1 &
		wait_until 60 grep -q '^ready' "$E2E_TMP/echo$v" || return 1
	done
	for v in 4 6; do
		fam $v
		for p in 80 9000; do
			fnat -A -t "$VIPB:$p" -s rr &&
				fnat -a -t "$VIPB:$p" -r "$RIPB:$p" -b &&
				fnat -P -t "$VIPB:$p" -z "$LIP" || return 1
		done
		for p in 53:5353 54:5354 9999:9999; do
			fnat -A -u "$VIPB:${p%:*}" -s rr &&
				fnat -a -u "$VIPB:${p%:*}" -r "$RIPB:${p#*:}" -b &&
				fnat -P -u "$VIPB:${p%:*}" -z "$LIP" || return 1
		done
	done
}

# capture_start NS IF FILE: record the ICMP and TCP seen on IF of NS into FILE (CAP_PID).
capture_start() {
	ip netns exec "$1" tcpdump -Z root -i "$2" -U -s 0 -w "$3" 'icmp or icmp6 or tcp' \
		2>"$3.log" &
	CAP_PID=$!
	at_exit "kill $CAP_PID"
	wait_until 10 grep -q "listening on" "$3.log"
}
capture_stop() {
	kill -INT "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
}

# The real-server side of the director at 1300 bytes, the RS advertising an MSS for a
# 1500-byte path to the LIP (as when the small hop is in the middle of the path).
rs_side_mtu() {
	local mtu=$1 i
	on director ip link set rs0 mtu "$mtu"
	for i in d0 rs1 rs2; do on lan ip link set "$i" mtu "$mtu"; done
	for i in 1 2; do on "rs$i" ip link set eth0 mtu "$mtu"; done
	if [ "$mtu" -lt 1500 ]; then
		on rs1 ip route add "$LIP4/32" dev eth0 advmss 1460
		on rs1 ip -6 route add "$LIP6/128" dev eth0 advmss 1440
	else
		on rs1 ip route del "$LIP4/32"
		on rs1 ip -6 route del "$LIP6/128"
	fi
	on rs1 ip route flush cache
	on rs1 ip -6 route flush cache
}

# The client side at 1300 bytes, the client advertising an MSS for 1500.
client_side_mtu() {
	on director ip link set cli0 mtu 1300
	on client ip link set eth0 mtu 1300
	on client ip route replace default via 198.51.100.1 advmss 1460
	on client ip -6 route replace default via 2001:db8:c::1 advmss 1440
	on client ip route flush cache
	on client ip -6 route flush cache
}

# --- scenarios ----------------------------------------------------------------------

# Direction client <- RS, from a remote host: the RS's port unreachable to the LIP.
test_unreach_to_client() {
	local v=$1 origin type code out
	fam "$v"
	if [ "$v" = 4 ]; then origin=2 type=3 code=3; else origin=3 type=1 code=4; fi
	out=$(helper client udp-refused "$v" "$VIP" 9999 2>&1)
	check_eq "IPv$v: UDP to a closed port on the RS: the client is refused by the VIP, about the VIP" \
		"errno=111 origin=$origin type=$type code=$code offender=$VIP about=$VIP:9999" \
		"$(echo "$out" | sed 's/^err //; s/ info=[0-9]*//')"
}

# Direction client -> RS, from a remote host: the client's port unreachable to the VIP.
test_unreach_to_rs() {
	local v=$1 origin type code out pid
	fam "$v"
	if [ "$v" = 4 ]; then origin=2 type=3 code=3; else origin=3 type=1 code=4; fi
	helper rs1 udp-serve-refused "$v" 5354 >"$E2E_TMP/refused$v" 2>&1 &
	pid=$!
	wait_until 60 grep -q '^ready' "$E2E_TMP/refused$v"
	helper client udp-send-close "$v" "$VIP" 54
	wait "$pid"
	out=$(sed '/^ready/d; s/^err //; s/ info=[0-9]*//' "$E2E_TMP/refused$v")
	check "IPv$v: the RS's late UDP answer to a closed client port is refused by the LIP, about the LIP ($out)" \
		grep -qE "^errno=111 origin=$origin type=$type code=$code offender=$LIP about=$LIP:[0-9]+$" \
		<<<"$out"
}

# A live UDP flow; a time exceeded from the real-server side reaches the client; then
# malformed errors about the same flow from both sides are ignored or dropped and
# counted, and the module carries on.
test_time_exceeded_and_malformed() {
	local v=$1 hold pid cport lport c type toa out bad0 tr0 bad1 tr1 c_cases r_cases
	fam "$v"
	hold=$E2E_TMP/hold$v
	helper client udp-hold "$v" "$VIP" 53 300 >"$hold" 2>&1 &
	pid=$!
	if ! wait_until 60 grep -q '^port=' "$hold"; then
		fail "IPv$v: a UDP flow through the VIP for the time-exceeded test"
		sed 's/^/     | /' "$hold"
		return
	fi
	cport=$(sed -n 's/^port=//p' "$hold")
	if [ "$v" = 4 ]; then c="$C:$cport" type=11; else c="[$C]:$cport" type=3; fi
	lport=$(on director awk -v c="$c" '$1 == "UDP" && $2 == c { n = split($4, a, ":"); print a[n] }' \
		/proc/net/ip_vs_fnat_conn)
	if [ -z "$lport" ]; then
		fail "IPv$v: the UDP flow is listed in /proc/net/ip_vs_fnat_conn"
		return
	fi
	tr0=$(stat_of icmp_translated)
	helper rs1 inject "$v" --src "$RIP" --dst "$LIP" --inner-src "$LIP" --inner-sport "$lport" \
		--inner-dst "$RIP" --inner-dport 5353 time-exceeded >/dev/null
	wait_until 20 grep -q '^err' "$hold"
	out=$(grep -m1 '^err' "$hold" | sed 's/^err //; s/ info=[0-9]*//')
	check_eq "IPv$v: a time exceeded from the RS side about LIP:$lport reaches the client from the VIP" \
		"errno=113 origin=$((v == 4 ? 2 : 3)) type=$type code=0 offender=$VIP about=$VIP:53" "$out"
	check_eq "IPv$v: ... counted once in icmp_translated" "$((tr0 + 1))" "$(stat_of icmp_translated)"

	# "Frag needed" / "packet too big" about the flow: the client is told the MTU less
	# the TOA's length while the TOA is on (its path MTU to the VIP is shared with TCP
	# connections that may carry it), the MTU as is when it is off.
	if [ "$v" = 4 ]; then type="origin=2 type=3 code=4" toa=8; else type="origin=3 type=2 code=0" toa=20; fi
	helper rs1 inject "$v" --src "$RIP" --dst "$LIP" --inner-src "$LIP" --inner-sport "$lport" \
		--inner-dst "$RIP" --inner-dport 5353 --mtu 1400 frag-needed >/dev/null
	wait_until 20 test "$(grep -c '^err' "$hold")" -ge 2
	check_eq "IPv$v: a frag needed (MTU 1400) from the RS side reaches the client with MTU $((1400 - toa))" \
		"errno=90 $type info=$((1400 - toa)) offender=$VIP about=$VIP:53" \
		"$(grep '^err' "$hold" | sed -n '2s/^err //p')"
	on director sysctl -q -w net.ipvs_fnat.toa=0
	helper rs1 inject "$v" --src "$RIP" --dst "$LIP" --inner-src "$LIP" --inner-sport "$lport" \
		--inner-dst "$RIP" --inner-dport 5353 --mtu 1400 frag-needed >/dev/null
	wait_until 20 test "$(grep -c '^err' "$hold")" -ge 3
	on director sysctl -q -w net.ipvs_fnat.toa=1
	check_eq "IPv$v: ... and with MTU 1400 as is when the TOA is off (net.ipvs_fnat.toa=0)" \
		"errno=90 $type info=1400 offender=$VIP about=$VIP:53" \
		"$(grep '^err' "$hold" | sed -n '3s/^err //p')"
	on client ip "-$v" route flush cache

	# Malformed errors. From the client's side, about VIP:53 -> C:cport (would go to
	# the RS), and from the RS's side, about LIP:lport -> RIP:5353 (would go to the
	# client). Expected: the ones about the flow with less than 8 bytes of UDP header
	# or a bad ICMP checksum are dropped (bad_packet_drop); a lying length in the
	# embedded IP header (and, IPv6, an extension header before UDP) is translated;
	# the rest does not name the flow and is left to the stack.
	if [ "$v" = 4 ]; then
		c_cases="l4-4bytes bad-csum ip-trunc ihl-long ihl-short ver6 frag-later icmp-short len-lie"
		r_cases="l4-4bytes bad-csum ihl-long ip-trunc"
	else
		c_cases="l4-4bytes bad-csum ip-trunc hbh-overrun frag-later icmp-short destopt-len-lie"
		r_cases="l4-4bytes bad-csum hbh-overrun ip-trunc"
	fi
	bad0=$(stat_of bad_packet_drop)
	tr0=$(stat_of icmp_translated)
	# shellcheck disable=SC2086
	helper client inject "$v" --src "$C" --dst "$VIP" --inner-src "$VIP" --inner-sport 53 \
		--inner-dst "$C" --inner-dport "$cport" $c_cases >/dev/null
	# shellcheck disable=SC2086
	helper rs1 inject "$v" --src "$RIP" --dst "$LIP" --inner-src "$LIP" --inner-sport "$lport" \
		--inner-dst "$RIP" --inner-dport 5353 $r_cases >/dev/null
	# A valid error about the flow, but to an address of the director that did not
	# send the packet it quotes: passing through, none of ours.
	if [ "$v" = 4 ]; then out=198.51.100.1; else out=2001:db8:c::1; fi
	helper client inject "$v" --src "$C" --dst "$out" --inner-src "$VIP" --inner-sport 53 \
		--inner-dst "$C" --inner-dport "$cport" time-exceeded >/dev/null
	sleep 0.5
	bad1=$(stat_of bad_packet_drop)
	tr1=$(stat_of icmp_translated)
	check_eq "IPv$v: malformed errors about the flow: 4 dropped and counted in bad_packet_drop" \
		4 "$((bad1 - bad0))"
	check_eq "IPv$v: ... one with lying lengths translated, the rest left alone" 1 "$((tr1 - tr0))"
	check "IPv$v: ... the module is alive: a new HTTP request through the VIP is answered" \
		grep -q "^rs1 $C" <(on client curl -s -m 10 "http://$VIPB/")
	kill "$pid" 2>/dev/null
}

# Upload, client -> RS, the RS side at 1300: the director's own "frag needed" /
# "packet too big" to the LIP must reach the client, from the VIP, with the MTU less
# the TOA, and its TCP sequence number back in the client's numbering.
test_upload() {
	local v=$1 mtu out tr0 tr1 pid cap t t1
	fam "$v"
	cap=$E2E_TMP/up$v.pcap
	if [ "$v" = 4 ]; then mtu=1292; else mtu=1280; fi
	out=$E2E_TMP/up$v
	ip netns exec rs1 timeout 300 socat -u "TCP$v-LISTEN:9000,reuseaddr" \
		"OPEN:$out,creat,trunc" &
	pid=$!
	wait_until 60 on rs1 ss -Htln 'sport = :9000'
	capture_start client eth0 "$cap"
	tr0=$(stat_of icmp_translated)
	t=$SECONDS
	ip netns exec client timeout 300 socat -u "OPEN:$E2E_TMP/data" "TCP$v:$VIPB:9000"
	wait "$pid"
	t1=$SECONDS
	tr1=$(stat_of icmp_translated)
	capture_stop
	check_eq "IPv$v: a $((SIZE >> 20)) MiB upload through FULLNAT, RS side at MTU 1300, arrives intact" \
		"$(sha "$E2E_TMP/data")" "$(sha "$out" 2>/dev/null)"
	check "IPv$v: ... path-MTU discovery needed the director's errors translated (icmp_translated +$((tr1 - tr0)))" \
		test "$tr1" -gt "$tr0"
	check "IPv$v: ... the client's path MTU to the VIP is the RS side's less the TOA ($mtu)" \
		grep -q " mtu $mtu" <(on client ip "-$v" route get "$VIP")
	check "IPv$v: ... the errors the client got: from the VIP, about client -> VIP, MTU $mtu, checksums right, seq and ack of a segment the client sent" \
		helper client pcap-check "$v" "$cap" --src "$VIP" --dst "$C" --inner-src "$C" \
		--inner-dst "$VIP" --mtu "$mtu"
	info "upload IPv$v: icmp_translated $tr0 -> $tr1, transfer $((t1 - t)) s"
}

# Download, RS -> client, the client side at 1300: the director's own errors to the VIP
# must reach the RS, from the LIP, with the MTU as is.
test_download() {
	local v=$1 out tr0 tr1 cap t t1
	fam "$v"
	cap=$E2E_TMP/down$v.pcap
	out=$E2E_TMP/down$v
	capture_start rs1 eth0 "$cap"
	tr0=$(stat_of icmp_translated)
	t=$SECONDS
	on client curl -s -m 300 -o "$out" "http://$VIPB/big"
	t1=$SECONDS
	tr1=$(stat_of icmp_translated)
	capture_stop
	check_eq "IPv$v: a $((SIZE >> 20)) MiB download through FULLNAT, client side at MTU 1300, arrives intact" \
		"$(sha "$E2E_TMP/rs1/big")" "$(sha "$out" 2>/dev/null)"
	check "IPv$v: ... path-MTU discovery needed the director's errors translated (icmp_translated +$((tr1 - tr0)))" \
		test "$tr1" -gt "$tr0"
	check "IPv$v: ... the RS's path MTU to the LIP is 1300" \
		grep -q " mtu 1300" <(on rs1 ip "-$v" route get "$LIP")
	check "IPv$v: ... the errors the RS got: from the LIP, about RS -> LIP, MTU 1300, checksums right, seq and ack of a segment the RS sent" \
		helper rs1 pcap-check "$v" "$cap" --src "$LIP" --dst "$RIP" --inner-src "$RIP" \
		--inner-dst "$LIP" --mtu 1300
	info "download IPv$v: icmp_translated $tr0 -> $tr1, transfer $((t1 - t)) s"
}

# The endpoints accepted every translated error's checksum. (Errors about TCP whose
# segment was acknowledged by the time they arrived, e.g. the later ones of a burst
# answering the segments of one GSO packet, count as TcpExtOutOfWindowIcmps: shown,
# not checked; pcap-check above checks each sequence number against what was sent.)
test_endpoint_counters() {
	local ns
	for ns in client rs1; do
		check_eq "$ns: no ICMP error arrived with a bad checksum" "0 0" \
			"$(nstat_of "$ns" IcmpInCsumErrors) $(nstat_of "$ns" Icmp6InCsumErrors)"
		info "$ns: TcpExtOutOfWindowIcmps $(nstat_of "$ns" TcpExtOutOfWindowIcmps)"
	done
}

# timed SCENARIO ARGS...: run a scenario, then show how long it took.
timed() {
	local t=$SECONDS rc
	"$@"
	rc=$?
	info "$*: $((SECONDS - t)) s"
	return $rc
}

if timed setup; then
	timed test_unreach_to_client 4
	timed test_unreach_to_client 6
	timed test_unreach_to_rs 4
	timed test_unreach_to_rs 6
	timed test_time_exceeded_and_malformed 4
	timed test_time_exceeded_and_malformed 6
	rs_side_mtu 1300
	timed test_upload 4
	timed test_upload 6
	rs_side_mtu 1500
	client_side_mtu
	timed test_download 4
	timed test_download 6
	test_endpoint_counters
	check "ipvs_fnat.ko unloads after all this" rmmod ipvs_fnat
else
	fail "setup: topology, modules, servers and services"
fi
finish
