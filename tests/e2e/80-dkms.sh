#!/usr/bin/env bash
# The modules as an operator installs them: built and installed by DKMS for this
# kernel (make test's host stage tests/install/run.sh runs packaging/dkms.sh for the
# test kernel; the guest sees the host's /lib/modules over 9p), loaded BY NAME with
# modprobe, then a short FULLNAT check and the boot-time restore of
# packaging/ipvsadm-fnat.service.in run as systemd would run it.
#
#   client ------------- director ------------------ lan bridge --- rs1, rs2 (toa)
#   198.51.100.2         VIP 192.0.2.10 (lo)                          203.0.113.11, .12
#                        LIP 203.0.113.100 (rs0)
#
# Without a DKMS installation from this checkout every stage here fails (it does not
# skip): run `packaging/dkms.sh install $(uname -r of the guest)` on the host first.
. "$(dirname "$0")/lib.sh"

KVER=$(uname -r)
DKMS_DIR=/lib/modules/$KVER/updates/dkms
fnat() { on director "$FNAT_TOOL" "$@"; }

# modinfo's view of a module name or file, one field.
field() { modinfo -F "$2" "$1" 2>/dev/null; }

# check_dkms_module NAME: modprobe resolves NAME to DKMS's file, built from the same
# sources as this checkout's build/NAME.ko (modpost's srcversion hashes the sources).
check_dkms_module() {
	local m=$1 path want got
	path=$(modinfo -n "$m" 2>/dev/null)
	case "$path" in
	"$DKMS_DIR/$m.ko"*) pass "modprobe finds $m in DKMS's $DKMS_DIR ($(basename "$path"))" ;;
	*)
		fail "$m is not installed by DKMS for $KVER (modinfo -n: '${path:-nothing}'): run packaging/dkms.sh install $KVER on the host (make test does)"
		return 1
		;;
	esac
	want=$(field "$BUILD/$m.ko" srcversion)
	got=$(field "$path" srcversion)
	check_eq "the DKMS $m was built from this checkout's sources (srcversion)" "$want" "$got"
}

# load NAME: modprobe by name; the loaded module is the DKMS file (same srcversion).
load() {
	local m=$1
	check "modprobe $m (by name)" modprobe "$m"
	at_exit "modprobe -r $m"
	check_eq "the loaded $m is the DKMS one" "$(field "$(modinfo -n "$m")" srcversion)" \
		"$(cat "/sys/module/$m/srcversion" 2>/dev/null)"
}

# Installed, the module is also loaded on demand: the tool's first netlink request
# asks genetlink for the IPVS_FNAT family, and the kernel runs modprobe for the
# family's alias. tests/e2e/run.sh blacklists the aliases for the other tests; here
# the blacklist is set aside for a moment.
test_autoload() {
	local bl=/etc/modprobe.d/e2e-no-autoload.conf out
	[ -f "$bl" ] && mv "$bl" "$bl.off" && at_exit "mv $bl.off $bl"
	out=$("$FNAT_TOOL" -L -n 2>&1)
	check "installed, ipvs_fnat is loaded on demand by the tool's first request (genetlink alias)" \
		grep -q '^ipvs_fnat ' /proc/modules
	check "... and the listing works: $(head -n 1 <<<"$out")" grep -q '^IP Virtual Server FULLNAT' <<<"$out"
	check "rmmod ipvs_fnat after the autoload" rmmod ipvs_fnat
	[ -f "$bl.off" ] && mv "$bl.off" "$bl"
}

setup_topology() {
	topo_standard
	addr director rs0 203.0.113.100/24
	nginx_start rs1 rs1 && nginx_start rs2 rs2
}

test_fullnat() {
	local out i
	fnat -A -t 192.0.2.10:80 -s rr
	fnat -a -t 192.0.2.10:80 -r 203.0.113.11:80 -b
	fnat -a -t 192.0.2.10:80 -r 203.0.113.12:80 -b
	fnat -P -t 192.0.2.10:80 -z 203.0.113.100
	out=""
	for i in 1 2 3 4; do out+="$(on client curl -s -m 10 http://192.0.2.10/)"$'\n'; done
	check_eq "4 requests through the DKMS ipvs_fnat, 2 per server, each seeing the client (DKMS toa)" \
		"2 rs1 198.51.100.2|2 rs2 198.51.100.2" \
		"$(echo "$out" | grep -v '^$' | sort | uniq -c | sed 's/^ *//' | paste -sd'|')"
	check "the access logs show the client, not the LIP" \
		bash -c "grep -q '^198.51.100.2 GET / ' $E2E_TMP/rs1/access.log &&
			! grep -q '^203.0.113.100 ' $E2E_TMP/rs1/access.log $E2E_TMP/rs2/access.log"
}

# The unit's Exec lines, as systemd runs them: ExecStartPre (modprobe, clear) and
# ExecStart (-R) with the rules file as standard input. Here with this checkout's
# tool for @SBINDIR@ and inside the director's namespace.
unit_exec() {
	local key=$1 rules=$2 line cmd
	while IFS= read -r line; do
		cmd=${line#"$key"=}
		cmd=${cmd//@SBINDIR@/$BUILD}
		# shellcheck disable=SC2086 # the unit's words, as systemd splits them
		on director $cmd <"$rules" || return 1
	done < <(grep "^$key=" "$TOP/packaging/ipvsadm-fnat.service.in")
}
unit_start() { unit_exec ExecStartPre "$1" && unit_exec ExecStart "$1"; }

test_boot_restore() {
	local rules=$E2E_TMP/ipvsadm-fnat.rules saved
	fnat -A -u 192.0.2.10:53 -s sh -p 120
	fnat -a -u 192.0.2.10:53 -r 203.0.113.11:5353 -b -w 2
	fnat -P -u 192.0.2.10:53 -z 203.0.113.100
	fnat -S -n >"$rules"
	saved=$(cat "$rules")
	fnat -C
	check "the unit's start (modprobe, -C, -R < rules file) restores the rules" unit_start "$rules"
	check_eq "after the restore -S -n is the rules file" "$saved" "$(fnat -S -n)"
	check "a second start (restart) restores again over the restored table" unit_start "$rules"
	check_eq "after the restart -S -n is still the rules file" "$saved" "$(fnat -S -n)"
	check "the unit's stop clears the table" unit_exec ExecStop "$rules"
	check_eq "no service is left after stop" "" "$(fnat -S -n)"
}

if [ ! -d "$DKMS_DIR" ]; then
	fail "no $DKMS_DIR: the modules were not installed with DKMS for $KVER (run packaging/dkms.sh install $KVER on the host; make test does)"
elif check_dkms_module ipvs_fnat && check_dkms_module toa; then
	if grep -qE '^(ipvs_fnat|toa) ' /proc/modules; then
		fail "ipvs_fnat or toa already loaded before this test"
	else
		test_autoload
		load ipvs_fnat
		load toa
		if setup_topology; then
			test_fullnat
			test_boot_restore
		else
			fail "setup: topology and nginx"
		fi
		cleanup
		check_fails "modprobe -r unloaded both modules" grep -qE '^(ipvs_fnat|toa) ' /proc/modules
	fi
fi
finish
