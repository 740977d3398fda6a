#!/bin/sh
# bench/verify.sh: wall time of `accord verify` next to the official Pact
# verifier (`pact verifier` 1.3.5 from @pact-foundation/pact-cli 18.1.2) on
# the same work: the four pact-js files (35 interactions, provider states
# on all but one) against the same provider
# (fixtures/providers/pact_provider.py, one process for every run), with
# the provider-state URL. Each is run RUNS times (default 5) and the median
# wall time reported, accord also with -j 4, then the ratios of this run.
#
# The official verifier is taken from build/pact-cli (tests/interop.sh and
# tests/verify_interop.sh install it there with npm); without it only
# accord's figures are printed.
#
# usage: bench/verify.sh [ACCORD] [SHARED]   (from the top of the tree)
set -u
A=${1:-build/accord}
SHARED=${2:-../shared}
RUNS=${RUNS:-5}
CLI_DIR=${PACT_CLI_DIR:-build/pact-cli}
PACT=$CLI_DIR/node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact
PACTS=$SHARED/fixtures-pactjs
ALL="$PACTS/checkout-inventory-service.json $PACTS/fulfilment-service-order-service.json $PACTS/notification-service-order-service.json $PACTS/order-web-order-service.json"
PACT_DO_NOT_TRACK=true
export PACT_DO_NOT_TRACK
T=$(mktemp -d "${TMPDIR:-/tmp}/accord-vbench.XXXXXX") || exit 1
PID=
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

note() { echo "verify bench: $*"; }

[ -x "$A" ] || {
	note "$A not found (run make first)"
	exit 2
}
command -v python3 >/dev/null 2>&1 || {
	note "python3 is needed for the provider"
	exit 2
}

: >"$T/pout"
python3 fixtures/providers/pact_provider.py $ALL >"$T/pout" 2>"$T/perr" &
PID=$!
i=0
URL=
while [ $i -lt 200 ]; do
	URL=$(sed -n 's/^listening on //p' "$T/pout")
	[ -n "$URL" ] && break
	sleep 0.05
	i=$((i + 1))
done
[ -n "$URL" ] || {
	note "the provider did not start: $(cat "$T/perr")"
	exit 2
}
PORT=${URL##*:}

# median_ms NAME CMD...: runs CMD RUNS times; prints the median in ms;
# fails if any run fails (output in $T/NAME.out).
median_ms() {
	name=$1
	shift
	: >"$T/$name.times"
	r=0
	while [ $r -lt "$RUNS" ]; do
		t0=$(date +%s%N)
		"$@" >"$T/$name.out" 2>&1 || {
			note "$name failed: $(tail -5 "$T/$name.out")"
			return 1
		}
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000)) >>"$T/$name.times"
		r=$((r + 1))
	done
	sort -n "$T/$name.times" | sed -n "$(((RUNS + 1) / 2))p"
}

a1=$(median_ms accord "$A" verify -q --provider-url "$URL" \
	--state-url "$URL/_state" $ALL) || exit 1
a4=$(median_ms accord_j4 "$A" verify -q -j 4 --provider-url "$URL" \
	--state-url "$URL/_state" $ALL) || exit 1
n=$(sed -n 's/^\([0-9]*\) interactions: .*/\1/p' "$T/accord.out")
note "$n interactions, median of $RUNS runs"
note "accord verify        ${a1} ms"
note "accord verify -j 4   ${a4} ms"

if [ -x "$PACT" ]; then
	files=
	for f in $ALL; do files="$files -f $f"; done
	# shellcheck disable=SC2086
	p=$(median_ms pact "$PACT" verifier --hostname 127.0.0.1 --port "$PORT" \
		--state-change-url "$URL/_state" --no-colour $files) || exit 1
	note "pact verifier        ${p} ms"
	awk -v p="$p" -v a="$a1" -v b="$a4" 'BEGIN {
		printf "verify bench: pact verifier / accord verify = %.1fx; / accord -j 4 = %.1fx\n",
			p / (a > 0 ? a : 1), p / (b > 0 ? b : 1) }'
else
	note "pact verifier not installed in $CLI_DIR (make test installs it with npm): no comparison"
fi
