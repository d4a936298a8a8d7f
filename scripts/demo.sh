#!/usr/bin/env bash
# make demo: FULLNAT in action, inside the test guest (scripts/vm-run runs this).
#
#   client ------------- director ------------------------ rs1, rs2 (nginx + toa.ko)
#   198.51.100.2         VIP 192.0.2.10:80 (ipvs_fnat.ko)    203.0.113.11, 203.0.113.12
#                        LIP 203.0.113.100
#
# The client fetches http://192.0.2.10/ a few times. The director rewrites each
# connection to come from its LIP and go to a real server, carrying the client's
# address in a TCP option; toa.ko on the real servers hands it to nginx, whose access
# logs show the client (198.51.100.2), not the director's LIP.
set -u
. "$(dirname "$0")/../tests/e2e/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {
	printf '$ %s\n' "$*"
	"$@"
}
fnat() { on director "$FNAT_TOOL" "$@"; }

for f in "$BUILD/ipvs_fnat.ko" "$BUILD/toa.ko" "$FNAT_TOOL"; do
	[ -e "$f" ] || { echo "demo: $f is missing: run make first" >&2; exit 1; }
done

say "Topology: client, director, two real servers (network namespaces)"
topo_standard
addr director rs0 203.0.113.100/24
on director ip -brief addr | sed 's/^/   director: /'

say "Modules: ipvs_fnat.ko on the director, toa.ko on the real servers"
insmod "$BUILD/ipvs_fnat.ko" || exit 1
at_exit "rmmod ipvs_fnat"
insmod "$BUILD/toa.ko" || exit 1
at_exit "rmmod toa"
grep -E '^(ipvs_fnat|toa) ' /proc/modules | awk '{print "   loaded: " $1}'

say "nginx on both real servers"
nginx_start rs1 rs1 || exit 1
nginx_start rs2 rs2 || exit 1
echo "   rs1 and rs2 listen on port 80; their access logs record the peer address"

say "A FULLNAT service: VIP 192.0.2.10:80, round robin, one local address"
run fnat -A -t 192.0.2.10:80 -s rr
run fnat -a -t 192.0.2.10:80 -r 203.0.113.11:80 -b
run fnat -a -t 192.0.2.10:80 -r 203.0.113.12:80 -b
run fnat -P -t 192.0.2.10:80 -z 203.0.113.100
run fnat -L -n

say "The client (198.51.100.2) fetches http://192.0.2.10/ six times"
ok=0
for i in 1 2 3 4 5 6; do
	reply=$(on client curl -s -m 5 http://192.0.2.10/) && ok=$((ok + 1))
	echo "   request $i -> ${reply:-(no answer)}"
done

say "nginx access log on rs1"
sed 's/^/   /' "$E2E_TMP/rs1/access.log"
say "nginx access log on rs2"
sed 's/^/   /' "$E2E_TMP/rs2/access.log"

say "What the director counted"
run fnat -L -n --stats
echo
grep -E '^(conn_new|toa_added|in_pkts|out_pkts) ' <(on director cat /proc/net/ip_vs_fnat_stats) |
	sed 's/^/   /'

# The demo has worked if every request was answered and the logs show the client.
logged=$(cat "$E2E_TMP"/rs*/access.log | grep -c '^198\.51\.100\.2 ')
lip=$(cat "$E2E_TMP"/rs*/access.log | grep -c '^203\.0\.113\.100 ')
echo
if [ "$ok" -eq 6 ] && [ "$logged" -eq 6 ] && [ "$lip" -eq 0 ]; then
	echo "demo: 6 of 6 requests answered; the real servers logged the client 198.51.100.2 every time."
	status=0
else
	echo "demo: FAILED: $ok of 6 answered, $logged logged with the client address, $lip with the LIP" >&2
	status=1
fi
cleanup
exit $status
