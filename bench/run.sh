#!/bin/sh
# make bench: measurements of the contract core (not timed tests).
#  1. load + validate a generated Pact with 10,000 interactions (~22 MB)
#  2. match a ~1 MB JSON response body with a rule on every field, and a
#     ~1.2 MB request body against 5,000 body rules (rule lookup cost)
#  3. accord stub under HTTP load, next to nginx (bench/stub.sh; wrk)
#  4. accord verify next to pact verifier (bench/verify.sh; npm's Pact CLI)
# Each is run 3 times; wall time and peak RSS come from /usr/bin/time when
# it is installed (Debian package "time"), else from the shell's time.
set -u
B=build/release
A=build/accord
G=$B/tests/tool_genpact
W=${BENCH_DIR:-build/bench}
make --no-print-directory $G >/dev/null || exit 1
mkdir -p "$W"

run() {
	label=$1
	shift
	i=1
	while [ $i -le 3 ]; do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f "$label: %e s wall, %M KB peak RSS" \
				"$@" >/dev/null
		else
			printf '%s: ' "$label"
			( time "$@" >/dev/null ) 2>&1 | tr '\n' ' '
			echo
		fi
		i=$((i + 1))
	done
}

$G pact 10000 >"$W/pact-10k.json" || exit 1
echo "pact-10k.json: $(wc -c <"$W/pact-10k.json") bytes"
run "validate 10k interactions" $A validate -q "$W/pact-10k.json"
run "convert 10k interactions" $A convert --to same -o "$W/out.json" \
	"$W/pact-10k.json"

$G body 1350000 "$W" || exit 1
echo "body-actual.json: $(wc -c <"$W/body-actual.json") bytes"
run "match 1 MB body" $A match --response "$W/body-expected.json" \
	"$W/body-actual.json"

$G rules 5000 "$W" || exit 1
echo "rules-expected.json: $(wc -c <"$W/rules-expected.json") bytes, 5,000 body rules"
run "match 1.2 MB body, 5,000 rules" $A match --request --spec 3 \
	"$W/rules-expected.json" "$W/rules-actual.json"

# 3. accord stub under HTTP load, next to nginx (bench/stub.sh)
sh bench/stub.sh "$A"

# 4. accord verify next to the official verifier (bench/verify.sh)
sh bench/verify.sh "$A" "${SHARED:-../shared}"
