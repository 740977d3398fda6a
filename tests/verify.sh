#!/bin/sh
# Integration tests of `accord verify` over real sockets: the pact-js
# contracts verified against fixtures/providers/pact_provider.py (port 0,
# 127.0.0.1) in its good and deliberately broken modes, provider states and
# the values their setup calls return, --header, filters, pending
# interactions, the JSON, JUnit (checked with xmllint against
# tests/data/junit.xsd) and HTML reports, and providers that are
# unreachable, close connections, hang, fail their state calls or send
# oversized bodies.
#
# usage: tests/verify.sh BUILD_DIR SHARED_DIR
# Ends with "verify: N passed, N failed".
set -u
B=$1
SHARED=$2
A=$B/accord
P=fixtures/providers/pact_provider.py
PACTS=$SHARED/fixtures-pactjs
TMP=$(mktemp -d)
pass=0
fail=0
PID=

. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "verify: skipped (python3 not available; scripts/deps.sh installs it)"
	echo "verify: 0 passed, 0 failed"
	exit 0
fi
[ -d "$PACTS" ] || {
	echo "verify: skipped ($PACTS not found)"
	echo "verify: 0 passed, 0 failed"
	exit 0
}
ALL="$PACTS/checkout-inventory-service.json $PACTS/fulfilment-service-order-service.json $PACTS/notification-service-order-service.json $PACTS/order-web-order-service.json"

# start_provider [ARGS...]: the test provider on a free port; sets PID, URL.
start_provider() {
	stop_provider # one provider at a time, even after a failed start
	start_server "$TMP/pout" "$TMP/perr" python3 "$P" "$@" $ALL
}

# ready: polls until the provider accepts connections (bounded).
ready() {
	i=0
	while [ $i -lt 200 ]; do
		curl -s -o /dev/null "$URL/_last" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

stop_provider() {
	[ -n "$PID" ] || return 0
	kill -TERM $PID 2>/dev/null
	wait $PID 2>/dev/null
	PID=
}

# verify ARGS...: runs accord verify (bounded by timeout) against the
# provider with its state URL; sets RC, output in $TMP/out, $TMP/err.
verify() {
	timeout 60 "$A" verify --provider-url "$URL" --state-url "$URL/_state" \
		"$@" $ALL >"$TMP/out" 2>"$TMP/err"
	RC=$?
}

# failing FILE: "description|path,path" per failing interaction, sorted.
failing() {
	python3 - "$1" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = []
for c in doc["contracts"]:
    for ix in c["interactions"]:
        if ix["verdict"] != "passed":
            paths = sorted({m["path"] for m in ix["mismatches"]})
            rows.append(ix["description"] + "|" + ",".join(paths))
print("\n".join(sorted(rows)))
EOF
}

# jq-like reads of the JSON report: jget FILE EXPR (python expression on d)
jget() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# 1. the good provider: every interaction passes, sequential and -j 4
if start_provider && ready; then
	verify --json "$TMP/ok.json" --junit "$TMP/ok.xml" --html "$TMP/ok.html"
	if [ $RC -eq 0 ] && grep -q '^35 interactions: 35 passed, 0 failed' "$TMP/out"; then
		ok "all 35 pact-js interactions pass"
	else
		bad "all pass (rc $RC)" "$(cat "$TMP/out" "$TMP/err")"
	fi
	n=$(jget "$TMP/ok.json" 'sum(1 for c in d["contracts"] for i in c["interactions"] if i["verdict"] == "passed")')
	s=$(jget "$TMP/ok.json" 'd["summary"]["success"], d["summary"]["interactions"], len(d["contracts"])')
	if [ "$n" = 35 ] && [ "$s" = "True 35 4" ]; then
		ok "JSON report parsed: 35 passed in 4 contracts"
	else
		bad "JSON report" "$n $s"
	fi
	if command -v xmllint >/dev/null 2>&1; then
		if xmllint --noout --schema tests/data/junit.xsd "$TMP/ok.xml" 2>"$TMP/xerr" &&
			[ "$(grep -c '<testcase ' "$TMP/ok.xml")" = 35 ] &&
			[ "$(grep -c '<testsuite ' "$TMP/ok.xml")" = 4 ]; then
			ok "JUnit XML valid: 4 testsuites, 35 testcases"
		else
			bad "JUnit XML" "$(cat "$TMP/xerr")"
		fi
	else
		echo "note: xmllint not installed (apt-get install libxml2-utils): JUnit schema check skipped"
	fi
	if grep -q '^<!DOCTYPE html>' "$TMP/ok.html" &&
		! grep -qiE '<(script|link|img)[^>]*(src|href)=' "$TMP/ok.html" &&
		[ "$(grep -c '<details class="pass"' "$TMP/ok.html")" = 35 ]; then
		ok "HTML report: self-contained, 35 interactions"
	else
		bad "HTML report" "$(head -c 600 "$TMP/ok.html")"
	fi
	url=$(jget "$TMP/ok.json" '[i["url"] for c in d["contracts"] for i in c["interactions"] if i["description"] == "a request for an existing order"][0]')
	case $url in
	*/orders/7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a99) ok "ProviderState path from the state call's answer ($url)" ;;
	*) bad "ProviderState path" "$url" ;;
	esac
	verify -j 4 --json "$TMP/j4.json"
	if [ $RC -eq 0 ] && grep -q '^35 interactions: 35 passed, 0 failed' "$TMP/out"; then
		ok "-j 4: all 35 pass"
	else
		bad "-j 4 (rc $RC)" "$(cat "$TMP/out" "$TMP/err")"
	fi

	# without the state URL the state-dependent path cannot be served
	timeout 60 "$A" verify --provider-url "$URL" -q \
		--filter-description 'existing order$' $ALL >"$TMP/out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q 'expected status 200 but found' "$TMP/out"; then
		ok "no --state-url: the ProviderState interaction fails"
	else
		bad "no --state-url (rc $rc)" "$(cat "$TMP/out")"
	fi

	# --header adds and replaces; the provider saw them
	verify --filter-description 'existing order$' \
		--header 'X-Extra: yes' --header 'Authorization: Bearer other-token'
	last=$(curl -s "$URL/_last")
	seen=$(printf '%s' "$last" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("X-Extra"), d.get("Authorization"))')
	if [ $RC -eq 0 ] && [ "$seen" = "yes Bearer other-token" ]; then
		ok "--header added and replaced (provider saw: $seen)"
	else
		bad "--header (rc $RC)" "$seen $(cat "$TMP/out")"
	fi

	# state calls: setups in order, teardowns only when asked
	curl -s -o /dev/null "$URL/_calls"
	verify --filter-description '^a request to create an order$'
	c1=$(curl -s "$URL/_calls")
	verify --filter-description '^a request to create an order$' --state-teardown
	c2=$(curl -s "$URL/_calls")
	want1='[["setup", "customer exists"], ["setup", "products are in stock"]]'
	want2='[["setup", "customer exists"], ["setup", "products are in stock"], ["teardown", "customer exists"], ["teardown", "products are in stock"]]'
	if [ "$c1" = "$want1" ] && [ "$c2" = "$want2" ] && [ $RC -eq 0 ]; then
		ok "provider-state setup calls in order; teardown with --state-teardown"
	else
		bad "state calls" "$c1
$c2"
	fi

	# --message-url: where messages are asked for
	verify --filter-description 'OrderPaid event' --message-url "$URL/"
	rc1=$RC
	verify --filter-description 'OrderPaid event' --message-url "$URL/nowhere"
	if [ $rc1 -eq 0 ] && [ $RC -eq 1 ] &&
		grep -q "the message request to $URL/nowhere returned HTTP 404" "$TMP/out"; then
		ok "--message-url: messages come from where it points"
	else
		bad "--message-url (rc $rc1, $RC)" "$(cat "$TMP/out")"
	fi

	# filters
	verify --filter-consumer '^notification' -q
	a=$(tail -1 "$TMP/out")
	verify --filter-state 'warehouse' -q
	b=$(tail -1 "$TMP/out")
	verify --filter-description 'Order(Placed|Paid) event' -q
	c=$(tail -1 "$TMP/out")
	case "$a|$b|$c" in
	"4 interactions: 4 passed, 0 failed"*"|2 interactions: 2 passed, 0 failed"*"|2 interactions: 2 passed, 0 failed"*)
		ok "filters: consumer 4, state 2, description 2" ;;
	*) bad "filters" "$a|$b|$c" ;;
	esac
	verify --filter-description 'nothing matches this'
	if [ $RC -eq 2 ] && grep -q 'no interactions to verify' "$TMP/err"; then
		ok "a filter that selects nothing: exit 2"
	else
		bad "empty selection (rc $RC)" "$(cat "$TMP/err")"
	fi
	verify --filter-state '('
	if [ $RC -eq 2 ] && grep -q -- "--filter-state: invalid regex '('" "$TMP/err"; then
		ok "a bad filter regex: exit 2 with the reason"
	else
		bad "bad regex (rc $RC)" "$(cat "$TMP/err")"
	fi
	stop_provider
else
	bad "test provider did not start" "$(cat "$TMP/perr")"
fi

# 2. each broken mode: exactly the expected failing interactions and paths
check_mode() {
	mode=$1
	want=$2
	if ! start_provider --mode "$mode" || ! ready; then
		bad "$mode: provider did not start" "$(cat "$TMP/perr")"
		return
	fi
	verify --json "$TMP/$mode.json" --junit "$TMP/$mode.xml"
	got=$(failing "$TMP/$mode.json")
	if [ $RC -eq 1 ] && [ "$got" = "$want" ] &&
		grep -q '^35 interactions: 34 passed, 1 failed' "$TMP/out"; then
		ok "$mode: fails exactly $want"
	else
		bad "$mode (rc $RC)" "got: $got
want: $want
$(cat "$TMP/out")"
	fi
	if command -v xmllint >/dev/null 2>&1; then
		if xmllint --noout --schema tests/data/junit.xsd "$TMP/$mode.xml" 2>/dev/null &&
			[ "$(grep -c '<failure message=' "$TMP/$mode.xml")" = 1 ] &&
			grep -q 'failures="1"' "$TMP/$mode.xml"; then
			ok "$mode: JUnit valid with one failure"
		else
			bad "$mode: JUnit" "$(grep -n 'failure' "$TMP/$mode.xml" | head -5)"
		fi
	fi
	stop_provider
}
check_mode wrong-type 'a request for an existing order|$.body.loyaltyPoints'
check_mode missing-field 'a request for an existing order|$.body.customerId'
check_mode wrong-status 'a request to create an order|$.status'
check_mode wrong-header 'a request to create an order|$.headers.Location'
check_mode missing-message-field 'an OrderPlaced event|$.contents.customerId'
check_mode wrong-metadata 'an OrderPaid event|$.metadata.topic'

# human output of a failure: verdict line, path, expected, found, a diff
if start_provider --mode wrong-type && ready; then
	verify --filter-description 'existing order$'
	if grep -q '^  FAIL  a request for an existing order' "$TMP/out" &&
		grep -q '\$.body.loyaltyPoints: expected a number' "$TMP/out" &&
		grep -q 'found:    "41"' "$TMP/out" &&
		grep -q '^          +   "loyaltyPoints": "41",' "$TMP/out" &&
		! grep -q "$(printf '\033')" "$TMP/out"; then
		ok "human output: mismatch, expected, found and body diff; no colour off a TTY"
	else
		bad "human output" "$(cat "$TMP/out")"
	fi
	verify --filter-description 'existing order$' --html "$TMP/f.html"
	if grep -q '<details class="fail" open>' "$TMP/f.html" &&
		grep -q '<code>\$.body.loyaltyPoints</code>' "$TMP/f.html"; then
		ok "HTML report: the failure open with its mismatch"
	else
		bad "HTML failure" "$(grep -n details "$TMP/f.html" | head)"
	fi
	stop_provider
fi

# 3. pending interactions are verified and reported but do not fail the run
python3 - "$PACTS/fulfilment-service-order-service.json" "$TMP/pending.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for ix in doc["interactions"]:
    if ix["description"] == "an OrderPlaced event":
        ix["pending"] = True
json.dump(doc, open(sys.argv[2], "w"))
EOF
if start_provider --mode missing-message-field && ready; then
	timeout 60 "$A" verify --provider-url "$URL" --state-url "$URL/_state" \
		--json "$TMP/p.json" --junit "$TMP/p.xml" "$TMP/pending.json" >"$TMP/out" 2>&1
	rc=$?
	v=$(jget "$TMP/p.json" '[(i["verdict"], i["pending"]) for c in d["contracts"] for i in c["interactions"] if i["description"] == "an OrderPlaced event"][0], d["summary"]["pendingFailed"]')
	if [ $rc -eq 0 ] && [ "$v" = "('failed', True) 1" ] &&
		grep -q 'PENDING-FAIL an OrderPlaced event' "$TMP/out" &&
		grep -q '<skipped message="pending interaction failed' "$TMP/p.xml"; then
		ok "a failing pending interaction is reported, exit 0"
	else
		bad "pending (rc $rc)" "$v $(cat "$TMP/out")"
	fi
	stop_provider
fi

# v4 synchronous messages: the provider's reply matched against the first
# response; a pending interaction that passes says so
SYNC=fixtures/providers/sync-messages-v4.json
stop_provider
: >"$TMP/pout"
python3 "$P" "$SYNC" >"$TMP/pout" 2>"$TMP/perr" &
PID=$!
i=0
URL=
while [ $i -lt 200 ] && [ -z "$URL" ]; do
	URL=$(sed -n 's/^listening on //p' "$TMP/pout")
	[ -n "$URL" ] || sleep 0.05
	i=$((i + 1))
done
if [ -n "$URL" ] && ready; then
	timeout 60 "$A" verify --provider-url "$URL" --state-url "$URL/_state" \
		--json "$TMP/sync.json" "$SYNC" >"$TMP/out" 2>&1
	rc=$?
	t=$(jget "$TMP/sync.json" '[i["type"] for c in d["contracts"] for i in c["interactions"]]')
	if [ $rc -eq 0 ] && grep -q '^  ok    a stock level query (' "$TMP/out" &&
		grep -q 'a pending stock level query for an unknown SKU (pending)' "$TMP/out" &&
		[ "$t" = "['Synchronous/Messages', 'Synchronous/Messages']" ]; then
		ok "v4 synchronous messages verified"
	else
		bad "sync messages (rc $rc)" "$t $(cat "$TMP/out")"
	fi
	# a contract expecting another reply than the provider gives fails
	sed 's/"sku": "BOO-0042"$/"sku": "MUG-0007"/' "$SYNC" >"$TMP/sync2.json"
	timeout 60 "$A" verify --provider-url "$URL" --state-url "$URL/_state" \
		--json "$TMP/sync2.json.out" "$TMP/sync2.json" >"$TMP/out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && [ "$(failing "$TMP/sync2.json.out")" = "a stock level query|\$.contents.sku" ]; then
		ok "v4 synchronous message: a different reply fails at \$.contents.sku"
	else
		bad "sync reply mismatch (rc $rc)" "$(cat "$TMP/out")"
	fi
	stop_provider
else
	bad "sync provider did not start" "$(cat "$TMP/perr")"
fi

# -j N: interactions overlap, except those with provider states
if start_provider --delay 0.3 && ready; then
	curl -s -o /dev/null "$URL/_stats"
	timeout 60 "$A" verify -j 4 --provider-url "$URL" \
		--filter-description 'stock level' $ALL >"$TMP/out" 2>&1
	rc1=$?
	m1=$(curl -s "$URL/_stats")
	verify -j 4 --filter-description 'stock level'
	m2=$(curl -s "$URL/_stats")
	timeout 60 "$A" verify --provider-url "$URL" \
		--filter-description 'stock level' $ALL >"$TMP/out" 2>&1
	rc3=$?
	m3=$(curl -s "$URL/_stats")
	case "$rc1$RC$rc3|$m1|$m2|$m3" in
	'000|{"max_inflight": 1}'*) bad "-j 4 did not overlap" "$m1" ;;
	'000|{"max_inflight": '[234]'}|{"max_inflight": 1}|{"max_inflight": 1}')
		ok "-j 4: stateless interactions overlap ($m1), stateful ones and -j 1 do not" ;;
	*) bad "-j (rc $rc1 $RC $rc3)" "$m1 $m2 $m3 $(cat "$TMP/out")" ;;
	esac
	stop_provider
fi

# 4. providers that misbehave: clear failures, no hang, exit codes
timeout 30 "$A" verify --provider-url http://127.0.0.1:1 \
	"$PACTS/checkout-inventory-service.json" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'provider is unreachable' "$TMP/err" &&
	grep -q 'connection refused' "$TMP/out"; then
	ok "unreachable provider: says so, exit 2"
else
	bad "unreachable (rc $rc)" "$(cat "$TMP/out" "$TMP/err")"
fi

if start_provider && ready; then
	timeout 60 "$A" verify --provider-url "$URL" --state-url http://127.0.0.1:1/_state \
		--filter-consumer '^checkout' $ALL >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q "provider state 'SKU BOO-0042 is in stock' setup call: cannot connect to http://127.0.0.1:1/_state (connection refused)" "$TMP/out" &&
		! grep -q 'provider is unreachable' "$TMP/err"; then
		ok "unreachable state URL: each interaction says so, exit 2"
	else
		bad "unreachable state URL (rc $rc)" "$(cat "$TMP/out" "$TMP/err")"
	fi
	stop_provider
fi

if start_provider --mode close && ready; then
	verify --filter-consumer '^checkout'
	if [ $RC -eq 2 ] && grep -q 'closed the connection without answering' "$TMP/out"; then
		ok "provider closing connections: exit 2 with the reason"
	else
		bad "close (rc $RC)" "$(cat "$TMP/out")"
	fi
	stop_provider
fi

if start_provider --mode hang && ready; then
	t0=$(date +%s)
	verify --timeout 1s --filter-description 'stock level of one SKU'
	t1=$(date +%s)
	if [ $RC -eq 2 ] && grep -q 'within 1000 ms (--timeout)' "$TMP/out" &&
		[ $((t1 - t0)) -ge 1 ]; then
		ok "provider hanging past --timeout: gives up, exit 2"
	else
		bad "hang (rc $RC)" "$(cat "$TMP/out")"
	fi
	stop_provider
fi

if start_provider --mode state-500 && ready; then
	verify --filter-consumer '^checkout' --json "$TMP/s.json"
	n=$(jget "$TMP/s.json" 'sum(1 for c in d["contracts"] for i in c["interactions"] if "returned HTTP 500" in i.get("reason", ""))')
	if [ $RC -eq 1 ] && [ "$n" = 6 ] &&
		grep -q "provider state 'SKU BOO-0042 is in stock': the setup call to .* returned HTTP 500" "$TMP/out"; then
		ok "state endpoint returning 500: each interaction fails with the reason, exit 1"
	else
		bad "state-500 (rc $RC, $n)" "$(cat "$TMP/out")"
	fi
	stop_provider
fi

if start_provider --mode huge && ready; then
	verify --filter-description 'stock level of one SKU'
	if [ $RC -eq 2 ] && grep -q 'larger than 16 MiB' "$TMP/out"; then
		ok "a body over 16 MiB: refused, exit 2"
	else
		bad "huge (rc $RC)" "$(cat "$TMP/out")"
	fi
	stop_provider
fi

# 5. --wait-for-provider polls until the provider listens
if start_provider --listen-delay 1; then
	verify --wait-for-provider 20s --filter-consumer '^checkout' -q
	if [ $RC -eq 0 ] && grep -q '^6 interactions: 6 passed' "$TMP/out"; then
		ok "--wait-for-provider: waited for a provider that listens late"
	else
		bad "wait-for-provider (rc $RC)" "$(cat "$TMP/out" "$TMP/err")"
	fi
	stop_provider
fi
timeout 30 "$A" verify --provider-url http://127.0.0.1:1 --wait-for-provider 1s \
	"$PACTS/checkout-inventory-service.json" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'did not answer within 1000 ms' "$TMP/err"; then
	ok "--wait-for-provider gives up: exit 2"
else
	bad "wait gives up (rc $rc)" "$(cat "$TMP/err")"
fi

# 6. usage errors
"$A" verify "$PACTS/checkout-inventory-service.json" >/dev/null 2>"$TMP/err"
rc1=$?
"$A" verify --provider-url http://127.0.0.1:1 --timeout soon "$PACTS" >/dev/null 2>&1
rc2=$?
"$A" verify --provider-url http://127.0.0.1:1 --header 'no colon' "$PACTS" >/dev/null 2>&1
rc3=$?
"$A" verify --provider-url http://127.0.0.1:1 "$TMP/missing.json" >/dev/null 2>&1
rc4=$?
if [ "$rc1$rc2$rc3$rc4" = 2222 ] && grep -q -- '--provider-url is required' "$TMP/err"; then
	ok "usage and contract errors: exit 2"
else
	bad "usage errors" "$rc1 $rc2 $rc3 $rc4"
fi

echo "verify: $pass passed, $fail failed"
[ $fail -eq 0 ]
