#!/usr/bin/env bash
# DKMS registration of this checkout's modules (ipvs_fnat.ko, toa.ko).
#
#   packaging/dkms.sh install [KVER]   copy the module sources to
#                                      /usr/src/ipvs-fnat-VERSION, then dkms add, build
#                                      and install for KVER (default: DKMS's own, the
#                                      running kernel); DKMS then rebuilds them for
#                                      every kernel installed later (AUTOINSTALL)
#   packaging/dkms.sh uninstall        dkms remove for every kernel, and the sources
#   packaging/dkms.sh src DIR          only copy the sources DKMS needs into DIR
#
# Idempotent: install first removes an earlier registration of the same version, so a
# rerun (or a checkout that changed) replaces it. Needs root or sudo. Called by
# `make dkms-install` / `make dkms-uninstall` and by make test's DKMS stage.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$top/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
project_version=$(sed -n 's/^project([^ ]* VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")

die() { echo "dkms.sh: $*" >&2; exit 1; }
[ -n "$name" ] && [ -n "$version" ] || die "cannot read PACKAGE_NAME/PACKAGE_VERSION from dkms.conf"
[ "$version" = "$project_version" ] ||
	die "dkms.conf says version $version, CMakeLists.txt $project_version: make them agree"

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
srcdir=/usr/src/$name-$version

# The tree DKMS builds: dkms.conf and kernel/{include,ipvs_fnat,toa} with their
# sources and Kbuild files only (no objects of an earlier in-tree build). The layout is
# the repository's, because the Kbuild files include ../include.
copy_src() {
	local dest=$1 f
	"${sudo[@]}" mkdir -p "$dest"
	"${sudo[@]}" install -m 0644 "$top/dkms.conf" "$dest/dkms.conf"
	(cd "$top" && find kernel/include kernel/ipvs_fnat kernel/toa -type f \
		\( -name '*.c' -o -name '*.h' -o -name Kbuild \) ! -name '*.mod.c') |
		while IFS= read -r f; do
			"${sudo[@]}" install -D -m 0644 "$top/$f" "$dest/$f"
		done
}

registered() { [ -n "$(dkms status -m "$name" -v "$version" 2>/dev/null)" ]; }

unregister() {
	if registered; then
		"${sudo[@]}" dkms remove -m "$name" -v "$version" --all
	fi
	"${sudo[@]}" rm -rf "$srcdir"
}

case "${1:-}" in
install)
	command -v dkms >/dev/null || die "dkms is not installed (apt-get install dkms)"
	kopt=()
	[ -n "${2:-}" ] && kopt=(-k "$2")
	unregister
	copy_src "$srcdir"
	"${sudo[@]}" dkms add -m "$name" -v "$version"
	"${sudo[@]}" dkms build -m "$name" -v "$version" "${kopt[@]}"
	"${sudo[@]}" dkms install -m "$name" -v "$version" "${kopt[@]}"
	dkms status -m "$name" -v "$version"
	;;
uninstall)
	command -v dkms >/dev/null || die "dkms is not installed"
	unregister
	;;
src)
	[ -n "${2:-}" ] || die "usage: $0 src DIR"
	copy_src "$2"
	;;
*)
	echo "usage: $0 install [KVER] | uninstall | src DIR" >&2
	exit 2
	;;
esac
