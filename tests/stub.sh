#!/bin/sh
# Integration tests of `accord stub` over real sockets (port 0, 127.0.0.1):
# the pact-js contracts served correctly, the admin API, slow and vanishing
# clients, several connections and workers, signals. What can be said in
# exact bytes over one connection (answers, the parser's refusals,
# pipelining) is a fixture in fixtures/stub/ instead.
#
# usage: tests/stub.sh BUILD_DIR SHARED_DIR
# Ends with "stub: N passed, N failed".
set -u
B=$1
SHARED=$2
A=$B/accord
HTTP=$B/tests/tool_http
CHECK=$B/tests/tool_stubcheck
TMP=$(mktemp -d)
pass=0
fail=0
PID=

. "$(dirname "$0")/lib.sh"

# 1. every HTTP interaction of the pact-js files, answered as contracted
for f in "$SHARED"/fixtures-pactjs/*.json; do
	name=$(basename "$f" .json)
	if ! start_stub "$f"; then
		bad "pactjs $name: stub did not start" "$(cat "$TMP/err")"
		continue
	fi
	out=$("$CHECK" "$URL" "$f" 2>&1)
	case "$out" in
	*"stubcheck: 0 passed, 0 failed"*) ok "pactjs $name (no HTTP interactions)" ;;
	*" 0 failed"*) ok "pactjs $name: $(printf '%s' "$out" | tail -1)" ;;
	*) bad "pactjs $name" "$out" ;;
	esac
	stop_stub || bad "pactjs $name: exit status $rc after SIGTERM"
done

DEMO=fixtures/demo/shop-web-catalog-service.json
if ! start_stub -v "$DEMO"; then
	bad "demo stub did not start" "$(cat "$TMP/err")"
	echo "stub: $pass passed, $fail failed"
	exit 1
fi

# 2. an unmatched request is logged (its 404 and nearest miss, and the
# answers to GET, HEAD, JSON and chunked bodies, pipelining and the
# parser's 4xx: fixtures/stub/)
curl -s -o /dev/null "$URL/products/NOPE-1" -H 'Accept: application/json'
grep -q "unmatched GET /products/NOPE-1" "$TMP/err" &&
	ok "unmatched request logged" ||
	bad "unmatched request logged" "$(cat "$TMP/err")"

# 3. Expect: 100-continue (curl waits for the 100 before it sends the body)
body='{"rating":5,"sku":"BOO-0042","text":"Still the best."}'
out=$(curl -s -i -X POST "$URL/reviews" -H 'Content-Type: application/json' \
	-H 'Expect: 100-continue' -d "$body")
case "$out" in
*"HTTP/1.1 100 Continue"*"HTTP/1.1 201"*) ok "Expect: 100-continue" ;;
*) bad "Expect: 100-continue" "$out" ;;
esac

# open_conns N: the stub counts at least N open connections (the one that
# asks is one of them)
open_conns() {
	n=$(curl -s "$URL/__accord/metrics" | sed -n 's/^accord_open_connections //p')
	[ "${n:-0}" -ge "$1" ]
}

# 4. slow and vanishing clients leave the server serving
printf 'GET /products/BOO-0042 HTTP/1.1\r\nHost: x\r\n\r\n' |
	"$HTTP" --slow 1000 127.0.0.1 "$PORT" >/dev/null 2>&1 &
slow=$!
poll open_conns 2 || bad "the slowloris client did not connect"
out=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$URL/products/BOO-0042" -H 'Accept: application/json')
[ "$out" = 200 ] && ok "a slowloris client does not hold up others" ||
	bad "a slowloris client does not hold up others" "$out"
kill $slow 2>/dev/null
wait $slow 2>/dev/null
printf 'POST /reviews HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"rat' |
	"$HTTP" --abort-after 60 127.0.0.1 "$PORT"
printf 'GET /products/BOO-0042 HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n' |
	"$HTTP" --read-max 20 127.0.0.1 "$PORT" >/dev/null
out=$(curl -s -o /dev/null -w '%{http_code}' "$URL/products/BOO-0042" -H 'Accept: application/json')
[ "$out" = 200 ] && ok "clients vanishing mid-request and mid-response" ||
	bad "clients vanishing mid-request and mid-response" "$out"

# 5. the admin API: what varies (health's uptime, journal times, metrics);
# state, DELETE requests, unknown endpoints, the token: fixtures/stub/03xx
out=$(curl -s "$URL/__accord/health")
case "$out" in
*'"status":"ok"'*'"interactions":3'*) ok "admin: health" ;;
*) bad "admin: health" "$out" ;;
esac
out=$(curl -s "$URL/__accord/requests")
case "$out" in
*'"interaction":"a request for a product"'*'"status":200'*) ok "admin: journal" ;;
*) bad "admin: journal" "$out" ;;
esac
# times to the microsecond: no binary-fraction tails (0.35572000000000004)
long=$(printf '%s' "$out" | grep -o '"ms":[0-9.e-]*' | grep -c '\.[0-9]\{4,\}')
[ -n "$(printf '%s' "$out" | grep -o '"ms":')" ] && [ "$long" = 0 ] &&
	ok "admin: journal times in ms to the microsecond" ||
	bad "admin: journal times in ms to the microsecond" "$out"
out=$(curl -s "$URL/__accord/metrics")
case "$out" in
*'accord_requests_total{interaction="a request for a product",status="200"}'*accord_unmatched_total*accord_request_duration_seconds_bucket*)
	ok "admin: metrics" ;;
*) bad "admin: metrics" "$out" ;;
esac

# 6. SIGTERM drains and exits 0
stop_stub && ok "SIGTERM: clean exit" || bad "SIGTERM: clean exit" "status $rc"

# 7. --admin-port moves the admin API to a port of its own (that a host
# that is not loopback needs an admin token: fixtures/cli/0208)
if start_stub --admin-port 0 "$DEMO"; then
	AURL=$(sed -n 's#^admin API on \(.*\)/__accord/$#\1#p' "$TMP/out")
	a=$(curl -s -o /dev/null -w '%{http_code}' "$AURL/__accord/health")
	b=$(curl -s -o /dev/null -w '%{http_code}' "$URL/__accord/health")
	c=$(curl -s -o /dev/null -w '%{http_code}' "$AURL/products/BOO-0042")
	[ "$a$b$c" = 200404404 ] && ok "--admin-port" ||
		bad "--admin-port" "admin $a, main port $b, traffic on the admin port $c"
	stop_stub
else
	bad "--admin-port: stub did not start" "$(cat "$TMP/err")"
fi

# 7b. --generators: RandomInt, Regex, and ProviderState from the state's params
if start_stub --generators fixtures/stub/generators.json; then
	curl -s -o /dev/null -X POST "$URL/__accord/state" \
		-H 'Content-Type: application/json' -d '{"state": "an order exists", "params": {"id": 42}, "action": "setup"}'
	out=$(curl -s "$URL/order")
	case "$out" in
	*'"id":42'*'"lucky":1'[0-9][0-9]*'"ref":"Q-'[0-9][0-9][0-9][0-9][0-9][0-9]'"'*)
		ok "--generators fill the response" ;;
	*) bad "--generators fill the response" "$out" ;;
	esac
	stop_stub
else
	bad "--generators: stub did not start" "$(cat "$TMP/err")"
fi

# 7c. idle connections are closed by the server (--idle-timeout 1): the
# client below would wait 10 s for an answer that never comes
if start_stub --idle-timeout 1 "$DEMO"; then
	if printf '' | timeout 8 "$HTTP" --timeout 10000 127.0.0.1 "$PORT"; then
		ok "idle connections time out"
	else
		bad "idle connections time out" "the connection stayed open"
	fi
	stop_stub
else
	bad "--idle-timeout: stub did not start" "$(cat "$TMP/err")"
fi

# 7d. --log-format json (the answers under --unmatched-status and
# --state: fixtures/stub/0305)
if start_stub --unmatched-status 418 --log-format json "$DEMO"; then
	curl -s -o /dev/null "$URL/nope"
	stop_stub
	grep -q '"event":"unmatched".*"target":"/nope".*"status":418' "$TMP/err" &&
		ok "--log-format json logs the unmatched request and its status" ||
		bad "--log-format json" "$(cat "$TMP/err")"
else
	bad "--unmatched-status: stub did not start" "$(cat "$TMP/err")"
fi

# 7e. past --max-connections, a new connection gets 503. The held
# connection (a request never finished) must be the one counted: when a
# probe got in first, the held one was refused (503 in its output) and is
# opened again
if start_stub --max-connections 1 "$DEMO"; then
	held=
	out=
	i=0
	while [ $i -lt 300 ] && [ "$out" != 503 ]; do
		if [ -z "$held" ] || grep -q '^HTTP' "$TMP/held"; then
			[ -n "$held" ] && wait $held
			printf 'GET /products/BOO-0042 HTTP/1.1\r\n' |
				"$HTTP" --timeout 10000 127.0.0.1 "$PORT" >"$TMP/held" &
			held=$!
		fi
		out=$(curl -s -o /dev/null -w '%{http_code}' "$URL/products/BOO-0042" -H 'Accept: application/json')
		i=$((i + 1))
	done
	kill $held 2>/dev/null
	wait $held 2>/dev/null
	[ "$out" = 503 ] && ok "--max-connections: 503 past the cap" ||
		bad "--max-connections: 503 past the cap" "$out"
	stop_stub
else
	bad "--max-connections: stub did not start" "$(cat "$TMP/err")"
fi

# 8. --workers: several loops on one port
if start_stub --workers 2 "$DEMO"; then
	codes=
	for i in 1 2 3 4 5 6 7 8 9 10; do
		codes="$codes$(curl -s -o /dev/null -w '%{http_code}' "$URL/products/BOO-0042" -H 'Accept: application/json')"
	done
	[ "$codes" = 200200200200200200200200200200 ] &&
		ok "--workers 2 answers every request" ||
		bad "--workers 2 answers every request" "$codes"
	stop_stub || bad "--workers 2: exit status $rc"
else
	bad "--workers 2: stub did not start" "$(cat "$TMP/err")"
fi

# 8b. a worker that cannot have its file descriptors (8 loops, 24 fds):
# exit 2 and say so, rather than crash or hang
(ulimit -n 24 && exec timeout 10 "$A" stub --port 0 --workers 8 "$DEMO") \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 2 ] && grep -q '^accord: error: cannot start worker [0-9]*: too many open files$' "$TMP/err" &&
	ok "--workers past the fd limit: exit 2, cannot start worker N" ||
	bad "--workers past the fd limit: exit 2, cannot start worker N" "exit $rc: $(cat "$TMP/err")"

# 8c. a port already in use is an error (exit 2), whether this stub or the
# one holding the port has --workers: a second stub never shares it
for first in 1 2; do
	for second in 1 2; do
		what="a stub (--workers $second) on the port of a stub (--workers $first)"
		if start_stub --workers "$first" "$DEMO"; then
			port=${URL##*:}
			timeout 10 "$A" stub --port "$port" --workers "$second" "$DEMO" \
				>"$TMP/out2" 2>"$TMP/err2"
			rc2=$?
			stop_stub
			[ $rc2 = 2 ] && grep -q "cannot listen on 127.0.0.1:$port: Address already in use" "$TMP/err2" &&
				ok "$what: exit 2, address already in use" ||
				bad "$what: exit 2, address already in use" "exit $rc2: $(cat "$TMP/err2")"
		else
			bad "$what: the first stub did not start" "$(cat "$TMP/err")"
		fi
	done
done

# 8d. a request target with encoded CR, LF and ESC cannot forge a log line
# or reach the terminal: the text log shows them escaped
if start_stub "$DEMO"; then
	curl -s -o /dev/null "$URL/x%0d%0aaccord:%20faults:%20reloaded%1b%5b2J"
	stop_stub
	if grep -q '^accord: faults: reloaded' "$TMP/err" || grep -q "$(printf '\033')" "$TMP/err"; then
		bad "encoded CR/LF/ESC in a target: no forged log line" "$(cat -v "$TMP/err")"
	elif grep -q "found '/x\\\\r\\\\naccord: faults: reloaded\\\\x1b\\[2J'" "$TMP/err"; then
		ok "encoded CR/LF/ESC in a target: no forged log line"
	else
		bad "encoded CR/LF/ESC in a target: no forged log line" "$(cat -v "$TMP/err")"
	fi
else
	bad "log forging: stub did not start" "$(cat "$TMP/err")"
fi

# 9. --explain says why an interaction won
if start_stub --explain "$DEMO"; then
	curl -s -o /dev/null "$URL/products/BOO-0042" -H 'Accept: application/json'
	stop_stub
	grep -q "chose #0 'a request for a product'" "$TMP/err" &&
		ok "--explain logs the choice" ||
		bad "--explain logs the choice" "$(cat "$TMP/err")"
else
	bad "--explain: stub did not start" "$(cat "$TMP/err")"
fi

# 10. SIGHUP reloads; a bad reload keeps the old contracts
cp "$DEMO" "$TMP/c.json"
if start_stub "$TMP/c.json"; then
	curl -s -o /dev/null -H 'Accept: application/json' "$URL/products/BOO-0042"
	sed -e 's#/reviews#/opinions#' \
		-e 's#a request for a product#a product lookup#' \
		"$DEMO" >"$TMP/c2.json"
	mv "$TMP/c2.json" "$TMP/c.json"
	kill -HUP $PID
	i=0
	code=
	while [ $i -lt 100 ]; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/opinions" \
			-H 'Content-Type: application/json' -d "$body")
		[ "$code" = 201 ] && break
		sleep 0.05
		i=$((i + 1))
	done
	[ "$code" = 201 ] && ok "SIGHUP reloads the contracts" ||
		bad "SIGHUP reloads the contracts" "$code $(cat "$TMP/err")"
	curl -s -o /dev/null -H 'Accept: application/json' "$URL/products/BOO-0042"
	out=$(curl -s "$URL/__accord/requests")
	case "$out" in
	*'"interaction":"a request for a product"'*'"interaction":"a product lookup"'*)
		ok "the journal keeps the descriptions of the contracts replaced" ;;
	*) bad "the journal keeps the descriptions of the contracts replaced" "$out" ;;
	esac
	echo '{"consumer": ' >"$TMP/c.json"
	kill -HUP $PID
	wait_for "reload failed" "$TMP/err"
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/opinions" \
		-H 'Content-Type: application/json' -d "$body")
	grep -q "reload failed, still serving the old contracts" "$TMP/err" &&
		[ "$code" = 201 ] && ok "a bad reload keeps the old contracts" ||
		bad "a bad reload keeps the old contracts" "$code $(cat "$TMP/err")"
	stop_stub
else
	bad "reload: stub did not start" "$(cat "$TMP/err")"
fi

# 13. --log-format json: every line the server writes is JSON, the
# library's own messages (explain, reloads, a failed reload) included
# all_json FILE: every line a JSON object {"event": ..., "level": ...}
all_json() {
	[ -s "$1" ] || return 1
	! grep -qv '^{"event":"[a-z]*",.*"level":"[a-z]*"}$' "$1" || return 1
	! command -v jq >/dev/null 2>&1 || jq -e . "$1" >/dev/null
}
cp "$DEMO" "$TMP/c.json"
if start_stub --log-format json --explain "$TMP/c.json"; then
	curl -s -o /dev/null -H 'Accept: application/json' "$URL/products/BOO-0042"
	kill -HUP $PID
	wait_for '"event":"reload"' "$TMP/err"
	stop_stub
	all_json "$TMP/err" && grep -q '"event":"explain"' "$TMP/err" &&
		grep -q '"event":"reload","message":"reloaded: 3 interactions","level":"info"' "$TMP/err" &&
		ok "--log-format json: explain and reload lines are JSON" ||
		bad "--log-format json: explain and reload lines are JSON" "$(cat "$TMP/err")"
else
	bad "--log-format json: stub did not start" "$(cat "$TMP/err")"
fi
cp fixtures/faults/effects.yaml "$TMP/f.yaml"
if start_stub -q --log-format json --faults "$TMP/f.yaml" "$DEMO"; then
	echo 'rules: [' >"$TMP/f.yaml"
	kill -HUP $PID
	wait_for 'reload failed' "$TMP/err"
	stop_stub
	all_json "$TMP/err" &&
		grep -q '"event":"reload","message":"reload failed, still applying the old fault rules: .*","level":"error"' "$TMP/err" &&
		ok "--log-format json: a failed fault reload is a JSON line" ||
		bad "--log-format json: a failed fault reload is a JSON line" "$(cat "$TMP/err")"
else
	bad "--log-format json --faults: stub did not start" "$(cat "$TMP/err")"
fi

echo "stub: $pass passed, $fail failed"
[ $fail = 0 ]
