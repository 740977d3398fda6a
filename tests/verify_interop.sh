#!/bin/sh
# Agreement test: the official Pact verifier (`pact verifier` from
# @pact-foundation/pact-cli 18.1.2) and `accord verify` check the same
# provider (fixtures/providers/pact_provider.py serving the pact-js files)
# in each of its modes, and must give the same set of passing and failing
# interactions. Interactions are told apart by description (unique across
# the pact-js files). The state-500 mode is left out: the official verifier
# retries a 500 from the state URL for more than a minute.
#
# usage: tests/verify_interop.sh BUILD_DIR SHARED_DIR
# Ends with "verify_interop: N passed, N failed". Without npm or python3, or
# when the Pact CLI cannot be installed, it prints
# "verify_interop: skipped (REASON)" and exits 0. The CLI is installed once
# into build/pact-cli (PACT_CLI_DIR overrides), as tests/interop.sh does.
set -u

B=$1
SHARED=$2
A=$B/accord
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLI_VERSION=18.1.2
CLI_DIR=${PACT_CLI_DIR:-$ROOT/build/pact-cli}
PACT=$CLI_DIR/node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact
PACT_DO_NOT_TRACK=true
export PACT_DO_NOT_TRACK
PACTS=$SHARED/fixtures-pactjs
ALL="$PACTS/checkout-inventory-service.json $PACTS/fulfilment-service-order-service.json $PACTS/notification-service-order-service.json $PACTS/order-web-order-service.json"

skip() {
	echo "verify_interop: skipped ($1)"
	exit 0
}

[ -d "$PACTS" ] || skip "$PACTS not found"
command -v python3 >/dev/null 2>&1 || skip "python3 not available"
command -v npm >/dev/null 2>&1 || skip "npm not available"
command -v timeout >/dev/null 2>&1 || skip "timeout(1) not available"

TMP=$(mktemp -d)
PID=
. "$(dirname "$0")/lib.sh"

installed_version() {
	sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' \
		"$CLI_DIR/node_modules/@pact-foundation/pact-cli/package.json" \
		2>/dev/null | head -1
}
if [ ! -x "$PACT" ] || [ "$(installed_version)" != "$CLI_VERSION" ]; then
	mkdir -p "$CLI_DIR" || skip "cannot create $CLI_DIR"
	timeout 300 npm install --prefix "$CLI_DIR" --no-audit --no-fund \
		--loglevel=error --save-exact \
		"@pact-foundation/pact-cli@$CLI_VERSION" >"$TMP/npm.log" 2>&1 ||
		skip "npm install @pact-foundation/pact-cli@$CLI_VERSION failed"
	[ -x "$PACT" ] || skip "$PACT is missing after npm install (not linux-x64?)"
fi
timeout 30 "$PACT" verifier --version >/dev/null 2>&1 || skip "$PACT does not run"

pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok $1"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -40
}

start_provider() {
	start_server "$TMP/pout" "$TMP/perr" \
		python3 fixtures/providers/pact_provider.py --mode "$1" $ALL
}

stop_provider() {
	[ -n "$PID" ] || return 0
	kill -TERM $PID 2>/dev/null
	wait $PID 2>/dev/null
	PID=
}

# verdicts FORMAT FILE: "PASS|FAIL description" lines, sorted.
verdicts() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[2]))
rows = []
if sys.argv[1] == "pact":
    for r in d.get("interactionResults") or []:
        rows.append(("PASS " if r.get("result") == "OK" else "FAIL ") +
                    r["description"])
else:
    for c in d["contracts"]:
        for i in c["interactions"]:
            rows.append(("PASS " if i["verdict"] == "passed" else "FAIL ") +
                        i["description"])
print("\n".join(sorted(rows)))
EOF
}

for mode in ok wrong-type missing-field wrong-status wrong-header missing-message-field wrong-metadata; do
	if ! start_provider "$mode"; then
		bad "$mode: provider did not start" "$(cat "$TMP/perr")"
		continue
	fi
	files=
	for f in $ALL; do files="$files -f $f"; done
	rm -f "$TMP/pact.json" "$TMP/accord.json"
	# shellcheck disable=SC2086 # one -f per file
	timeout 120 "$PACT" verifier --hostname 127.0.0.1 --port "$PORT" \
		--state-change-url "$URL/_state" --no-colour \
		--json "$TMP/pact.json" $files >"$TMP/pact.out" 2>&1
	prc=$?
	# shellcheck disable=SC2086
	timeout 120 "$A" verify --provider-url "$URL" --state-url "$URL/_state" \
		--json "$TMP/accord.json" $ALL >"$TMP/accord.out" 2>&1
	arc=$?
	stop_provider
	p=$(verdicts pact "$TMP/pact.json" 2>&1)
	a=$(verdicts accord "$TMP/accord.json" 2>&1)
	nfail=$(printf '%s\n' "$a" | grep -c '^FAIL')
	want_fail=1
	[ "$mode" = ok ] && want_fail=0
	# exit codes: both 0 when all pass, both 1 on failures
	if [ "$p" = "$a" ] && [ "$nfail" = "$want_fail" ] &&
		[ $prc -eq $arc ] && [ "$(printf '%s\n' "$a" | wc -l)" -eq 35 ]; then
		ok "$mode: same verdicts on 35 interactions ($nfail failing), exit $arc"
	else
		bad "$mode: pact exit $prc, accord exit $arc" "$(printf '%s\n' "$p" >"$TMP/p"; printf '%s\n' "$a" >"$TMP/a"; diff "$TMP/p" "$TMP/a")
--- pact verifier ---
$(tail -20 "$TMP/pact.out")"
	fi
done

echo "verify_interop: $pass passed, $fail failed"
[ $fail -eq 0 ]
