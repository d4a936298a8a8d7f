#!/usr/bin/env bash
# ipvsadm-fnat against the real ipvs_fnat.ko: configuration round trips, save and
# restore, every error case, permissions, namespaces, /proc, module unload.
#
#   root namespace                 netns fa           netns fb        netns fc
#   build/ipvsadm-fnat ----------> (its own table)    (its own)       (deleted with
#     | IPVS_FNAT genl                                                 services, before
#   ipvs_fnat.ko  <- unshare -U -r (no CAP_NET_ADMIN over any of them)  the unload)
#
# No traffic flows: this test configures, lists and deletes. Addresses are only
# configuration: VIPs 192.0.2.0/24 and 2001:db8:10::/64, real servers and local
# addresses 203.0.113.0/24 and 2001:db8:5::/64.
. "$(dirname "$0")/lib.sh"

T=$FNAT_TOOL
fnat() { "$T" "$@"; }

# load_fnat: insmod build/ipvs_fnat.ko after modprobing what it depends on (insmod
# resolves no dependencies).
load_fnat() {
	local deps
	deps=$(modinfo -F depends "$BUILD/ipvs_fnat.ko" | tr ',' ' ')
	# shellcheck disable=SC2086
	[ -z "$deps" ] || modprobe -a $deps || return
	insmod "$BUILD/ipvs_fnat.ko"
}

# run CMD...: OUT gets its standard output and error, RC its status.
run() {
	OUT=$("$@" 2>&1)
	RC=$?
}

# json_eval EXPR [NS]: EXPR (Python, over d = the -L --json document) printed; a
# tuple as its items separated by spaces.
json_eval() {
	local expr=$1 ns=${2:-}
	if [ -n "$ns" ]; then
		on "$ns" "$T" -L --json
	else
		"$T" -L --json
	fi | "$PY" -c "import json, sys
d = json.load(sys.stdin)
v = ($expr)
print(' '.join(map(str, v)) if isinstance(v, tuple) else v)"
}

# svc_json PROTO ADDR PORT EXPR: EXPR over s = that service's JSON object.
svc_json() {
	json_eval "next(($4) for s in d['services'] if s['protocol'] == '$1' and s['address'] == '$2' and s['port'] == $3)"
}

header='IP Virtual Server FULLNAT version'
titles='Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
  => LocalAddress                 Conflicts  Conns'

# The listing without its first line (which carries the version and table size).
table() { fnat -L -n | tail -n +2; }

# check_proc WHAT [NS]: /proc/net/ip_vs_fnat and -L -n are the same bytes.
check_proc() {
	local what=$1 ns=${2:-}
	if [ -n "$ns" ]; then
		check "/proc/net/ip_vs_fnat equals -L -n: $what" \
			diff <(on "$ns" cat /proc/net/ip_vs_fnat) <(on "$ns" "$T" -L -n)
	else
		check "/proc/net/ip_vs_fnat equals -L -n: $what" diff /proc/net/ip_vs_fnat <("$T" -L -n)
	fi
}

# expect_error WHAT MESSAGE CMD...: CMD fails, prints MESSAGE and changes nothing:
# the listing stays $STATE (taken by snapshot; a failing case retakes it).
STATE=
snapshot() { STATE=$(fnat -L -n); }
expect_error() {
	local what=$1 msg=$2
	shift 2
	local after
	[ -n "$STATE" ] || snapshot
	run "$@"
	after=$(fnat -L -n)
	if [ "$RC" -ne 0 ] && grep -qF -- "$msg" <<<"$OUT" && [ "$STATE" = "$after" ]; then
		pass "$what: '$msg', status $RC, table unchanged"
	else
		fail "$what: expected '$msg', a non-zero status and no change"
		printf '     | status %s, output: %s\n' "$RC" "$OUT"
		[ "$STATE" = "$after" ] || diff <(echo "$STATE") <(echo "$after") | sed 's/^/     | /'
		STATE=$after
	fi
}

# A configuration with a bit of everything, in the current namespace.
populate() {
	fnat -A -t 192.0.2.10:80 -s rr &&
		fnat -a -t 192.0.2.10:80 -r 203.0.113.11 -b &&
		fnat -a -t 192.0.2.10:80 -r 203.0.113.12:8080 -b -w 3 -x 100 -y 10 &&
		fnat -P -t 192.0.2.10:80 -z 203.0.113.100 &&
		fnat -P -t 192.0.2.10:80 -z 203.0.113.101 &&
		fnat -A -u 192.0.2.10:53 -s wlc -p 600 -M 255.255.255.0 &&
		fnat -a -u 192.0.2.10:53 -r 203.0.113.11 -w 0 &&
		fnat -A -t '[2001:db8:10::10]:443' -s sh -p -M 64 &&
		fnat -a -t '[2001:db8:10::10]:443' -r '[2001:db8:5::11]:8443' -w 2 &&
		fnat -P -t '[2001:db8:10::10]:443' -z 2001:db8:5::100 &&
		fnat -A -u '[2001:db8:10::10]:53' -s mh
}

populated='TCP  192.0.2.10:80 rr
  -> 203.0.113.11:80              FullNat 1      0          0         
  -> 203.0.113.12:8080            FullNat 3      0          0         
  => 203.0.113.100                0          0
  => 203.0.113.101                0          0
UDP  192.0.2.10:53 wlc persistent 600 mask 255.255.255.0
  -> 203.0.113.11:53              FullNat 0      0          0         
TCP  [2001:db8:10::10]:443 sh persistent 300 mask 64
  -> [2001:db8:5::11]:8443        FullNat 2      0          0         
  => 2001:db8:5::100              0          0
UDP  [2001:db8:10::10]:53 mh'

test_module_not_loaded() {
	check "the tool was built (make tool)" test -x "$T"
	run fnat -L -n
	check "without the module -L fails" test "$RC" -ne 0
	check "without the module: says the module is not loaded" grep -qF 'the ipvs_fnat module is not loaded' <<<"$OUT"
	check "without the module: says how to load it" grep -qF 'insmod build/ipvs_fnat.ko' <<<"$OUT"
	check "without the module: names modprobe" grep -qF 'modprobe ipvs_fnat' <<<"$OUT"
	run fnat -A -t 192.0.2.10:80
	check "without the module -A fails with the same message" \
		grep -qF 'the ipvs_fnat module is not loaded' <<<"$OUT"
}

test_load() {
	check "ipvs_fnat.ko loads" load_fnat
	at_exit 'rmmod ipvs_fnat'
	check "the IPVS_FNAT family is registered" genl ctrl get name IPVS_FNAT
	run fnat -L -n
	check "an empty table lists with status 0" test "$RC" -eq 0
	check "the empty listing starts with the version line" grep -q "^$header [0-9]*\.[0-9]*\.[0-9]* (size=[0-9]*)\$" <<<"$(head -n1 <<<"$OUT")"
	check_eq "the empty listing has the column titles only" "$titles" "$(tail -n +2 <<<"$OUT")"
	check_proc "empty table"
}

test_fullnat_only() {
	local flag
	snapshot
	for flag in -m -g -i --masquerading --gatewaying --ipip; do
		expect_error "$flag refused" "ipvsadm-fnat does FULLNAT only" \
			fnat -a -t 192.0.2.10:80 -r 203.0.113.11 "$flag"
	done
	run fnat -a -t 192.0.2.10:80 -r 203.0.113.11 -m
	check_eq "-m: usage status 2" 2 "$RC"
	check "-m: points to ipvsadm for NAT/DR/TUN" grep -qF 'use ipvsadm for NAT (-m), direct routing (-g) and tunnelling (-i)' <<<"$OUT"
}

# Add, edit and delete one service of each family and protocol.
test_services() {
	local svc proto flag vip addr port
	for svc in "TCP -t 192.0.2.10 192.0.2.10:80 80" "UDP -u 192.0.2.10 192.0.2.10:53 53" \
		"TCP -t 2001:db8:10::10 [2001:db8:10::10]:443 443" "UDP -u 2001:db8:10::10 [2001:db8:10::10]:53 53"; do
		read -r proto flag addr vip port <<<"$svc"
		check "$proto $vip: add" fnat -A "$flag" "$vip" -s rr
		check_eq "$proto $vip: listed" "$proto  $vip rr" "$(table | grep -F "$proto  $vip ")"
		check_eq "$proto $vip: --json scheduler rr, not persistent, flags 0" "rr False 0" \
			"$(svc_json "$proto" "$addr" "$port" "s['scheduler'], s['persistent'], s['flags']")"
		check_proc "$proto $vip added"
		check "$proto $vip: edit to persistent wlc" fnat -E "$flag" "$vip" -s wlc -p 120
		check_eq "$proto $vip: listed as edited" "$proto  $vip wlc persistent 120" "$(table | grep -F "$proto  $vip ")"
		check_eq "$proto $vip: --json persistent, timeout 120, flags 1" "True 120 1" \
			"$(svc_json "$proto" "$addr" "$port" "s['persistent'], s['timeout'], s['flags']")"
		check "$proto $vip: edit back (-E without -p ends persistence, as ipvsadm)" fnat -E "$flag" "$vip" -s sh
		check_eq "$proto $vip: listed as sh" "$proto  $vip sh" "$(table | grep -F "$proto  $vip ")"
		check_proc "$proto $vip edited"
		check "$proto $vip: delete" fnat -D "$flag" "$vip"
		check_eq "$proto $vip: gone, the table is empty again" "$titles" "$(table)"
	done
	check "persistence mask, IPv4" fnat -A -t 192.0.2.10:80 -p 60 -M 255.255.255.0
	check_eq "IPv4 mask listed dotted" "TCP  192.0.2.10:80 wlc persistent 60 mask 255.255.255.0" "$(table | grep -F 'TCP  192.0.2.10:80 ')"
	check_eq "IPv4 mask in --json as a prefix length" 24 "$(svc_json TCP 192.0.2.10 80 "s['netmask']")"
	check "persistence mask, IPv6" fnat -A -u '[2001:db8:10::10]:53' -p -M 48
	check_eq "IPv6 mask listed as a length, default timeout 300" "UDP  [2001:db8:10::10]:53 wlc persistent 300 mask 48" "$(table | grep -F 'UDP  [2001:db8:10::10]:53 ')"
	check_proc "persistent services with masks"
	check "clear" fnat -C
	check_eq "cleared" "$titles" "$(table)"
}

# Destinations and local addresses, both families.
test_dests_and_laddrs() {
	check "services for real servers" fnat -A -t 192.0.2.10:80 -s rr
	check "IPv6 service for real servers" fnat -A -t '[2001:db8:10::10]:80' -s rr
	check "add rs1 (port defaults to the service's)" fnat -a -t 192.0.2.10:80 -r 203.0.113.11 -b
	check "add rs2 with weight and thresholds" fnat -a -t 192.0.2.10:80 -r 203.0.113.12:8080 -w 5 -x 100 -y 20
	check "add IPv6 rs1" fnat -a -t '[2001:db8:10::10]:80' -r '[2001:db8:5::11]'
	check "add IPv6 rs2" fnat -a -t '[2001:db8:10::10]:80' -r '[2001:db8:5::12]:8080' --fullnat -w 2
	check_eq "IPv4 real servers listed" "  -> 203.0.113.11:80              FullNat 1      0          0         
  -> 203.0.113.12:8080            FullNat 5      0          0         " "$(table | grep -F -- '-> 203.0.113.')"
	check_eq "IPv6 real servers listed" "  -> [2001:db8:5::11]:80          FullNat 1      0          0         
  -> [2001:db8:5::12]:8080        FullNat 2      0          0         " "$(table | grep -F -- '-> [2001:db8:5::')"
	check_eq "thresholds in --json" "100 20" "$(svc_json TCP 192.0.2.10 80 "' '.join(str(x) for x in [next(r for r in s['destinations'] if r['port'] == 8080)[k] for k in ('u_threshold', 'l_threshold')])")"
	check_eq "num_dests in --json" 2 "$(svc_json TCP 2001:db8:10::10 80 "s['num_dests']")"
	check "edit rs2 weight" fnat -e -t 192.0.2.10:80 -r 203.0.113.12:8080 -w 9
	check_eq "rs2 edited (thresholds reset, as ipvsadm)" "9 0 0" "$(svc_json TCP 192.0.2.10 80 "' '.join(str(x) for x in [next(r for r in s['destinations'] if r['port'] == 8080)[k] for k in ('weight', 'u_threshold', 'l_threshold')])")"
	check "quiesce IPv6 rs1 (weight 0)" fnat -e -t '[2001:db8:10::10]:80' -r '[2001:db8:5::11]:80' -w 0
	check_eq "IPv6 rs1 quiesced" "  -> [2001:db8:5::11]:80          FullNat 0      0          0         " "$(table | grep -F -- '-> [2001:db8:5::11]')"

	check "add LIP 203.0.113.100" fnat -P -t 192.0.2.10:80 -z 203.0.113.100
	check "add LIP 203.0.113.101 (long option)" fnat --add-laddr -t 192.0.2.10:80 -z 203.0.113.101
	check "add IPv6 LIP" fnat -P -t '[2001:db8:10::10]:80' -z 2001:db8:5::100
	check_eq "LIPs listed in insertion order" "  => 203.0.113.100                0          0
  => 203.0.113.101                0          0
  => 2001:db8:5::100              0          0" "$(table | grep -F -- '  => ' | tail -n +2)"
	check_eq "-G for one service" "Prot LocalAddress:Port            LocalAddresses
  => LocalAddress                 Conflicts  Conns
TCP  192.0.2.10:80                2
  => 203.0.113.100                0          0
  => 203.0.113.101                0          0" "$(fnat -G -n -t 192.0.2.10:80)"
	check_eq "-G --json lists both services' LIPs" "203.0.113.100 203.0.113.101 2001:db8:5::100" \
		"$(fnat -G --json | "$PY" -c "import json, sys; print(' '.join(l['address'] for s in json.load(sys.stdin)['services'] for l in s['laddrs']))")"
	check_eq "num_laddrs in --json" 2 "$(svc_json TCP 192.0.2.10 80 "s['num_laddrs']")"
	check_proc "real servers and LIPs"

	check "delete LIP" fnat -Q -t 192.0.2.10:80 -z 203.0.113.100
	check "delete IPv6 LIP (long option)" fnat --del-laddr -t '[2001:db8:10::10]:80' -z 2001:db8:5::100
	check "delete rs1 (port defaults to the service's)" fnat -d -t 192.0.2.10:80 -r 203.0.113.11
	check "delete IPv6 rs2" fnat -d -t '[2001:db8:10::10]:80' -r '[2001:db8:5::12]:8080'
	check_eq "what is left" "TCP  192.0.2.10:80 rr
  -> 203.0.113.12:8080            FullNat 9      0          0         
  => 203.0.113.101                0          0
TCP  [2001:db8:10::10]:80 rr
  -> [2001:db8:5::11]:80          FullNat 0      0          0         " "$(table | tail -n +4)"
	check_proc "after deletions"
	check "delete a service with its real servers and LIPs" fnat -D -t 192.0.2.10:80
	check_eq "the service went with its real servers and LIPs" "TCP  [2001:db8:10::10]:80 rr
  -> [2001:db8:5::11]:80          FullNat 0      0          0         " "$(table | tail -n +4)"
	check "clear" fnat -C
}

test_save_restore() {
	check "populate" populate
	check_eq "populated listing" "$populated" "$(table | tail -n +4)"
	check_proc "populated"
	local before rules
	before=$(fnat -L -n)
	rules=$(fnat -S -n)
	check_eq "-S writes one command per line" "-A -t 192.0.2.10:80 -s rr
-a -t 192.0.2.10:80 -r 203.0.113.11:80 -b -w 1
-a -t 192.0.2.10:80 -r 203.0.113.12:8080 -b -w 3 -x 100 -y 10
-P -t 192.0.2.10:80 -z 203.0.113.100
-P -t 192.0.2.10:80 -z 203.0.113.101
-A -u 192.0.2.10:53 -s wlc -p 600 -M 255.255.255.0
-a -u 192.0.2.10:53 -r 203.0.113.11:53 -b -w 0
-A -t [2001:db8:10::10]:443 -s sh -p 300 -M 64
-a -t [2001:db8:10::10]:443 -r [2001:db8:5::11]:8443 -b -w 2
-P -t [2001:db8:10::10]:443 -z 2001:db8:5::100
-A -u [2001:db8:10::10]:53 -s mh" "$rules"
	check "-C" fnat -C
	check_eq "-C empties the table" "$titles" "$(table)"
	check "-R reads the rules back" fnat -R <<<"$rules"
	check_eq "-S, -C, -R gives the same -L -n" "$before" "$(fnat -L -n)"
	check_eq "and the same -S" "$rules" "$(fnat -S -n)"
	check_proc "restored"
	check "-S | -R through a pipe after -C" sh -c "'$T' -S -n > /tmp/fnat-rules && '$T' -C && '$T' -R < /tmp/fnat-rules"
	check_eq "piped round trip gives the same -L -n" "$before" "$(fnat -L -n)"

	# A bad line stops the restore and is named; the lines before it stay applied.
	fnat -C
	run fnat -R <<<"-A -t 192.0.2.20:80 -s rr
-a -t 192.0.2.20:80 -r 203.0.113.11 -w 70000
-A -t 192.0.2.21:80"
	check "restore with a bad line fails" test "$RC" -ne 0
	check_eq "restore names the bad line" "line 2: illegal weight specified" "$OUT"
	check_eq "restore stopped there" "TCP  192.0.2.20:80 rr" "$(table | tail -n +4)"
	run fnat -R <<<"-A -t 192.0.2.22:80
-A -t 192.0.2.20:80"
	check_eq "restore names the line the kernel refused" "line 2: Service already exists" "$(head -n1 <<<"$OUT" | sed 's/ (kernel:.*//')"
	fnat -C
}

# The SYN proxy flag (-j): TCP services of both families, shown by -L (after the
# persistence text), --json and /proc; -E replaces it as it replaces -p; -S writes it
# and -R restores it; with -u the tool refuses it and nothing is created or changed.
test_synproxy() {
	local row addr vip port mask
	for row in "192.0.2.10 192.0.2.10:80 80 255.255.255.0" "2001:db8:10::10 [2001:db8:10::10]:443 443 64"; do
		read -r addr vip port mask <<<"$row"
		check "TCP $vip: add with -j" fnat -A -t "$vip" -s rr -j
		check_eq "TCP $vip: listed with synproxy" "TCP  $vip rr synproxy" "$(table | grep -F "TCP  $vip ")"
		check_eq "TCP $vip: --json synproxy true, not persistent, flags 2" "True False 2" \
			"$(svc_json TCP "$addr" "$port" "s['synproxy'], s['persistent'], s['flags']")"
		check_proc "TCP $vip with the SYN proxy"
		check "TCP $vip: edit to persistent with a mask, -j kept" fnat -E -t "$vip" -s wlc -p 120 -M "$mask" -j
		check_eq "TCP $vip: synproxy after the persistence text" "TCP  $vip wlc persistent 120 mask $mask synproxy" \
			"$(table | grep -F "TCP  $vip ")"
		check_eq "TCP $vip: --json synproxy and persistent, flags 3" "True True 3" \
			"$(svc_json TCP "$addr" "$port" "s['synproxy'], s['persistent'], s['flags']")"
		check_proc "TCP $vip persistent with the SYN proxy"
		check "TCP $vip: edit without -j (turns the SYN proxy off, as -E without -p ends persistence)" \
			fnat -E -t "$vip" -s wlc -p 120 -M "$mask"
		check_eq "TCP $vip: listed without synproxy" "TCP  $vip wlc persistent 120 mask $mask" \
			"$(table | grep -F "TCP  $vip ")"
		check_eq "TCP $vip: --json synproxy false, flags 1" "False True 1" \
			"$(svc_json TCP "$addr" "$port" "s['synproxy'], s['persistent'], s['flags']")"
		check "TCP $vip: edit with -j again, without -p" fnat -E -t "$vip" -s sh -j
		check_eq "TCP $vip: synproxy back, persistence gone" "TCP  $vip sh synproxy" "$(table | grep -F "TCP  $vip ")"
		check_proc "TCP $vip edited"
	done

	check "IPv6 service persistent again, with -j" fnat -E -t '[2001:db8:10::10]:443' -s sh -p 60 -M 64 -j
	check "a UDP service beside them" fnat -A -u 192.0.2.10:53 -s rr
	check "a TCP service without -j beside them" fnat -A -t 192.0.2.10:8080 -p 60
	check_eq "--json: synproxy false for the other two" "False False" \
		"$(json_eval "tuple(s['synproxy'] for s in d['services'] if s['port'] in (53, 8080))")"
	check_eq "--json: SYN proxy counters, all 0, for the TCP services (with -j or not), none for UDP" \
		"80 [0, 0, 0, 0, 0]; 443 [0, 0, 0, 0, 0]; 53 None; 8080 [0, 0, 0, 0, 0]" \
		"$(json_eval "'; '.join('%d %s' % (s['port'], s.get('synproxy_stats') and [s['synproxy_stats'][k] for k in ('syn', 'ack_ok', 'ack_bad', 'rs_fail', 'data_dropped')]) for s in d['services'])")"
	check_eq "-L --stats: a counters line under each SYN proxy service only" \
		"  synproxy: syn 0 ack_ok 0 ack_bad 0 rs_fail 0 data_dropped 0
  synproxy: syn 0 ack_ok 0 ack_bad 0 rs_fail 0 data_dropped 0" "$(fnat -L -n --stats | grep '^  synproxy:')"
	local before rules
	before=$(fnat -L -n)
	rules=$(fnat -S -n)
	check_eq "-S writes -j at the end of the -A lines of SYN proxy services" "-A -t 192.0.2.10:80 -s sh -j
-A -t [2001:db8:10::10]:443 -s sh -p 60 -M 64 -j
-A -u 192.0.2.10:53 -s rr
-A -t 192.0.2.10:8080 -s wlc -p 60" "$rules"
	check "-C" fnat -C
	check "-R reads the SYN proxy services back" fnat -R <<<"$rules"
	check_eq "-S, -C, -R: the same -L -n" "$before" "$(fnat -L -n)"
	check_eq "-S, -C, -R: the same -S" "$rules" "$(fnat -S -n)"
	check_eq "-S, -C, -R: --json synproxy true for both again" "True True" \
		"$(json_eval "tuple(s['synproxy'] for s in d['services'] if s['port'] in (80, 443))")"
	check_proc "SYN proxy services restored"

	snapshot
	expect_error "-A -u with -j (IPv4)" "the SYN proxy is for TCP services only" fnat -A -u 192.0.2.20:53 -j
	expect_error "-A -u with --synproxy (IPv6)" "the SYN proxy is for TCP services only" \
		fnat -A -u '[2001:db8:10::20]:53' -s rr --synproxy
	expect_error "-E -u with -j on the existing UDP service" "the SYN proxy is for TCP services only" \
		fnat -E -u 192.0.2.10:53 -s wlc -p 60 -j
	expect_error "-j with -a" "Illegal 'synproxy' option with the 'add-server' command" \
		fnat -a -t 192.0.2.10:80 -r 203.0.113.11 -j
	run fnat -A -u 192.0.2.20:53 -j
	check_eq "-A -u -j: usage status 2" 2 "$RC"
	check_eq "-A -u -j: the message names the option and the protocols" \
		"option \`-j': the SYN proxy is for TCP services only (-t), not UDP (-u)" "$OUT"
	check_eq "-A -u -j created no service" "" "$(table | grep -F '192.0.2.20:53')"
	run fnat -R <<<"-A -t 192.0.2.21:80 -j
-A -u 192.0.2.21:53 -j
-A -t 192.0.2.22:80"
	check_eq "-R names the UDP line with -j" \
		"line 2: option \`-j': the SYN proxy is for TCP services only (-t), not UDP (-u)" "$OUT"
	check_eq "-R stopped there: the line before it applied, nothing of the rest" "TCP  192.0.2.21:80 wlc synproxy" \
		"$(table | grep -F -e '192.0.2.21:' -e '192.0.2.22:')"
	check_proc "after the SYN proxy refusals"
	fnat -C
}

test_errors() {
	populate
	snapshot
	expect_error "-A on an existing TCP service" "Service already exists" fnat -A -t 192.0.2.10:80
	expect_error "-A on an existing IPv6 service" "Service already exists" fnat -A -t '[2001:db8:10::10]:443' -s rr
	expect_error "-A with an unknown scheduler" "Scheduler not found" fnat -A -t 192.0.2.20:80 -s nosuch
	expect_error "-E on a missing service" "No such service" fnat -E -t 192.0.2.20:80 -s rr
	expect_error "-E with an unknown scheduler" "Scheduler not found" fnat -E -t 192.0.2.10:80 -s nosuch
	expect_error "-D on a missing service" "No such service" fnat -D -t 192.0.2.20:80
	expect_error "-D with the wrong protocol" "No such service" fnat -D -u 192.0.2.10:80
	expect_error "-a on a missing service" "Service not defined" fnat -a -t 192.0.2.20:80 -r 203.0.113.11
	expect_error "-a on an existing real server" "Destination already exists" fnat -a -t 192.0.2.10:80 -r 203.0.113.11
	expect_error "-a of an IPv6 real server to an IPv4 service" "Operation not supported with specified address family" \
		fnat -a -t 192.0.2.10:80 -r '[2001:db8:5::11]:80'
	expect_error "-e on a missing real server" "No such destination" fnat -e -t 192.0.2.10:80 -r 203.0.113.99 -w 2
	expect_error "-e on a missing service" "Service not defined" fnat -e -t 192.0.2.20:80 -r 203.0.113.11
	expect_error "-d on a missing real server" "No such destination" fnat -d -t 192.0.2.10:80 -r 203.0.113.11:81
	expect_error "-d on a missing service" "Service not defined" fnat -d -t 192.0.2.20:80 -r 203.0.113.11
	expect_error "-P of an existing LIP" "Local address already exists" fnat -P -t 192.0.2.10:80 -z 203.0.113.100
	expect_error "-P of an IPv6 LIP to an IPv4 service" "Local address family does not match the service" \
		fnat -P -t 192.0.2.10:80 -z 2001:db8:5::100
	expect_error "-P of an IPv4 LIP to an IPv6 service" "Local address family does not match the service" \
		fnat -P -t '[2001:db8:10::10]:443' -z 203.0.113.100
	expect_error "-P on a missing service" "Service not defined" fnat -P -t 192.0.2.20:80 -z 203.0.113.100
	expect_error "-Q of a missing LIP" "No such local address" fnat -Q -t 192.0.2.10:80 -z 203.0.113.199
	expect_error "-Q on a missing service" "Service not defined" fnat -Q -t 192.0.2.20:80 -z 203.0.113.100
	expect_error "-Z on a missing service" "No such service" fnat -Z -t 192.0.2.20:80
	expect_error "-L on a missing service" "No such service" fnat -L -n -t 192.0.2.20:80
	expect_error "-G on a missing service" "No such service" fnat -G -t 192.0.2.20:80
	# Refused by the tool itself: usage errors, status 2.
	expect_error "weight out of range" "illegal weight specified" fnat -a -t 192.0.2.10:80 -r 203.0.113.13 -w 65536
	expect_error "port 0 for a service" "a FULLNAT service needs a port from 1 to 65535" fnat -A -t 192.0.2.20:0
	expect_error "bad address" "illegal virtual server address[:port] specified" fnat -A -t 192.0.2.300:80
	expect_error "bad IPv6 mask" "illegal ipv6 netmask specified" fnat -A -t '[2001:db8:10::20]:80' -p -M 129
	expect_error "bad persistence timeout" "invalid timeout value \`0' specified" fnat -A -t 192.0.2.20:80 -p 0
	expect_error "illegal option for the command" "Illegal 'weight' option with the 'add-service' command" \
		fnat -A -t 192.0.2.20:80 -w 2
	expect_error "missing option" "You need to supply the 'real-server' option for the 'add-server' command" \
		fnat -a -t 192.0.2.10:80
	expect_error "conflicting list options" "The option 'stats' conflicts with the 'connection' option in the 'list' command" \
		fnat -L -c --stats
	expect_error "--set needs three values" "--set option requires 3 timeout values" fnat --set 1 2
	expect_error "unknown option" "invalid option \`--bogus'" fnat --bogus
	run fnat -a -t 192.0.2.10:80 -r 203.0.113.13 -w 65536
	check_eq "usage errors exit with status 2" 2 "$RC"
	run fnat -D -t 192.0.2.20:80
	check_eq "kernel refusals exit with status 1" 1 "$RC"
	check_proc "after every error"
	fnat -C
}

# Without CAP_NET_ADMIN over the namespace: GETs work, changes and -c do not.
test_unprivileged() {
	populate
	snapshot
	local before=$STATE
	check_eq "unshare -U -r: -L works and shows the same table" "$before" "$(unshare -U -r "$T" -L -n)"
	check "unshare -U -r: -S works" unshare -U -r "$T" -S -n
	check "unshare -U -r: -G works" unshare -U -r "$T" -G -n
	check "unshare -U -r: --timeout works" unshare -U -r "$T" -L --timeout
	local cmds=(
		"-A -t 192.0.2.30:80"
		"-E -t 192.0.2.10:80 -s wlc"
		"-D -t 192.0.2.10:80"
		"-C"
		"-a -t 192.0.2.10:80 -r 203.0.113.13"
		"-e -t 192.0.2.10:80 -r 203.0.113.11 -w 7"
		"-d -t 192.0.2.10:80 -r 203.0.113.11"
		"-P -t 192.0.2.10:80 -z 203.0.113.102"
		"-Q -t 192.0.2.10:80 -z 203.0.113.100"
		"-Z"
		"--set 1 1 1"
		"-L -c"
	)
	local cmd
	for cmd in "${cmds[@]}"; do
		# shellcheck disable=SC2086
		expect_error "unshare -U -r: $cmd" "Permission denied (you must be root)" unshare -U -r "$T" $cmd
	done
	check_eq "the table is what it was" "$before" "$(fnat -L -n)"
	fnat -C
}

# Each network namespace has its own table and its own /proc/net/ip_vs_fnat.
test_namespaces() {
	ns_add fa
	ns_add fb
	check "root: one service" fnat -A -t 192.0.2.10:80 -s rr
	check "fa: its own service" on fa "$T" -A -t 192.0.2.10:80 -s wrr
	check "fa: a real server" on fa "$T" -a -t 192.0.2.10:80 -r 203.0.113.11
	check "fa: a LIP" on fa "$T" -P -t 192.0.2.10:80 -z 203.0.113.100
	check "fb: an IPv6 service" on fb "$T" -A -u '[2001:db8:10::10]:53' -s sh
	check_eq "root: sees only its own" "TCP  192.0.2.10:80 rr" "$(table | tail -n +4)"
	check_eq "fa: sees only its own" "TCP  192.0.2.10:80 wrr
  -> 203.0.113.11:80              FullNat 1      0          0         
  => 203.0.113.100                0          0" "$(on fa "$T" -L -n | tail -n +5)"
	check_eq "fb: sees only its own" "UDP  [2001:db8:10::10]:53 sh" "$(on fb "$T" -L -n | tail -n +5)"
	check_proc "netns fa" fa
	check_proc "netns fb" fb
	check_proc "root, with other namespaces configured"
	check "fa: -C" on fa "$T" -C
	check_eq "fa: cleared" "$titles" "$(on fa "$T" -L -n | tail -n +2)"
	check_eq "root: untouched by fa's -C" "TCP  192.0.2.10:80 rr" "$(table | tail -n +4)"
	check_eq "fb: untouched by fa's -C" "UDP  [2001:db8:10::10]:53 sh" "$(on fb "$T" -L -n | tail -n +5)"
	check_eq "fa: the same service can be added again" 0 "$(on fa "$T" -A -t 192.0.2.10:80 >/dev/null 2>&1; echo $?)"
	check_eq "timeouts are per namespace" "Timeout (tcp tcpfin udp): 900 120 300" \
		"$(on fb "$T" --set 100 100 100 && on fa "$T" -L --timeout)"
	check_eq "fb: its own timeouts" "Timeout (tcp tcpfin udp): 100 100 100" "$(on fb "$T" -L --timeout)"
	check_eq "unshare -U -r inside fb: permission denied there too" "Permission denied (you must be root)" \
		"$(on fb unshare -U -r "$T" -A -t 192.0.2.40:80 2>&1 | sed 's/ (kernel:.*//')"
	fnat -C
}

# One live TCP connection through the standard topology: -c (text and --json), the
# active-connection and LIP columns, --stats, -Z, and /proc with live counts.
test_live_connection() {
	topo_standard
	addr director rs0 203.0.113.100/24
	local d=(on director "$T")
	check "director: service, real server and LIP" sh -c "
		ip netns exec director '$T' -A -t 192.0.2.10:80 -s rr &&
		ip netns exec director '$T' -a -t 192.0.2.10:80 -r 203.0.113.11 &&
		ip netns exec director '$T' -P -t 192.0.2.10:80 -z 203.0.113.100"
	on rs1 socat -T"$(scaled 60)" TCP-LISTEN:80,reuseaddr,fork EXEC:cat &
	wait_until 5 on rs1 ss -Htln 'sport = :80'
	sleep "$(scaled 60)" | on client socat -T"$(scaled 60)" - TCP:192.0.2.10:80 >/dev/null 2>&1 &
	check "a client connection shows up in -L -c" \
		wait_until 10 sh -c "ip netns exec director '$T' -L -n -c | grep -q ESTABLISHED"
	check "-L -n -c: client -> VIP, LIP -> real server" grep -qE \
		'^TCP [0-9]{2}:[0-9]{2} +ESTABLISHED +198\.51\.100\.2:[0-9]+ +192\.0\.2\.10:80 +203\.0\.113\.100:[0-9]+ +203\.0\.113\.11:80$' \
		<("${d[@]}" -L -n -c)
	check_eq "-L -c --json: the same connection" "TCP 198.51.100.2 192.0.2.10:80 203.0.113.100 203.0.113.11:80 ESTABLISHED True" \
		"$("${d[@]}" -L -c --json | "$PY" -c "import json, sys
c = json.load(sys.stdin)['connections'][0]
print(c['protocol'], c['client']['address'], '%s:%d' % (c['virtual']['address'], c['virtual']['port']),
      c['local']['address'], '%s:%d' % (c['destination']['address'], c['destination']['port']),
      c['state_name'], c['expires_ms'] > 0)")"
	check_eq "the real server counts one active connection" \
		"  -> 203.0.113.11:80              FullNat 1      1          0         " \
		"$("${d[@]}" -L -n | grep -F -- '-> 203.0.113.11:80')"
	check_eq "the LIP counts one connection" "  => 203.0.113.100                0          1" \
		"$("${d[@]}" -G -n -t 192.0.2.10:80 | grep -F '=> 203.0.113.100')"
	check_eq "--json: active_conns 1, one connection scheduled" "1 1" \
		"$("${d[@]}" -L --json | "$PY" -c "import json, sys
s = json.load(sys.stdin)['services'][0]
print(s['destinations'][0]['active_conns'], s['stats']['conns'])")"
	check "--stats: the service counts the connection" \
		grep -qE '^TCP  192\.0\.2\.10:80 +1 +[1-9]' <("${d[@]}" -L -n --stats)
	check_proc "with a live connection" director
	check "-Z" "${d[@]}" -Z
	check "-Z zeroed the counters" grep -qE '^TCP  192\.0\.2\.10:80 +0 +0 +0 +0 +0$' <("${d[@]}" -L -n --stats)
	check_eq "-Z left the connection counts alone" \
		"  -> 203.0.113.11:80              FullNat 1      1          0         " \
		"$("${d[@]}" -L -n | grep -F -- '-> 203.0.113.11:80')"
	ip netns pids client | xargs -r kill
	check "director: -C with a live connection" "${d[@]}" -C
	check_eq "director: cleared" "$titles" "$("${d[@]}" -L -n | tail -n +2)"
	# Take the topology down (its processes with it); the other namespaces stay.
	local ns
	{
		for ns in client director lan rs1 rs2; do
			ip netns pids "$ns" | xargs -r kill -9
		done
		jobs -p | xargs -r kill -9
		wait
	} 2>/dev/null
	for ns in client director lan rs1 rs2; do
		ip netns del "$ns"
	done
}

# Unloading with services configured in several namespaces (and in one that is
# already gone) is clean; afterwards the tool says the module is not loaded.
test_unload_with_services() {
	populate
	on fa "$T" -C
	(
		set -e
		on fa "$T" -A -t 192.0.2.10:80 -s rr
		on fa "$T" -a -t 192.0.2.10:80 -r 203.0.113.11
		on fa "$T" -P -t 192.0.2.10:80 -z 203.0.113.100
		on fb "$T" -a -u '[2001:db8:10::10]:53' -r 2001:db8:5::11
		on fb "$T" -P -u '[2001:db8:10::10]:53' -z 2001:db8:5::100
	)
	check "services configured in the root namespace, fa and fb" test $? -eq 0
	ns_add fc
	check "fc: a service" on fc "$T" -A -t '[2001:db8:10::10]:80' -s mh
	check "fc: deleted with its service" ip netns del fc
	check "rmmod with services configured" rmmod ipvs_fnat
	check "the module is gone" sh -c '! grep -q "^ipvs_fnat " /proc/modules'
	check "/proc/net/ip_vs_fnat is gone" test ! -e /proc/net/ip_vs_fnat
	check "fa's /proc/net/ip_vs_fnat is gone" on fa test ! -e /proc/net/ip_vs_fnat
	check "the IPVS_FNAT family is gone" sh -c '! genl ctrl get name IPVS_FNAT >/dev/null 2>&1'
	run fnat -L -n
	check "after the unload the tool says the module is not loaded" \
		grep -qF 'the ipvs_fnat module is not loaded' <<<"$OUT"
	check "the module loads again" load_fnat
	check_eq "reloaded: an empty table" "$titles" "$(table 2>&1)"
	check_eq "reloaded: fa's table empty too" "$titles" "$(on fa "$T" -L -n 2>&1 | tail -n +2)"
	check "rmmod of the empty module" rmmod ipvs_fnat
}

# The namespace's default LIP pool (-P/-Q -z without -t|-u): listed after every
# service by -L (as /proc says: "Default local addresses", then "  => " lines), by -G
# and --json ("default_laddrs"), saved by -S as "-P -z" lines after the services. -C
# empties it with the services, so that -C then -R restores the same rules.
test_default_pool() {
	fnat -C
	check "default pool: an IPv4 LIP" fnat -P -z 203.0.113.200
	check "default pool: an IPv6 LIP (long options)" fnat --add-laddr --laddr 2001:db8:5::200
	check "a service without LIPs of its own" fnat -A -t 192.0.2.10:80 -s rr
	check "a service with one" fnat -A -t 192.0.2.10:81 -s rr
	check "its own LIP" fnat -P -t 192.0.2.10:81 -z 203.0.113.100
	check_eq "-L -n: the default pool after the services" "$titles
TCP  192.0.2.10:80 rr
TCP  192.0.2.10:81 rr
  => 203.0.113.100                0          0
Default local addresses
  => 203.0.113.200                0          0
  => 2001:db8:5::200              0          0" "$(table)"
	check_proc "default pool"
	check_eq "-L -t: no default pool" "" "$(fnat -L -n -t 192.0.2.10:80 | grep -F 'Default')"
	check_eq "-G -n: the default pool after the services" "TCP  192.0.2.10:81                1
  => 203.0.113.100                0          0
Default local addresses           2
  => 203.0.113.200                0          0
  => 2001:db8:5::200              0          0" "$(fnat -G -n | tail -n 5)"
	check_eq "-G -t: the service's own LIPs only" "" "$(fnat -G -n -t 192.0.2.10:81 | grep -F -e 'Default' -e '203.0.113.200')"
	check_eq "-G --json: default_laddrs" "203.0.113.200 inet 2001:db8:5::200 inet6" \
		"$(fnat -G --json | "$PY" -c "import json, sys; print(' '.join(l['address'] + ' ' + l['af'] for l in json.load(sys.stdin)['default_laddrs']))")"
	check_eq "-L --json: default_laddrs" "203.0.113.200 2001:db8:5::200" \
		"$(json_eval "' '.join(l['address'] for l in d['default_laddrs'])")"
	check_eq "-L --json: the service's own LIPs stay its own" "0 1" \
		"$(json_eval "tuple(len(s['laddrs']) for s in d['services'])")"
	local rules
	rules=$(fnat -S -n)
	check_eq "-S: the default pool as -P -z lines after the services" "-A -t 192.0.2.10:80 -s rr
-A -t 192.0.2.10:81 -s rr
-P -t 192.0.2.10:81 -z 203.0.113.100
-P -z 203.0.113.200
-P -z 2001:db8:5::200" "$rules"
	snapshot
	expect_error "-P -z of an address already in the default pool" "Local address already exists" \
		fnat -P -z 203.0.113.200
	check "-Q -z: out of the default pool" fnat -Q -z 203.0.113.200
	check "--del-laddr --laddr: the IPv6 one" fnat --del-laddr --laddr 2001:db8:5::200
	check_eq "the default pool is empty: no heading" "$titles
TCP  192.0.2.10:80 rr
TCP  192.0.2.10:81 rr
  => 203.0.113.100                0          0" "$(table)"
	snapshot
	expect_error "-Q -z of an address not in the default pool" "No such local address" fnat -Q -z 203.0.113.200
	check "-C" fnat -C
	check "-R restores the services and the default pool" fnat -R <<<"$rules"
	check_eq "-S after -R: the same rules" "$rules" "$(fnat -S -n)"
	check_proc "default pool restored"
	check "-C" fnat -C
	check_eq "-C empties the default pool too: clean again" "$titles" "$(table)"
	check "-R after -C: the same rules again" fnat -R <<<"$rules"
	check_eq "-S after -C and -R: the same rules" "$rules" "$(fnat -S -n)"
	fnat -C
}

# --dest-check: the DEST_CHECK flag with -A and -E (TCP and UDP), " dest-check" after
# " synproxy" in -L and /proc, "--dest-check" in -S, "dest_check" and per real server
# "check" in --json; -E without it turns it off. No traffic flows here: every real
# server's check state stays "ok". The owner of a hand-made service is "none".
test_dest_check() {
	fnat -C
	check "TCP with -j and --dest-check" fnat -A -t 192.0.2.10:80 -s rr -j --dest-check
	check "a real server" fnat -a -t 192.0.2.10:80 -r 203.0.113.11
	check "UDP IPv6 with --dest-check" fnat -A -u '[2001:db8:10::10]:53' -s sh -p 60 --dest-check
	check_eq "-L: dest-check after synproxy" "TCP  192.0.2.10:80 rr synproxy dest-check" "$(table | grep -F 'TCP  192.0.2.10:80 ')"
	check_eq "-L: dest-check after the persistence text" "UDP  [2001:db8:10::10]:53 sh persistent 60 dest-check" \
		"$(table | grep -F 'UDP  [2001:db8:10::10]:53 ')"
	check_eq "-L: the real server is not inhibited" "  -> 203.0.113.11:80              FullNat 1      0          0         " \
		"$(table | grep -F -- '-> 203.0.113.11:80')"
	check_proc "dest-check services"
	check_eq "--json: dest_check true, flags 6 (SYNPROXY | DEST_CHECK), owner none" "True 6 none" \
		"$(svc_json TCP 192.0.2.10 80 "s['dest_check'], s['flags'], s['owner']")"
	check_eq "--json: UDP flags 5 (PERSISTENT | DEST_CHECK)" "True 5" \
		"$(svc_json UDP 2001:db8:10::10 53 "s['dest_check'], s['flags']")"
	check_eq "--json: the real server's check: ok, no failures, nothing left, never inhibited" "ok 0 0 0" \
		"$(svc_json TCP 192.0.2.10 80 "tuple(s['destinations'][0]['check'][k] for k in ('state', 'fails', 'inhibit_left_ms', 'inhibits'))")"
	local rules
	rules=$(fnat -S -n)
	check_eq "-S writes --dest-check" "-A -t 192.0.2.10:80 -s rr -j --dest-check
-a -t 192.0.2.10:80 -r 203.0.113.11:80 -b -w 1
-A -u [2001:db8:10::10]:53 -s sh -p 60 --dest-check" "$rules"
	check "-E without --dest-check" fnat -E -t 192.0.2.10:80 -s rr -j
	check_eq "-E without --dest-check turns it off (as -j)" "TCP  192.0.2.10:80 rr synproxy" "$(table | grep -F 'TCP  192.0.2.10:80 ')"
	check_eq "--json: dest_check false, flags 2" "False 2" "$(svc_json TCP 192.0.2.10 80 "s['dest_check'], s['flags']")"
	check "-E with --dest-check only" fnat -E -t 192.0.2.10:80 -s rr --dest-check
	check_eq "dest-check back, the SYN proxy off" "TCP  192.0.2.10:80 rr dest-check" "$(table | grep -F 'TCP  192.0.2.10:80 ')"
	check "-C" fnat -C
	check "-R" fnat -R <<<"$rules"
	check_eq "-S, -C, -R: the same rules" "$rules" "$(fnat -S -n)"
	check_proc "dest-check services restored"
	snapshot
	expect_error "--dest-check with -a" "Illegal 'dest-check' option with the 'add-server' command" \
		fnat -a -t 192.0.2.10:80 -r 203.0.113.12 --dest-check
	fnat -C
}

# --prometheus against -L --stats, --json and /proc/net/ip_vs_fnat_stats, parsed by
# prometheus_client (Debian's python3-prometheus-client): the text must be valid
# exposition format, and a few values must be the kernel's.
test_prometheus() {
	fnat -C
	populate
	fnat -E -t 192.0.2.10:80 -s rr -j --dest-check
	fnat -P -z 203.0.113.200
	run fnat --prometheus
	check_eq "--prometheus: status 0" 0 "$RC"
	local prom=$OUT stats procstats
	stats=$(fnat -L -n --stats --exact)
	procstats=$(cat /proc/net/ip_vs_fnat_stats)
	check "--prometheus: parsed by prometheus_client, values as -L --stats, --json and /proc" \
		"$PY" - "$prom" "$stats" "$procstats" "$(fnat -L --json)" <<'PYEOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
prom, stats, procstats, listing = sys.argv[1:5]
samples = {}
for fam in text_string_to_metric_families(prom):
    for s in fam.samples:
        samples[(s.name, tuple(sorted(s.labels.items())))] = (fam.type, s.value)
def get(name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), ("missing", None))
ok = True
def expect(what, got, want):
    global ok
    if got != want:
        print(f"{what}: {got!r}, expected {want!r}")
        ok = False
web = dict(protocol='TCP', address='192.0.2.10', port='80')
expect("service_info of 192.0.2.10:80", get('ipvs_fnat_service_info', scheduler='rr', owner='none',
       synproxy='true', dest_check='true', **web), ('gauge', 1.0))
# -L -n --stats --exact: "TCP  192.0.2.10:80" then conns inpkts outpkts inbytes outbytes.
line = next(l for l in stats.splitlines() if l.startswith('TCP  192.0.2.10:80 '))
conns, inpkts, outpkts, inbytes, outbytes = map(int, line.split()[2:7])
expect("service connections", get('ipvs_fnat_service_connections_total', **web), ('counter', float(conns)))
expect("service incoming packets", get('ipvs_fnat_service_incoming_packets_total', **web)[1], float(inpkts))
expect("service outgoing bytes", get('ipvs_fnat_service_outgoing_bytes_total', **web)[1], float(outbytes))
rs = dict(web, server_address='203.0.113.12', server_port='8080')
expect("real server weight", get('ipvs_fnat_server_weight', **rs), ('gauge', 3.0))
expect("real server not inhibited", get('ipvs_fnat_server_inhibited', **rs)[1], 0.0)
d = json.loads(listing)
svc = next(s for s in d['services'] if s['address'] == '192.0.2.10' and s['port'] == 80)
expect("synproxy syn as --json", get('ipvs_fnat_service_synproxy_syn_total', **web)[1],
       float(svc['synproxy_stats']['syn']))
expect("UDP service has no SYN proxy counters", ('ipvs_fnat_service_synproxy_syn_total',
       tuple(sorted(dict(protocol='UDP', address='192.0.2.10', port='53').items()))) in samples, False)
expect("a service LIP", get('ipvs_fnat_laddr_connections', pool='service', local_address='203.0.113.100', **web),
       ('gauge', 0.0))
expect("the default pool LIP", get('ipvs_fnat_laddr_port_conflicts_total', pool='default',
       local_address='203.0.113.200'), ('counter', 0.0))
# /proc/net/ip_vs_fnat_stats: "conns" a gauge, every other line NAME_total.
for l in procstats.splitlines():
    f = l.split()
    if len(f) != 2:
        continue
    name = 'ipvs_fnat_conns' if f[0] == 'conns' else f'ipvs_fnat_{f[0]}_total'
    expect(name, get(name), ('gauge' if f[0] == 'conns' else 'counter', float(f[1])))
sys.exit(0 if ok else 1)
PYEOF
	check_eq "--prometheus takes no service" 2 "$(fnat --prometheus -t 192.0.2.10:80 >/dev/null 2>&1; echo $?)"
	fnat -C
	fnat -Q -z 203.0.113.200
	check_eq "clean again" "$titles" "$(table)"
}

test_module_not_loaded
test_load
test_fullnat_only
test_services
test_dests_and_laddrs
test_save_restore
test_synproxy
test_default_pool
test_dest_check
test_prometheus
test_errors
test_unprivileged
test_namespaces
test_live_connection
test_unload_with_services
finish
