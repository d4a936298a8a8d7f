#!/usr/bin/env bash
# The IPVS_FNAT generic-netlink control plane of ipvs_fnat.ko: the family, its
# contract case by case (fnat-nlcheck), permissions, per-namespace state and
# /proc/net/ip_vs_fnat, namespace deletion, the kernel's own ip_vs alongside, and
# unloading with services configured. No traffic flows: no links are needed.
#
#   init netns (the guest)      nlA, nlB, nlC, ...: empty namespaces, lo only; each
#     ipvs_fnat.ko loaded        its own tables; fnat-nlcheck runs inside one of them
#     ip_vs (kernel's) loaded    and, without CAP_NET_ADMIN over it, from an unshared
#                                user namespace (unshare -U -r)
. "$(dirname "$0")/lib.sh"

NLCHECK=$TOOLBIN/fnat-nlcheck
KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko} # FNAT_KO: test another build of the module

# The listing of fnat-nlcheck --sample, as /proc/net/ip_vs_fnat must print it.
sample_listing() {
	local v
	v=$(cat /sys/module/ipvs_fnat/version)
	cat <<EOF
IP Virtual Server FULLNAT version $v (size=${1:-1048576})
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
  => LocalAddress                 Conflicts  Conns
TCP  192.0.2.10:80 rr
  -> 203.0.113.11:80              FullNat 1      0          0         
  -> 203.0.113.12:8080            FullNat 2      0          0         
  => 203.0.113.100                0          0
UDP  [2001:db8:10::10]:53 sh persistent 120 mask 64
  -> [2001:db8:5::11]:53          FullNat 1      0          0         
  => 2001:db8:5::100              0          0
TCP  192.0.2.10:443 wrr persistent 300 mask 255.255.255.0
  -> 203.0.113.12:443             FullNat 65535  0          0         
EOF
}

empty_listing() {
	sample_listing "$@" | head -n 4
}

loaded() { grep -q '^ipvs_fnat ' /proc/modules; }

test_load() {
	check "ipvs_fnat.ko loads" insmod "$KO"
	check "genl ctrl shows the IPVS_FNAT family" grep -q 'Name: IPVS_FNAT' <(genl ctrl get name IPVS_FNAT)
	check_eq "/proc/net/ip_vs_fnat in the initial namespace, empty" "$(empty_listing)" \
		"$(cat /proc/net/ip_vs_fnat)"
}

test_nlcheck() {
	ns_add nlA
	local out rc
	out=$(on nlA "$NLCHECK" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^ok ' | sed 's/^/     | /'
	check_eq "fnat-nlcheck: every case as the contract says ($(tail -n 1 <<<"$out"))" 0 "$rc"
	check_eq "fnat-nlcheck left the namespace empty" "$(empty_listing)" \
		"$(on nlA cat /proc/net/ip_vs_fnat)"
	cleanup
}

test_permissions() {
	ns_add nlA
	check "sample configuration" on nlA "$NLCHECK" --sample
	local out rc
	# root in a new user namespace, but the network namespace is still owned by the
	# initial one: no CAP_NET_ADMIN over it
	out=$(on nlA unshare -U -r -- "$NLCHECK" --unpriv 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^ok ' | sed 's/^/     | /'
	check_eq "without CAP_NET_ADMIN over the netns: GETs work, every change and GET_CONN is EPERM" 0 "$rc"
	check_eq "... and nothing changed" "$(sample_listing)" "$(on nlA cat /proc/net/ip_vs_fnat)"
	# the same user in a network namespace its user namespace owns may configure it
	out=$(unshare -U -r -n -- sh -c "'$NLCHECK' --sample && cat /proc/net/ip_vs_fnat" 2>&1)
	check_eq "CAP_NET_ADMIN over its own user namespace's netns is enough" "$(sample_listing)" "$out"
	cleanup
}

test_namespaces() {
	ns_add nlA
	ns_add nlB
	check "configuration in nlA" on nlA "$NLCHECK" --sample
	check_eq "/proc/net/ip_vs_fnat of nlA lists it" "$(sample_listing)" "$(on nlA cat /proc/net/ip_vs_fnat)"
	check_eq "/proc/net/ip_vs_fnat of nlB stays empty" "$(empty_listing)" "$(on nlB cat /proc/net/ip_vs_fnat)"
	check_eq "the initial namespace stays empty" "$(empty_listing)" "$(cat /proc/net/ip_vs_fnat)"
	check "nlB's GET_INFO counts no service" grep -q 'services=0$' <(on nlB "$NLCHECK" --state)
	check "nlA's GET_INFO counts three" grep -q 'services=3$' <(on nlA "$NLCHECK" --state)
	check "a configuration in nlB" on nlB "$NLCHECK" --sample
	on nlA "$NLCHECK" >/dev/null 2>&1 # flushes nlA (and runs every case there)
	check_eq "flushing nlA leaves nlB's" "$(sample_listing)" "$(on nlB cat /proc/net/ip_vs_fnat)"
	cleanup
}

test_netns_delete() {
	local i
	for i in 1 2 3; do
		ns_add "nlD$i"
		on "nlD$i" "$NLCHECK" --sample >/dev/null
	done
	check "a namespace with services is deleted" ip netns del nlD1
	check "two more at once" sh -c 'ip netns del nlD2 & ip netns del nlD3 & wait'
	E2E_NS=()
	check "the module still answers" "$NLCHECK" --state
}

test_ip_vs_alongside() {
	check "the kernel's ip_vs loads next to ipvs_fnat" modprobe ip_vs
	at_exit "ipvsadm -C; modprobe -r ip_vs_rr ip_vs"
	check "ipvsadm -A -t 192.0.2.20:80 -s rr works alongside" ipvsadm -A -t 192.0.2.20:80 -s rr
	check "ipvsadm -a works alongside" ipvsadm -a -t 192.0.2.20:80 -r 203.0.113.11:80 -m
	check "ipvsadm lists its own service" grep -q '192.0.2.20:80' <(ipvsadm -L -n)
	ns_add nlA
	check "ipvs_fnat configures alongside" on nlA "$NLCHECK" --sample
	check_eq "ipvs_fnat lists its own" "$(sample_listing)" "$(on nlA cat /proc/net/ip_vs_fnat)"
	check "ipvsadm does not see ipvs_fnat's services" sh -c '! ipvsadm -L -n | grep -q 192.0.2.10'
	check "fnat-nlcheck passes with ip_vs loaded" on nlA "$NLCHECK"
	cleanup
	check "ip_vs unloads" sh -c '! grep -q "^ip_vs " /proc/modules'
}

test_unload_with_services() {
	local i
	for i in 1 2 3; do
		ns_add "nlU$i"
		on "nlU$i" "$NLCHECK" --sample >/dev/null
	done
	"$NLCHECK" --sample >/dev/null # the initial namespace too
	check "rmmod with services in four namespaces" rmmod ipvs_fnat
	check "/proc/net/ip_vs_fnat is gone" test ! -e /proc/net/ip_vs_fnat
	check "... in every namespace" sh -c '! ip netns exec nlU2 test -e /proc/net/ip_vs_fnat'
	check "the family is gone" sh -c '! genl ctrl get name IPVS_FNAT'
	cleanup
}

test_reload() {
	local i ok=0
	ns_add nlR
	for i in 1 2 3 4 5; do
		insmod "$KO" && on nlR "$NLCHECK" --sample >/dev/null && "$NLCHECK" --sample >/dev/null &&
			rmmod ipvs_fnat && ok=$((ok + 1))
	done
	check_eq "load, configure, unload five times" 5 "$ok"
	check "conn_tab_bits=12" insmod "$KO" conn_tab_bits=12
	check_eq "CONN_TAB_SIZE and the listing follow conn_tab_bits" "$(empty_listing 4096)" \
		"$(on nlR cat /proc/net/ip_vs_fnat)"
	check "rmmod" rmmod ipvs_fnat
	check_fails "conn_tab_bits=30 is refused" insmod "$KO" conn_tab_bits=30
	loaded && rmmod ipvs_fnat
	cleanup
}

test_load
test_nlcheck
test_permissions
test_namespaces
test_netns_delete
test_ip_vs_alongside
test_unload_with_services
test_reload
finish
