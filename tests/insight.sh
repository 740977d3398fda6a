#!/bin/sh
# insight.sh: tests of `accord graph` and `accord diff` against golden files.
#
# usage: tests/insight.sh BINARY SHARED_DIR
#
# - graph: every format (text, dot, mermaid, json) over
#   SHARED_DIR/fixtures-pactjs/ together with fixtures/graph/services/ (a
#   three-level chain and two cycles), over fixtures/graph/escaping/ (names
#   that need escaping), and blast radius lists (--impact), each compared
#   byte for byte with fixtures/graph/expected/NAME; every dot output must
#   parse with `dot -Tsvg` (Graphviz is installed with apt-get when missing
#   and possible; otherwise that check prints "skip" and does not count);
#   every JSON output must parse (python3, else "skip").
# - diff: every fixtures/diff/NNNN-slug/ holds old.* and new.*, `expect`
#   ("exit: N"), `stdout` and optionally `stderr` and `args` (options put
#   before OLD NEW); the output must be exactly the golden one.
# - every pact-js fixture, every contract of fixtures/graph/services/ and
#   every OLD of fixtures/diff/, converted by `accord convert` to v2 (where
#   it converts), v3, v4 and YAML, diffs as "no changes" against the
#   original, in both directions.
#
# Paths in outputs are written as $SHARED. With ACCORD_UPDATE_GOLDEN=1 the
# golden files are (re)written instead of compared: review them with git.
# Prints "ok NAME" / "FAIL NAME" / "skip NAME" lines and ends with
# "insight: N passed, N failed".
set -u

if [ $# -ne 2 ]; then
	echo "usage: tests/insight.sh BINARY SHARED_DIR" >&2
	exit 2
fi
bin=$1
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
SHARED=$(cd "$2" 2>/dev/null && pwd) || SHARED=$2
update=${ACCORD_UPDATE_GOLDEN:-0}
[ -x "$bin" ] || {
	echo "insight: $bin is not an executable" >&2
	exit 2
}
cd "$root" || exit 2

scratch=$(mktemp -d "${TMPDIR:-/tmp}/accord-insight.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

if command -v timeout >/dev/null 2>&1; then
	limit="timeout 60"
else
	limit=
fi

passed=0
failed=0
pass() {
	echo "ok $1"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
}

sed_literal() {
	printf '%s\n' "$1" | sed 's/[]\/$*.^&[]/\\&/g'
}

# run OUT ERR ARGS...: runs accord, paths normalised; sets rc
run() {
	o=$1
	e=$2
	shift 2
	$limit "$bin" "$@" >"$o.raw" 2>"$e.raw"
	rc=$?
	sed "s/$(sed_literal "$SHARED")/\$SHARED/g" "$o.raw" >"$o"
	sed "s/$(sed_literal "$SHARED")/\$SHARED/g" "$e.raw" >"$e"
}

# golden NAME FILE GOLDEN: compares (or, updating, writes) a golden file
golden() {
	if [ "$update" = 1 ]; then
		mkdir -p "$(dirname "$3")"
		cp "$2" "$3"
		return 0
	fi
	if [ ! -f "$3" ]; then
		echo "    missing golden file $3"
		return 1
	fi
	if ! cmp -s "$3" "$2"; then
		echo "    $1: output differs from $3 (- expected, + actual):"
		diff -u "$3" "$2" | sed -e '1,2d' -e 's/^/    /' | head -40
		return 1
	fi
	return 0
}

# expect_run NAME WANT OUT ERR GOLDEN GOLDEN_STDERR: the last run's exit
# status ($rc) is WANT, OUT is GOLDEN, and ERR is GOLDEN_STDERR (when that
# exists or ERR is not empty); clears ok otherwise.
expect_run() {
	if [ "$rc" != "$2" ]; then
		echo "    $1: exit status $rc, expected $2"
		sed 's/^/    /' "$4" | head -10
		ok=0
	fi
	golden "$1" "$3" "$5" || ok=0
	if [ -f "$6" ] || [ -s "$4" ]; then
		golden "$1 (stderr)" "$4" "$6" || ok=0
	fi
}

# Graphviz for the dot checks: install when missing and possible.
have_dot=0
if command -v dot >/dev/null 2>&1; then
	have_dot=1
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz \
		>"$scratch/apt.log" 2>&1 && command -v dot >/dev/null 2>&1; then
		have_dot=1
	fi
fi
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

exp=fixtures/graph/expected
pactjs=$SHARED/fixtures-pactjs

# graph_case NAME FORMAT EXPECTED_EXIT ARGS...
graph_case() {
	name=$1
	fmt=$2
	want=$3
	shift 3
	ok=1
	out=$scratch/$name.out
	err=$scratch/$name.err
	run "$out" "$err" graph --format "$fmt" "$@"
	expect_run "$name" "$want" "$out" "$err" "$exp/$name" "$exp/$name.stderr"
	if [ $ok = 1 ]; then pass "graph $name"; else fail "graph $name"; fi
	case $fmt in
	dot)
		if [ $have_dot = 1 ]; then
			if dot -Tsvg "$out.raw" >"$scratch/$name.svg" 2>"$scratch/$name.dot.err" &&
				grep -q '<svg' "$scratch/$name.svg"; then
				pass "dot -Tsvg $name"
			else
				fail "dot -Tsvg $name"
				sed 's/^/    /' "$scratch/$name.dot.err" | head -5
			fi
		else
			echo "skip dot -Tsvg $name (Graphviz not installed)"
		fi
		;;
	json)
		if [ $have_python = 1 ]; then
			if python3 -m json.tool "$out.raw" >/dev/null 2>&1; then
				pass "json parses $name"
			else
				fail "json parses $name"
			fi
		else
			echo "skip json parses $name (python3 not installed)"
		fi
		;;
	esac
}

if [ -d "$pactjs" ]; then
	for f in text dot mermaid json; do
		case $f in
		text) x=txt ;;
		mermaid) x=mmd ;;
		*) x=$f ;;
		esac
		graph_case "all.$x" "$f" 0 "$pactjs" fixtures/graph/services
		graph_case "pactjs.$x" "$f" 0 "$pactjs"
		graph_case "impact-order-service.$x" "$f" 0 \
			--impact order-service "$pactjs" fixtures/graph/services
	done
else
	echo "skip graph over $pactjs (not found)"
fi
for f in text dot mermaid json; do
	case $f in
	text) x=txt ;;
	mermaid) x=mmd ;;
	*) x=$f ;;
	esac
	graph_case "services.$x" "$f" 0 fixtures/graph/services
	graph_case "escaping.$x" "$f" 0 fixtures/graph/escaping
	graph_case "impact-pricing.$x" "$f" 0 --impact pricing \
		fixtures/graph/services
	graph_case "impact-billing.$x" "$f" 0 --impact billing \
		fixtures/graph/services
done
graph_case "impact-leaf.txt" text 0 --impact storefront fixtures/graph/services
# a fault profile laid over the graph: the edges its rules can touch
if [ -d "$pactjs" ]; then
	for f in text dot mermaid json; do
		case $f in
		text) x=txt ;;
		mermaid) x=mmd ;;
		*) x=$f ;;
		esac
		graph_case "faults.$x" "$f" 0 \
			--faults fixtures/graph/faults/outages.yaml "$pactjs"
	done
fi
graph_case "faults-bad-profile.txt" text 2 \
	--faults fixtures/cli/0135-fault-two-outcomes/faults.yaml fixtures/graph/services
# a file named twice counts once (same output as services.txt)
graph_case "services-twice.txt" text 0 fixtures/graph/services \
	./fixtures/graph/services/cart-pricing.json fixtures/graph/services
graph_case "impact-unknown.txt" text 2 --impact Pricing fixtures/graph/services
graph_case "bad-format.txt" yaml 2 fixtures/graph/services
graph_case "missing-path.txt" text 2 fixtures/graph/services fixtures/graph/nothing-here
graph_case "bad-contract.txt" text 2 fixtures/graph/services fixtures/cli/0100-json-missing-comma

# diff fixtures
for d in fixtures/diff/[0-9][0-9][0-9][0-9]-*/; do
	d=${d%/}
	name=$(basename "$d")
	ok=1
	old=$(ls "$d"/old.* 2>/dev/null | head -1)
	new=$(ls "$d"/new.* 2>/dev/null | head -1)
	want=$(sed -n '1s/^exit:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' "$d/expect" 2>/dev/null)
	if [ "$update" = 1 ] && [ -z "$want" ]; then
		want=any
	fi
	if [ -z "$old" ] || [ -z "$new" ] || [ -z "$want" ]; then
		fail "diff $name (needs old.*, new.* and expect)"
		continue
	fi
	args=
	[ -f "$d/args" ] && args=$(cat "$d/args")
	# shellcheck disable=SC2086
	run "$scratch/$name.out" "$scratch/$name.err" diff $args "$old" "$new"
	if [ "$update" = 1 ]; then
		[ "$want" = any ] && printf 'exit: %s\n' "$rc" >"$d/expect"
		want=$rc
	fi
	expect_run "$name" "$want" "$scratch/$name.out" "$scratch/$name.err" \
		"$d/stdout" "$d/stderr"
	if [ $ok = 1 ]; then pass "diff $name"; else fail "diff $name"; fi
done

# a contract and its conversions describe the same thing: no changes
convs=
[ -d "$pactjs" ] && convs=$(ls "$pactjs"/*.json)
convs="$convs
$(ls fixtures/graph/services/* fixtures/diff/*/old.*)"
printf '%s\n' "$convs" | {
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		# the fixture's name without $SHARED or the repository's path
		base=$(printf '%s' "$f" | sed -e "s|^$SHARED/||" -e 's|/|_|g')
		for to in v2 v3 v4 yaml; do
			case $to in
			yaml) conv=$scratch/$base.$to.yaml ;;
			*) conv=$scratch/$base.$to.json ;;
			esac
			if ! "$bin" convert --to "$to" -o "$conv" "$f" 2>/dev/null; then
				# v2 cannot hold messages, v3 no sync messages
				continue
			fi
			ok=1
			for pair in "$f $conv" "$conv $f"; do
				# shellcheck disable=SC2086
				run "$scratch/c.out" "$scratch/c.err" diff $pair
				if [ "$rc" != 0 ] || ! grep -q ': no changes$' "$scratch/c.out"; then
					echo "    $base -> $to: exit $rc"
					sed 's/^/    /' "$scratch/c.out" "$scratch/c.err" | head -10
					ok=0
				fi
			done
			if [ $ok = 1 ]; then
				pass "diff $base and its $to conversion: no changes"
			else
				fail "diff $base and its $to conversion"
			fi
		done
	done
	echo "insight: $passed passed, $failed failed"
	[ $failed -eq 0 ]
}
