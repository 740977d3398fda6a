#!/bin/sh
# Integration tests of `accord record` over real sockets (port 0,
# 127.0.0.1), with `accord stub` as the upstream provider: a pact-js
# contract recorded and served back with the same answers, accord verify
# green on the recording, redaction, dropped headers, de-duplication,
# descriptions, --generalize, --record-latency replayed by accord stub
# --faults, provider states (X-Accord-State, --state, POST /__accord/state)
# recorded and served back, the journal and metrics of forwarded requests,
# an upstream that is down or slow past --timeout, a 5 MB body,
# a binary body (base64 in v4), and (when npm is there) the official pact
# verifier verifying a recorded contract against its provider.
#
# usage: tests/record.sh BUILD_DIR SHARED_DIR
# Ends with "record: N passed, N failed".
set -u
B=$1
SHARED=$2
A=$B/accord
TMP=$(mktemp -d)
F=fixtures/record
pass=0
fail=0
PID=
UPID=

. "$(dirname "$0")/lib.sh"

cleanup_all() {
	[ -n "$UPID" ] && kill -KILL "$UPID" 2>/dev/null
	cleanup
}
trap cleanup_all EXIT INT TERM

# start_upstream ARGS...: an accord stub as the provider; sets UPID, UURL.
start_upstream() {
	keep_pid=$PID keep_url=${URL:-}
	start_server "$TMP/uout" "$TMP/uerr" "$A" stub --port 0 "$@"
	rc=$?
	UPID=$PID UURL=$URL PID=$keep_pid URL=$keep_url
	return $rc
}

stop_upstream() {
	[ -n "$UPID" ] || return 0
	kill -TERM $UPID 2>/dev/null
	wait $UPID
	UPID=
}

# start_record ARGS...: accord record in the background; sets PID, URL.
start_record() {
	start_server "$TMP/out" "$TMP/err" "$A" record --port 0 "$@"
}

# get URL NAME [CURL ARGS...]: the status in $TMP/NAME.status, the body in
# $TMP/NAME.body
get() {
	u=$1
	n=$2
	shift 2
	curl -s -o "$TMP/$n.body" -w '%{http_code}' "$@" "$u" >"$TMP/$n.status"
}

# --- 1. a pact-js contract: recorded through the proxy, served back ------

PJ=$SHARED/fixtures-pactjs/order-web-order-service.json
ORDER=7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a01
AUTH='Authorization: Bearer test-token-123'
# name|path|extra curl arguments: requests the pact-js contract answers
# whatever the provider state
requests() {
	base=$1
	pre=$2
	get "$base/orders/stats" "${pre}stats" -H 'Accept: application/json' -H "$AUTH"
	get "$base/customers/c-1001/orders/recent?limit=5" "${pre}recent" \
		-H 'Accept: application/json' -H "$AUTH"
	get "$base/orders/$ORDER/receipt" "${pre}receipt" -H 'Accept: text/plain' -H "$AUTH"
	get "$base/orders/00000000-0000-4000-8000-000000000000" "${pre}missing" \
		-H 'Accept: application/json' -H "$AUTH"
	get "$base/orders" "${pre}create" -X POST -H 'Accept: application/json' -H "$AUTH" \
		-H 'Content-Type: application/json' \
		-H 'Idempotency-Key: 0f8fad5b-d9cb-469f-a165-70867728950e' \
		-H 'Cookie: sid=cookie-secret-1' \
		-d '{"couponCode":"SPRING10","customerId":"c-1001","express":false,"items":[{"quantity":2,"sku":"BOO-0042"}],"shippingAddress":{"city":"London","country":"GB","line1":"12 Analytical Row","line2":null,"name":"Ada Lovelace","postcode":"EC1A 1BB"}}'
}
NAMES="stats recent receipt missing create"

if [ -f "$PJ" ] && start_upstream "$PJ"; then
	if start_record --upstream "$UURL" --consumer order-web \
		--provider order-service --out "$TMP/pj.json"; then
		requests "$URL" via-
		requests "$UURL" direct-
		# the same request again: de-duplicated; and HEAD
		get "$URL/orders/stats" again -H 'Accept: application/json' -H "$AUTH"
		hv=$(curl -s -I "$URL/orders/stats" -H 'Accept: application/json' -H "$AUTH" | tr -d '\r')
		hd=$(curl -s -I "$UURL/orders/stats" -H 'Accept: application/json' -H "$AUTH" | tr -d '\r')
		case "$hv" in
		*"HTTP/1.1 200"*"Content-Length: $(wc -c <"$TMP/direct-stats.body" | tr -d ' ')"*)
			ok "HEAD through the proxy: the upstream's status and length, no body" ;;
		*) bad "HEAD through the proxy" "$hv
---
$hd" ;;
		esac
		same=1
		for n in $NAMES; do
			cmp -s "$TMP/via-$n.body" "$TMP/direct-$n.body" &&
				[ "$(cat "$TMP/via-$n.status")" = "$(cat "$TMP/direct-$n.status")" ] ||
				same=0
		done
		[ $same = 1 ] && ok "the proxy answers as the upstream does (5 requests)" ||
			bad "the proxy answers as the upstream does" "$(cat "$TMP"/via-*.status)"
		stop_stub
		[ $rc = 0 ] && ok "SIGTERM: record exits 0" || bad "SIGTERM: record exits 0" "rc=$rc $(cat "$TMP/err")"
		"$A" validate "$TMP/pj.json" >/dev/null 2>&1 && ok "the recorded pact validates" ||
			bad "the recorded pact validates" "$(cat "$TMP/err")"
		n=$(grep -c '"description"' "$TMP/pj.json")
		[ "$n" = 6 ] && ok "identical interactions recorded once (7 requests, 6 interactions with HEAD)" ||
			bad "identical interactions recorded once" "n=$n"
		if ! grep -q 'test-token-123\|cookie-secret' "$TMP/pj.json" &&
			grep -q '"REDACTED"' "$TMP/pj.json"; then
			ok "Authorization and Cookie values are redacted"
		else
			bad "Authorization and Cookie values are redacted"
		fi
		if grep -qi '"content-length"\|"user-agent"\|"host"\|"connection"' "$TMP/pj.json"; then
			bad "hop-by-hop and volatile headers dropped" "$(grep -i 'length\|agent\|host\|connection' "$TMP/pj.json")"
		else
			ok "hop-by-hop and volatile headers dropped"
		fi
		grep -q '"description": "GET /orders/stats"' "$TMP/pj.json" &&
			grep -q '"description": "POST /orders"' "$TMP/pj.json" &&
			ok "descriptions from method and path" ||
			bad "descriptions from method and path"

		# the recording, served by accord stub, answers the same
		stop_upstream
		if start_stub "$TMP/pj.json"; then
			requests "$URL" replay-
			same=1
			for n in $NAMES; do
				cmp -s "$TMP/replay-$n.body" "$TMP/direct-$n.body" &&
					[ "$(cat "$TMP/replay-$n.status")" = "$(cat "$TMP/direct-$n.status")" ] ||
					same=0
			done
			[ $same = 1 ] && ok "accord stub serving the recording answers the same statuses and bodies" ||
				bad "accord stub serving the recording answers the same" \
					"$(for n in $NAMES; do echo "$n $(cat "$TMP/replay-$n.status") $(cat "$TMP/direct-$n.status")"; done)"
			stop_stub
		else
			bad "stub of the recording did not start" "$(cat "$TMP/err")"
		fi

		# accord verify of the recording against the provider
		start_upstream "$PJ"
		"$A" verify -q --provider-url "$UURL" --header "$AUTH" "$TMP/pj.json" >"$TMP/v.out" 2>&1
		rc=$?
		[ $rc = 0 ] && ok "accord verify of the recording against the provider is green" ||
			bad "accord verify of the recording against the provider is green" "rc=$rc $(cat "$TMP/v.out")"
		stop_upstream
	else
		bad "record did not start" "$(cat "$TMP/err")"
		stop_upstream
	fi
else
	bad "upstream stub for $PJ did not start" "$(cat "$TMP/uerr" 2>/dev/null)"
fi

# --- 2. --generalize, --redact, --describe, binary, text, query -----------

if start_upstream "$F/provider.json" --latency 150ms; then
	if start_record --upstream "$UURL/" --consumer web --provider catalog \
		--out "$TMP/gen/" --generalize --redact X-Api-Key \
		--describe '{method} {path} ({status})' \
		--record-latency "$TMP/latency.json"; then
		get "$URL/items/42" item -H 'X-Api-Key: key-secret-2' -H 'Authorization: Bearer tok-secret-3'
		get "$URL/blob" blob
		get "$URL/items" created -X POST -H 'Content-Type: application/json' -d '{"name":"Mug"}'
		get "$URL/search?q=mug&tag=a&tag=b" search
		get "$URL/items/42" item2 -H 'X-Accord-Description: the answer to everything'
		get "$URL/orders?on=2024-05-01" placed -X POST -H 'Content-Type: application/json' \
			-H 'Idempotency-Key: 0f8fad5b-d9cb-469f-a165-70867728950e' \
			-d '{"orderId":"7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a01","placedAt":"2024-05-01T12:00:00Z","lines":[{"sku":"MUG-1","qty":2}],"note":"gift"}'
		stop_stub
		P=$TMP/gen/web-catalog.json
		if [ -f "$P" ] && "$A" validate "$P" >/dev/null 2>&1; then
			ok "a directory --out gets CONSUMER-PROVIDER.json"
		else
			bad "a directory --out gets CONSUMER-PROVIDER.json" "$(cat "$TMP/err")"
		fi
		# the matchers --generalize infers, rule by rule
		if command -v python3 >/dev/null 2>&1; then
			got=$(python3 - "$P" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ix = [i for i in d["interactions"] if i["description"] == "GET /items/42 (200)"][0]
rules = ix["response"].get("matchingRules", {}).get("body", {})
for path in sorted(rules):
    m = rules[path]["matchers"][0]
    extra = m.get("format") or m.get("regex", "")[:12] or str(m.get("min", ""))
    print(path, m["match"], extra)
EOF
)
			# strings in an array of strings: the array is typed, the
			# items stay literal; "mixed" and "note" stay literal
			want='$.id integer 
$.inStock boolean 
$.price decimal 
$.ref regex ^[0-9a-fA-F]
$.released date yyyy-MM-dd
$.tags type 1
$.updatedAt regex ^\d{4}-\d{2}
$.variants type 1
$.variants[*].stock integer '
			[ "$got" = "$want" ] && ok "--generalize infers the expected matchers" ||
				bad "--generalize infers the expected matchers" "$(printf 'got:\n%s\nwant:\n%s' "$got" "$want")"
			# a request: only what changes from run to run
			got=$(python3 - "$P" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ix = [i for i in d["interactions"] if i["request"]["path"] == "/orders"][0]
rules = ix["request"].get("matchingRules", {})
for cat in sorted(rules):
    for key in sorted(rules[cat]):
        m = rules[cat][key]["matchers"][0]
        print(cat, key, m["match"], m.get("format") or m.get("regex", "")[:12])
EOF
)
			want='body $.orderId regex ^[0-9a-fA-F]
body $.placedAt regex ^\d{4}-\d{2}
header Idempotency-Key regex ^[0-9a-fA-F]
query on date yyyy-MM-dd'
			[ "$got" = "$want" ] &&
				ok "--generalize on a request: UUIDs, dates, timestamps in body, header and query; the rest literal" ||
				bad "--generalize on a request" "$(printf 'got:\n%s\nwant:\n%s' "$got" "$want")"
		else
			ok "--generalize infers the expected matchers (skipped: no python3)"
		fi
		if ! grep -q 'key-secret-2\|tok-secret-3\|cookie-secret-9' "$P" &&
			grep -q '"X-Api-Key"' "$P"; then
			ok "--redact X-Api-Key, Authorization and Set-Cookie values kept out"
		else
			bad "--redact X-Api-Key, Authorization and Set-Cookie values kept out" "$(grep -n secret "$P")"
		fi
		if grep -q '"Date"\|"Server"' "$P" || ! grep -q '"X-Cache"' "$P"; then
			bad "Date and Server dropped, other headers kept"
		else
			ok "Date and Server dropped, other headers kept"
		fi
		grep -q '"content": "AP/+gAECAwTDKMOo"' "$P" && grep -q '"encoded": "base64"' "$P" &&
			ok "a binary body is recorded base64 in v4" ||
			bad "a binary body is recorded base64 in v4" "$(grep -n -A3 '/blob' "$P")"
		grep -q '"description": "GET /search (204)"' "$P" &&
			grep -q '"description": "the answer to everything"' "$P" &&
			ok "--describe and X-Accord-Description name interactions" ||
			bad "--describe and X-Accord-Description name interactions" "$(grep description "$P")"
		# the recording served back: the same bytes, binary included
		if start_stub "$P"; then
			get "$URL/blob" rblob
			get "$URL/items" rcreated -X POST -H 'Content-Type: application/json' -d '{"name":"Mug"}'
			get "$URL/search?tag=a&q=mug&tag=b" rsearch
			# another run of the consumer: new key, id, time and day
			get "$URL/orders?on=2025-12-24" rplaced -X POST -H 'Content-Type: application/json' \
				-H 'Idempotency-Key: 3b241101-e2bb-4255-8caf-4136c566a962' \
				-d '{"orderId":"c56a4180-65aa-42ec-a945-5fd21dec0538","placedAt":"2025-12-24T08:30:00Z","lines":[{"sku":"MUG-1","qty":2}],"note":"gift"}'
			get "$URL/orders?on=2025-12-24" rplaced2 -X POST -H 'Content-Type: application/json' \
				-H 'Idempotency-Key: 3b241101-e2bb-4255-8caf-4136c566a962' \
				-d '{"orderId":"c56a4180-65aa-42ec-a945-5fd21dec0538","placedAt":"2025-12-24T08:30:00Z","lines":[{"sku":"MUG-1","qty":3}],"note":"gift"}'
			[ "$(cat "$TMP/placed.status")" = 201 ] && [ "$(cat "$TMP/rplaced.status")" = 201 ] &&
				cmp -s "$TMP/rplaced.body" "$TMP/placed.body" && [ "$(cat "$TMP/rplaced2.status")" = 404 ] &&
				ok "the generalized recording answers a later run's new UUIDs and times, not a changed quantity" ||
				bad "the generalized recording answers a later run's request" \
					"$(cat "$TMP/placed.status" "$TMP/rplaced.status" "$TMP/rplaced2.status" "$TMP/rplaced.body")"
			cmp -s "$TMP/rblob.body" "$TMP/blob.body" &&
				[ "$(cat "$TMP/rcreated.status")" = 201 ] &&
				cmp -s "$TMP/rcreated.body" "$TMP/created.body" &&
				[ "$(cat "$TMP/rsearch.status")" = 204 ] &&
				ok "the recording served by accord stub: binary, text and query answers the same" ||
				bad "the recording served by accord stub answers the same" \
					"$(cat "$TMP/rblob.status" "$TMP/rcreated.status" "$TMP/rsearch.status")"
			stop_stub
		else
			bad "stub of the generalized recording did not start" "$(cat "$TMP/err")"
		fi
		# --record-latency: a profile accord stub --faults takes, whose
		# delays are at least what the upstream took (150 ms)
		if grep -q '"description": "^GET /blob \\\\(200\\\\)\$"' "$TMP/latency.json" &&
			start_stub --faults "$TMP/latency.json" "$P"; then
			ms=$(curl -s -o /dev/null -w '%{time_total}' "$URL/blob" | awk '{printf "%d", $1 * 1000}')
			[ "$ms" -ge 140 ] && ok "--record-latency: replayed by accord stub --faults (${ms} ms >= 140)" ||
				bad "--record-latency: replayed by accord stub --faults" "ms=$ms $(cat "$TMP/latency.json")"
			stop_stub
		else
			bad "--record-latency: a fault profile accord stub takes" \
				"$(cat "$TMP/latency.json" "$TMP/err" 2>&1 | head -20)"
		fi
	else
		bad "record did not start" "$(cat "$TMP/err")"
	fi
	stop_upstream
else
	bad "upstream stub for $F/provider.json did not start" "$(cat "$TMP/uerr")"
fi

# --- 3. a slow upstream past --timeout, an upstream that is down ----------

if start_upstream --latency 3s "$F/provider.json"; then
	if start_record --upstream "$UURL" --consumer web --provider catalog \
		--out "$TMP/slow.json" --timeout 300ms; then
		get "$URL/search?q=mug&tag=a&tag=b" slow
		st=$(cat "$TMP/slow.status")
		stop_stub
		[ "$st" = 504 ] && grep -q 'did not answer within 300 ms' "$TMP/slow.body" &&
			[ ! -e "$TMP/slow.json" ] &&
			ok "upstream slower than --timeout: 504, nothing recorded" ||
			bad "upstream slower than --timeout: 504, nothing recorded" "$st $(cat "$TMP/slow.body")"
	else
		bad "record did not start" "$(cat "$TMP/err")"
	fi
	# a client that gives up while the upstream is still thinking
	if start_record --upstream "$UURL" --consumer web --provider catalog \
		--out "$TMP/gaveup.json"; then
		curl -s -m 0.3 -o /dev/null "$URL/search?q=mug&tag=a&tag=b"
		get "$URL/__accord/health" alive
		stop_stub
		[ "$(cat "$TMP/alive.status")" = 200 ] && [ $rc = 0 ] && [ ! -e "$TMP/gaveup.json" ] &&
			ok "a client that leaves mid-transfer: the transfer is dropped, record goes on and exits 0" ||
			bad "a client that leaves mid-transfer" "rc=$rc $(cat "$TMP/alive.status" "$TMP/err")"
	else
		bad "record did not start" "$(cat "$TMP/err")"
	fi
	stop_upstream
fi
# an upstream nobody listens on: port 1, which a bind to port 0 never
# gets (a port freed a moment ago could be taken again, even by the
# recorder itself, which then forwarded to itself)
DOWN=http://127.0.0.1:1
if start_record --upstream "$DOWN" --consumer web --provider catalog --out "$TMP/down.json"; then
	get "$URL/items/42" down
	st=$(cat "$TMP/down.status")
	get "$URL/__accord/health" health
	stop_stub
	[ "$st" = 502 ] && grep -q 'cannot reach the upstream' "$TMP/down.body" &&
		[ ! -e "$TMP/down.json" ] && grep -q 'nothing recorded' "$TMP/err" &&
		ok "upstream down: 502 with a clear body, nothing recorded" ||
		bad "upstream down: 502 with a clear body, nothing recorded" "$st $(cat "$TMP/down.body" "$TMP/err")"
	[ "$(cat "$TMP/health.status")" = 200 ] && ok "the admin API is answered, not forwarded" ||
		bad "the admin API is answered, not forwarded"
else
	bad "record did not start" "$(cat "$TMP/err")"
fi

# --- 4. a 5 MB body; -- CMD; merging -------------------------------------

{
	printf '{"consumer":{"name":"web"},"provider":{"name":"big"},"metadata":{"pactSpecification":{"version":"4.0"}},'
	printf '"interactions":[{"type":"Synchronous/HTTP","description":"big","request":{"method":"GET","path":"/big"},'
	printf '"response":{"status":200,"headers":{"Content-Type":["text/plain"]},"body":{"content":"'
	head -c 5242880 /dev/zero | tr '\0' 'x'
	printf '","contentType":"text/plain","encoded":false}}}]}'
} >"$TMP/big-provider.json"
if start_upstream "$TMP/big-provider.json"; then
	"$A" record -q --upstream "$UURL" --consumer web --provider big --out "$TMP/big.json" -- \
		sh -c 'curl -sf -o "$0" "$ACCORD_URL/big"' "$TMP/big.body" >/dev/null 2>"$TMP/err"
	rc=$?
	size=$(wc -c <"$TMP/big.body" 2>/dev/null | tr -d ' ')
	[ $rc = 0 ] && [ "$size" = 5242880 ] && [ "$(wc -c <"$TMP/big.json")" -gt 5242880 ] &&
		"$A" validate "$TMP/big.json" >/dev/null 2>&1 &&
		ok "a 5 MB body passes through and is recorded (-- CMD mode, exit 0)" ||
		bad "a 5 MB body passes through and is recorded" "rc=$rc size=$size $(cat "$TMP/err")"
	"$A" record -q --upstream "$UURL" --consumer web --provider big --out "$TMP/x.json" -- sh -c 'exit 4' \
		>/dev/null 2>&1
	rc=$?
	[ $rc = 4 ] && ok "record passes the command's exit status on (4)" ||
		bad "record passes the command's exit status on (4)" "rc=$rc"
	stop_upstream
fi

# --- 4b. provider states; the journal and metrics ------------------------

cat >"$TMP/states-provider.json" <<'JSON'
{"consumer":{"name":"web"},"provider":{"name":"users"},
 "metadata":{"pactSpecification":{"version":"4.0"}},
 "interactions":[
  {"type":"Synchronous/HTTP","description":"user 7","providerStates":[{"name":"user 7 exists"}],
   "request":{"method":"GET","path":"/users/7"},
   "response":{"status":200,"headers":{"Content-Type":["application/json"]},
     "body":{"content":{"id":7,"name":"Ada"},"contentType":"application/json","encoded":false}}},
  {"type":"Synchronous/HTTP","description":"no user 7","providerStates":[{"name":"no users"}],
   "request":{"method":"GET","path":"/users/7"},"response":{"status":404}}]}
JSON
# the states of the recorded interaction whose answer has status $2, as
# "name=params;name=params" (params compact JSON, or -)
states_of() {
	jq -r --argjson st "$2" '[.interactions[] | select(.response.status == $st)
		| [(.providerStates // [])[] | "\(.name)=\(.params // "-" | tojson)"] | join(";")] | join("|")' "$1"
}
if start_upstream "$TMP/states-provider.json"; then
	if start_record --upstream "$UURL" --consumer web --provider users \
		--out "$TMP/states.json" --state "user 7 exists"; then
		# --state is recorded, not sent: the upstream answers this one
		# from its first interaction
		get "$URL/users/7" s200
		get "$URL/users/7" s404 -H 'X-Accord-State: no users' -H 'X-Accord-Session: t1'
		get "$URL/__accord/state" s1 -X POST -H 'Content-Type: application/json' \
			--data '{"state":"user 7 exists","params":{"id":7},"action":"setup"}'
		get "$URL/__accord/state" s2 -X POST -H 'Content-Type: application/json' \
			--data '{"state":"signed in","params":{"role":"admin"},"action":"setup"}'
		get "$URL/users/7" s200b
		get "$URL/__accord/requests" journal
		get "$URL/__accord/metrics" metrics
		stop_stub
		[ "$(cat "$TMP/s200.status")" = 200 ] && [ "$(cat "$TMP/s404.status")" = 404 ] &&
			[ "$(cat "$TMP/s200b.status")" = 200 ] &&
			ok "X-Accord-State is forwarded as sent: the upstream answers by state (200, 404, 200)" ||
			bad "X-Accord-State is forwarded" "$(cat "$TMP/s200.status" "$TMP/s404.status" "$TMP/s200b.status")"
		[ "$(states_of "$TMP/states.json" 404)" = 'no users="-"' ] &&
			ok "X-Accord-State: recorded as the interaction's provider states" ||
			bad "X-Accord-State: recorded as the interaction's provider states" "$(states_of "$TMP/states.json" 404)"
		got=$(states_of "$TMP/states.json" 200)
		[ "$got" = 'user 7 exists="-"|user 7 exists={"id":7};signed in={"role":"admin"}' ] &&
			ok "--state, and states set through POST /__accord/state with their own params, are recorded" ||
			bad "states recorded from --state and POST /__accord/state" "$got"
		got=$(jq -r '[.interactions[].description] | sort | join(",")' "$TMP/states.json")
		[ "$got" = "GET /users/7,GET /users/7,GET /users/7" ] &&
			ok "one description under three sets of states: no ' (2)' (a Pact interaction is description + states)" ||
			bad "one description under three sets of states" "$got"
		got=$(jq -r '[.requests[] | "\(.status) \(.interaction) \(.forwarded) \(.session // "-")"] | join(",")' \
			"$TMP/journal.body")
		[ "$got" = "200 GET /users/7 true -,404 GET /users/7 true t1,200 GET /users/7 true -" ] &&
			ok "the journal lists forwarded requests: status, recorded interaction, session" ||
			bad "the journal lists forwarded requests" "$got"
		grep -qx 'accord_forwarded_total{status="200"} 2' "$TMP/metrics.body" &&
			grep -qx 'accord_forwarded_total{status="404"} 1' "$TMP/metrics.body" &&
			grep -qx 'accord_request_duration_seconds_count 3' "$TMP/metrics.body" &&
			ok "metrics count forwarded requests by status, and time them" ||
			bad "metrics count forwarded requests" "$(grep forwarded "$TMP/metrics.body")"
	else
		bad "record did not start" "$(cat "$TMP/err")"
	fi
	stop_upstream
	# the recording, served: each state gets its own answer back
	if [ -f "$TMP/states.json" ] && start_stub "$TMP/states.json"; then
		get "$URL/users/7" r1 -H 'X-Accord-State: no users'
		get "$URL/users/7" r2 -H 'X-Accord-State: user 7 exists'
		stop_stub
		[ "$(cat "$TMP/r1.status")" = 404 ] && [ "$(cat "$TMP/r2.status")" = 200 ] &&
			[ "$(jq -c . "$TMP/r2.body")" = '{"id":7,"name":"Ada"}' ] &&
			ok "the recording served by accord stub answers by provider state" ||
			bad "the recording served by accord stub answers by provider state" \
				"$(cat "$TMP/r1.status" "$TMP/r2.status" "$TMP/r2.body")"
	else
		bad "the recorded contract with states did not load" "$(cat "$TMP/err")"
	fi
fi
# an upstream that is down: journaled as forwarded, with no interaction
if start_record --upstream "$DOWN" --consumer web --provider catalog --out "$TMP/down2.json"; then
	get "$URL/items/42" down2
	get "$URL/__accord/requests" journal2
	get "$URL/__accord/metrics" metrics2
	stop_stub
	got=$(jq -r '[.requests[] | "\(.status) \(.interaction) \(.forwarded)"] | join(",")' "$TMP/journal2.body")
	[ "$got" = "502 null true" ] && grep -qx 'accord_forwarded_total{status="502"} 1' "$TMP/metrics2.body" &&
		ok "upstream down: journaled and counted as a forwarded 502 with no interaction" ||
		bad "upstream down: journaled as a forwarded 502" "$got"
else
	bad "record did not start" "$(cat "$TMP/err")"
fi

# --- 5. usage -----------------------------------------------------------

"$A" record --consumer a --provider b >/dev/null 2>"$TMP/err"
rc=$?
[ $rc = 2 ] && grep -q "upstream" "$TMP/err" && ok "no --upstream: usage error" ||
	bad "no --upstream: usage error" "rc=$rc"
"$A" record --upstream http://127.0.0.1:9 --consumer a --provider b --timeout soon >/dev/null 2>"$TMP/err"
rc=$?
[ $rc = 2 ] && grep -q "timeout" "$TMP/err" && ok "--timeout soon: usage error" ||
	bad "--timeout soon: usage error" "rc=$rc"

# --- 6. the official pact verifier verifies a recorded contract -----------

PACT_CLI_DIR=${PACT_CLI_DIR:-$(pwd)/build/pact-cli}
PACT=$PACT_CLI_DIR/node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact
if [ ! -x "$PACT" ] && command -v npm >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
	# installs it once, as the interop suite does
	sh tests/interop.sh "$B" "$SHARED" >/dev/null 2>&1
fi
if [ -x "$PACT" ] && [ -f "$TMP/gen/web-catalog.json" ]; then
	start_upstream "$F/provider.json"
	PACT_DO_NOT_TRACK=true timeout 120 "$PACT" verifier --hostname 127.0.0.1 --port "${UURL##*:}" \
		--no-colour -f "$TMP/gen/web-catalog.json" >"$TMP/pv.out" 2>&1
	rc=$?
	stop_upstream
	[ $rc = 0 ] && ok "pact verifier verifies a recorded (generalized, binary) contract against its provider" ||
		bad "pact verifier verifies a recorded contract" "rc=$rc $(tail -30 "$TMP/pv.out")"
else
	echo "skip pact verifier interop (npm or the Pact CLI not available)"
fi

echo "record: $pass passed, $fail failed"
[ $fail = 0 ]
