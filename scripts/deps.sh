#!/bin/sh
# Installs the packages accord needs to build and test when they are missing.
# Debian/Ubuntu: apt-get (as root, or through sudo). macOS: prints the
# Homebrew line. Pass --fuzz to also want clang for the fuzz targets.
set -e

PC_MODULES="libuv libcurl libcjson yaml-0.1 libpcre2-8 check"
DEB_PACKAGES="build-essential curl python3 pkg-config libuv1-dev libcurl4-openssl-dev libcjson-dev libpcre2-dev libyaml-dev check jq"

want_fuzz=0
[ "${1:-}" = "--fuzz" ] && want_fuzz=1

missing() {
	command -v pkg-config >/dev/null 2>&1 || return 0
	for m in $PC_MODULES; do
		pkg-config --exists "$m" || return 0
	done
	command -v cc >/dev/null 2>&1 || return 0
	command -v make >/dev/null 2>&1 || return 0
	command -v curl >/dev/null 2>&1 || return 0
	command -v jq >/dev/null 2>&1 || return 0
	command -v python3 >/dev/null 2>&1 || return 0
	if [ $want_fuzz = 1 ]; then
		command -v clang >/dev/null 2>&1 || return 0
	fi
	return 1
}

if ! missing; then
	exit 0
fi

case "$(uname -s)" in
Darwin)
	echo "accord needs: brew install pkg-config libuv curl cjson pcre2 libyaml check jq llvm" >&2
	exit 1
	;;
esac

if command -v apt-get >/dev/null 2>&1; then
	SUDO=
	[ "$(id -u)" = 0 ] || SUDO=sudo
	pkgs=$DEB_PACKAGES
	[ $want_fuzz = 1 ] && pkgs="$pkgs clang libclang-rt-dev"
	echo "deps: installing $pkgs" >&2
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
	exit 0
fi

echo "accord: install these development packages with your package manager:" >&2
echo "  pkg-config libuv libcurl cjson pcre2 libyaml check (and clang for fuzzing)" >&2
exit 1
