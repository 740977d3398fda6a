#!/bin/sh
# roundtrip.sh: accord must write back what it reads. For each pact file in
# SHARED_DIR/fixtures-pactjs (written by the official Pact tooling):
#
#   same     convert --to same         is JSON-equal to the input
#   v4       convert --to v4, then back to the file's own version: JSON-equal
#   yaml     convert --to yaml, then back to the file's own version: JSON-equal
#   stable   converting the same file twice (with -o) gives identical bytes,
#            and converting accord's own output again changes nothing
#   bytes    convert --to same -o writes the very bytes the Pact library
#            wrote (sorted keys, two-space indent, no final newline)
#
# JSON equality (object key order ignored) is tests/tools/tool_jsoneq, found
# beside the binary: $(dirname BINARY)/tests/tool_jsoneq.
#
# usage: tests/roundtrip.sh BINARY SHARED_DIR
# Prints "ok NAME" or "FAIL NAME" per test and ends with
# "roundtrip: N passed, N failed"; exits 1 if anything failed.
set -u

if [ $# -ne 2 ]; then
	echo "usage: tests/roundtrip.sh BINARY SHARED_DIR" >&2
	exit 2
fi
bin=$1
shared=$2
jsoneq=$(dirname "$bin")/tests/tool_jsoneq
# build/accord is a copy of build/release/accord: look there too.
if [ ! -x "$jsoneq" ] && [ -x "$(dirname "$bin")/release/tests/tool_jsoneq" ]; then
	jsoneq=$(dirname "$bin")/release/tests/tool_jsoneq
fi

passed=0
failed=0
pass() {
	echo "ok $1"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL $1"
	shift
	for l in "$@"; do
		printf '    %s\n' "$l"
	done
	[ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err" | head -20
	failed=$((failed + 1))
}

if [ ! -x "$jsoneq" ]; then
	echo "FAIL roundtrip: $jsoneq not built (make $jsoneq)"
	echo "roundtrip: 0 passed, 1 failed"
	exit 1
fi
set -- "$shared"/fixtures-pactjs/*.json
if [ ! -f "$1" ]; then
	echo "FAIL roundtrip: no pact files in $shared/fixtures-pactjs"
	echo "roundtrip: 0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/accord-roundtrip.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Runs accord, its stderr into $tmp/err; returns accord's exit status.
accord() {
	"$bin" "$@" 2>"$tmp/err"
}

for f in "$@"; do
	name=$(basename "$f" .json)
	: >"$tmp/err"

	# The file's own version, from validate's "(Pact 2.0.0, ...)".
	own=$(accord validate "$f" |
		sed -n 's/.*(Pact \([0-9]\)[.0-9]*, .*/v\1/p')
	case $own in
	v2 | v3 | v4) ;;
	*)
		fail "roundtrip-version $name" "cannot tell the version from 'accord validate'"
		continue
		;;
	esac

	# A v2 query is one string. v4 holds the decoded parameters, so on
	# the way back accord encodes them again: the inventory file's
	# "skus=BOO-0042%2cMUG-0007" returns as "skus=BOO-0042,MUG-0007"
	# (a comma needs no escape in a query). Both mean the same
	# parameters, so compare query strings after percent-decoding them.
	eqopt=
	[ "$own" = v2 ] && eqopt=--decode-query

	# same: the file's own version, JSON-equal to the input
	if accord convert --to same "$f" >"$tmp/same.json"; then
		if "$jsoneq" "$f" "$tmp/same.json" 2>"$tmp/err"; then
			pass "roundtrip-same $name"
		else
			fail "roundtrip-same $name" "convert --to same is not JSON-equal to the input"
		fi
	else
		fail "roundtrip-same $name" "convert --to same failed"
	fi

	# v4 and back
	if accord convert --to v4 "$f" >"$tmp/v4.json" &&
		accord convert --to "$own" "$tmp/v4.json" >"$tmp/back.json"; then
		if "$jsoneq" $eqopt "$f" "$tmp/back.json" 2>"$tmp/err"; then
			pass "roundtrip-v4 $name"
		else
			fail "roundtrip-v4 $name" "convert --to v4, then --to $own, is not JSON-equal to the input"
		fi
	else
		fail "roundtrip-v4 $name" "convert to v4 and back to $own failed"
	fi

	# yaml and back
	if accord convert --to yaml "$f" >"$tmp/c.yaml" &&
		accord convert --to "$own" "$tmp/c.yaml" >"$tmp/back.json"; then
		if "$jsoneq" $eqopt "$f" "$tmp/back.json" 2>"$tmp/err"; then
			pass "roundtrip-yaml $name"
		else
			fail "roundtrip-yaml $name" "convert --to yaml, then --to $own, is not JSON-equal to the input"
		fi
	else
		fail "roundtrip-yaml $name" "convert to yaml and back to $own failed"
	fi

	# stable: deterministic, and a fixed point
	if accord convert --to same -o "$tmp/one.json" "$f" &&
		accord convert --to same -o "$tmp/two.json" "$f" &&
		accord convert --to same -o "$tmp/three.json" "$tmp/one.json"; then
		if ! cmp -s "$tmp/one.json" "$tmp/two.json"; then
			fail "roundtrip-stable $name" "two conversions of the same file differ"
		elif ! cmp -s "$tmp/one.json" "$tmp/three.json"; then
			fail "roundtrip-stable $name" "converting accord's own output changed it"
		else
			pass "roundtrip-stable $name"
		fi
	else
		fail "roundtrip-stable $name" "convert --to same -o failed"
	fi

	# bytes: one.json, from -o above, against the original
	if [ ! -f "$tmp/one.json" ]; then
		fail "roundtrip-bytes $name" "convert --to same -o wrote nothing"
	elif cmp "$f" "$tmp/one.json" >"$tmp/err" 2>&1; then
		pass "roundtrip-bytes $name"
	else
		fail "roundtrip-bytes $name" "convert --to same -o is not byte-identical to the input"
	fi
	rm -f "$tmp/one.json" "$tmp/two.json" "$tmp/three.json"
done

echo "roundtrip: $passed passed, $failed failed"
[ $failed -eq 0 ]
