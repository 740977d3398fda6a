#!/bin/sh
# fixtures.sh: runs the fixture-driven tests, one directory per test, in
# the spirit of curl's tests/data: what goes in, the command, and the bytes
# that must come out. Two families: fixtures/cli/ (a command line) and
# fixtures/stub/ (raw bytes sent to `accord stub` over a socket).
#
# usage: tests/fixtures.sh BINARY SHARED_DIR [NAME...]
#
# With NAMEs, only the fixtures whose directory name contains one of them
# run (and the round-trip tests are left out). Each fixtures/cli/NNNN-slug/
# holds:
#
#   cmd          the arguments to accord, on one line. It is read by the
#                shell (eval "set -- LINE"), so quote paths: $DIR is the
#                fixture's directory, $SHARED the shared directory and $TMP
#                a scratch directory, which is also the working directory.
#   expect       "exit: N" on its first line; any further lines describe the
#                test and are not read.
#   stdout       optional: the exact bytes expected on standard output,
#   stderr       optional: and on standard error. Before comparing, the
#                directory paths in the output are replaced by the literal
#                strings $DIR, $TMP and $SHARED. An empty file asserts
#                that nothing is written; a missing one is not checked.
#   stdin        optional: fed to accord (else /dev/null).
#   before       optional: a shell script run before accord, in $TMP (with
#                DIR, TMP and SHARED in its environment), to lay out what
#                a folder in git cannot hold (symbolic-link loops, modes);
#                it must exit 0.
#   after        optional: a shell script run after accord (with DIR, TMP,
#                SHARED and ACCORD, the binary, in its environment). It must
#                exit 0, and its standard output is compared, paths replaced
#                as above, with
#   after-stdout optional.
#
# Every other file is an input. Each fixtures/stub/NNNN-slug/ is run by
# run_stub_one below: its files and rules are in fixtures/stub/README.md.
# The stub family needs tests/tool_http built beside BINARY (build/X/tests/).
#
# Prints "ok NAME" or "FAIL NAME" and the reasons, then
# tests/roundtrip.sh's results, and ends with the line
# "fixtures: N passed, N failed"; exits 1 if anything failed.
set -u

if [ $# -lt 2 ]; then
	echo "usage: tests/fixtures.sh BINARY SHARED_DIR [NAME...]" >&2
	exit 2
fi
bin=$1
shared_arg=$2
shift 2

here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=$(dirname "$here")
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin" ]; then
	echo "fixtures: $bin is not an executable" >&2
	exit 2
fi
SHARED=$(cd "$shared_arg" 2>/dev/null && pwd) || SHARED=$shared_arg

# start_server (the stub family), poll; its traps are replaced below
. "$here/lib.sh"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/accord-fixtures.XXXXXX") || exit 2
PID=
trap '[ -z "$PID" ] || kill -KILL $PID 2>/dev/null; rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

# A hanging accord (say, a regex without limits) must fail, not block CI.
# A stub is stopped with SIGTERM: --foreground passes it on to the stub
# alone (without it, timeout signals its whole process group too, and the
# second SIGTERM kills a stub that is shutting down after the first).
if command -v timeout >/dev/null 2>&1; then
	limit="timeout 60"
	stub_limit=
	timeout --foreground 1 true 2>/dev/null &&
		stub_limit="timeout --foreground 60"
else
	limit=
	stub_limit=
fi

passed=0
failed=0

# Escapes a string for use as a literal sed pattern (delimiter '/').
sed_literal() {
	printf '%s\n' "$1" | sed 's/[]\/$*.^&[]/\\&/g'
}

# Replaces the test's paths in file $1 by $DIR, $TMP and $SHARED, writing $2.
# $DIR first: it is the most specific and may lie inside $SHARED.
normalise() {
	sed -e "s/$(sed_literal "$DIR")/\$DIR/g" \
		-e "s/$(sed_literal "$TMP")/\$TMP/g" \
		-e "s/$(sed_literal "$SHARED")/\$SHARED/g" "$1" >"$2"
}

# Compares expected file $1 with actual file $2 (already normalised).
# Prints a diff into $log on a difference and returns 1.
same() {
	if cmp -s "$1" "$2"; then
		return 0
	fi
	echo "    $3 differs (- expected, + actual):" >>"$log"
	if command -v diff >/dev/null 2>&1; then
		diff -u "$1" "$2" | sed -e '1,2d' -e 's/^/    /' >>"$log"
	else
		{
			echo "    --- expected"
			sed 's/^/    /' "$1"
			echo "    +++ actual"
			sed 's/^/    /' "$2"
		} >>"$log"
	fi
	return 1
}

selected() {
	[ $# -gt 1 ] || return 0
	name=$1
	shift
	for pat in "$@"; do
		case $name in
		*"$pat"*) return 0 ;;
		esac
	done
	return 1
}

# verdict NAME: prints "ok NAME", or "FAIL NAME" and the reasons in $log,
# as $ok says, and counts it
verdict() {
	if [ $ok -eq 1 ]; then
		echo "ok $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		cat "$log"
		failed=$((failed + 1))
	fi
}

run_one() {
	d=$1
	name=$(basename "$d")
	DIR=$d
	TMP=$scratch/$name
	log=$scratch/$name.log
	mkdir -p "$TMP"
	: >"$log"
	ok=1

	line=
	if [ -f "$d/cmd" ]; then
		# read fails on a last line without a newline, yet sets it
		IFS= read -r line <"$d/cmd" || :
	fi
	if [ -z "$line" ]; then
		echo "    no command in $name/cmd" >>"$log"
		ok=0
	fi
	want=
	if [ -f "$d/expect" ]; then
		want=$(sed -n '1s/^exit:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' "$d/expect")
	fi
	if [ -z "$want" ]; then
		echo "    $name/expect must start with 'exit: N'" >>"$log"
		ok=0
	fi

	if [ $ok -eq 1 ] && [ -f "$d/before" ]; then
		(
			cd "$TMP" || exit 125
			DIR=$DIR TMP=$TMP SHARED=$SHARED exec sh "$d/before"
		) </dev/null >"$TMP/.before" 2>&1
		brc=$?
		if [ $brc -ne 0 ]; then
			echo "    before: exit status $brc" >>"$log"
			sed 's/^/    /' "$TMP/.before" | head -20 >>"$log"
			ok=0
		fi
	fi

	if [ $ok -eq 1 ]; then
		input=/dev/null
		[ -f "$d/stdin" ] && input=$d/stdin
		(
			cd "$TMP" || exit 125
			eval "set -- $line" || exit 125
			exec $limit "$bin" "$@"
		) <"$input" >"$TMP/.stdout" 2>"$TMP/.stderr"
		rc=$?
		if [ "$rc" != "$want" ]; then
			echo "    exit status $rc, expected $want" >>"$log"
			ok=0
		fi
		for stream in stdout stderr; do
			[ -f "$d/$stream" ] || continue
			normalise "$TMP/.$stream" "$TMP/.$stream.n"
			same "$d/$stream" "$TMP/.$stream.n" "$stream" || ok=0
		done
		if [ $ok -eq 0 ] && [ ! -f "$d/stderr" ] && [ -s "$TMP/.stderr" ]; then
			echo "    stderr was:" >>"$log"
			sed 's/^/    /' "$TMP/.stderr" | head -20 >>"$log"
		fi
		if [ -f "$d/after" ]; then
			(
				cd "$TMP" || exit 125
				DIR=$DIR TMP=$TMP SHARED=$SHARED ACCORD=$bin \
					exec sh "$d/after"
			) </dev/null >"$TMP/.after" 2>"$TMP/.after-err"
			arc=$?
			if [ $arc -ne 0 ]; then
				echo "    after: exit status $arc" >>"$log"
				sed 's/^/    /' "$TMP/.after-err" | head -20 >>"$log"
				ok=0
			fi
			if [ -f "$d/after-stdout" ]; then
				normalise "$TMP/.after" "$TMP/.after.n"
				same "$d/after-stdout" "$TMP/.after.n" \
					"after's stdout" || ok=0
			fi
		fi
	fi
	verdict "$name"
}

# A fixture of the stub family: `accord stub --port 0` with the folder's
# faults.yaml, args and contract (or fixtures/stub/default.yaml), the
# bytes of `request` sent over one connection by tool_http, and what comes
# back until the server ends the connection compared with `response`;
# `end` (optional) says how it must end: close (FIN) or reset (RST). The
# stub must then exit 0 on SIGTERM.
run_stub_one() {
	d=$1
	name=stub/$(basename "$d")
	DIR=$d
	TMP=$scratch/stub-$(basename "$d")
	log=$TMP.log
	mkdir -p "$TMP"
	: >"$log"
	ok=1

	contract=$root/fixtures/stub/default.yaml
	for c in "$d/contract.json" "$d/contract.yaml" "$d/contract.yml"; do
		if [ -f "$c" ]; then
			contract=$c
			break
		fi
	done
	line=
	if [ -f "$d/args" ]; then
		IFS= read -r line <"$d/args" || :
	fi
	want_end=
	if [ -f "$d/end" ]; then
		IFS= read -r want_end <"$d/end" || :
	fi
	case $want_end in
	'' | close | reset) ;;
	*)
		echo "    $name/end must say close or reset" >>"$log"
		ok=0
		;;
	esac
	if [ ! -f "$d/request" ]; then
		echo "    no $name/request" >>"$log"
		ok=0
	fi

	PID=
	if [ $ok -eq 1 ]; then
		set -- stub --port 0
		[ -f "$d/faults.yaml" ] && set -- "$@" --faults "$d/faults.yaml"
		# a syntax error in eval would end this shell: try it in one
		# of its own first
		if ! (eval "set -- $line") 2>/dev/null; then
			echo "    $name/args does not read as shell words" >>"$log"
			ok=0
		else
			eval "set -- \"\$@\" $line"
			if ! start_server "$TMP/.out" "$TMP/.stderr" \
				$stub_limit "$bin" "$@" "$contract"; then
				kill -TERM $PID 2>/dev/null
				wait $PID
				echo "    the stub did not start (exit" \
					"status $?)" >>"$log"
				PID=
				ok=0
			fi
		fi
	fi

	if [ $ok -eq 1 ]; then
		"$http_tool" 127.0.0.1 "$PORT" <"$d/request" \
			>"$TMP/.response" 2>"$TMP/.http-stderr"
		case $? in
		0) got_end=close ;;
		4) got_end=reset ;;
		3) got_end="no end: the connection was still open after 5 s" ;;
		*) got_end="tool_http failed: $(cat "$TMP/.http-stderr")" ;;
		esac
		case $want_end:$got_end in
		close:close | reset:reset | :close | :reset) ;;
		*)
			echo "    the connection ended by $got_end," \
				"expected ${want_end:-close or reset}" >>"$log"
			ok=0
			;;
		esac
		if [ ! -f "$d/response" ]; then
			cp "$TMP/.response" "$d/response.new"
			echo "    no $name/response: what came back is in" \
				"$name/response.new" >>"$log"
			ok=0
		elif ! cmp -s "$d/response" "$TMP/.response"; then
			# cat -v shows CR, NUL and the rest as text
			cat -v "$d/response" >"$TMP/.want"
			cat -v "$TMP/.response" >"$TMP/.got"
			same "$TMP/.want" "$TMP/.got" "response" || :
			ok=0
		fi
	fi

	if [ -n "$PID" ]; then
		kill -TERM $PID 2>/dev/null
		wait $PID
		src=$?
		PID=
		if [ $src -ne 0 ]; then
			echo "    the stub exited with status $src after SIGTERM" \
				>>"$log"
			ok=0
		fi
	fi
	if [ $ok -eq 0 ] && [ -s "$TMP/.stderr" ]; then
		echo "    the stub's stderr:" >>"$log"
		sed 's/^/    /' "$TMP/.stderr" | head -20 >>"$log"
	fi
	verdict "$name"
}

# walk FAMILY RUN [NAME...]: RUN on each selected fixtures/FAMILY/NNNN-slug
walk() {
	family=$1
	runner=$2
	shift 2
	for d in "$root/fixtures/$family"/[0-9][0-9][0-9][0-9]-*/; do
		[ -d "$d" ] || continue
		d=${d%/}
		selected "$(basename "$d")" "$@" || continue
		found=$((found + 1))
		$runner "$d"
	done
}

found=0
walk cli run_one "$@"
http_tool=$(dirname "$bin")/tests/tool_http
if [ -x "$http_tool" ]; then
	walk stub run_stub_one "$@"
elif [ $# -eq 0 ]; then
	echo "FAIL stub fixtures: $http_tool is missing"
	failed=$((failed + 1))
fi
if [ $found -eq 0 ]; then
	echo "FAIL fixtures: nothing selected under $root/fixtures/cli" \
		"or $root/fixtures/stub"
	failed=$((failed + 1))
fi

# The round-trip tests count as fixtures too.
if [ $# -eq 0 ]; then
	out=$scratch/roundtrip.out
	sh "$here/roundtrip.sh" "$bin" "$SHARED" >"$out" 2>&1
	rc=$?
	grep -v '^roundtrip: ' "$out"
	p=$(sed -n 's/^roundtrip: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out")
	f=$(sed -n 's/^roundtrip: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out")
	if [ -z "$p" ] || [ -z "$f" ]; then
		echo "FAIL roundtrip: no summary line (exit status $rc)"
		p=0
		f=1
	elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL roundtrip: exit status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
fi

echo "fixtures: $passed passed, $failed failed"
[ $failed -eq 0 ]
