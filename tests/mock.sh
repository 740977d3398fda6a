#!/bin/sh
# Integration tests of `accord mock` over real sockets (port 0, 127.0.0.1):
# a consumer test written in shell with curl registers its expectations
# through the admin API and the pact written is exactly the golden file;
# a missing or an unexpected call fails the run with a clear message; the
# command's status is passed on; expectations from files; /__accord/verify,
# /__accord/contract and DELETE /__accord/interactions; merging with an
# existing pact; eight processes writing one pact file at once.
#
# usage: tests/mock.sh BUILD_DIR SHARED_DIR
# Ends with "mock: N passed, N failed".
set -u
B=$1
SHARED=$2
A=$B/accord
TMP=$(mktemp -d)
F=fixtures/mock
pass=0
fail=0
PID=
PIDS=

. "$(dirname "$0")/lib.sh"

# also stops the concurrent writers, should a test fail among them
cleanup_all() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	cleanup
}
trap cleanup_all EXIT INT TERM

# start_mock ARGS...: like start_stub, for accord mock.
start_mock() {
	start_server "$TMP/out" "$TMP/err" "$A" mock --port 0 "$@"
}

run_consumer() { # OUT SPEC [ENV...]: the consumer test under accord mock
	out=$1
	spec=$2
	shift 2
	env "$@" "$A" mock -q --spec "$spec" --consumer order-web \
		--provider order-service --out "$out" -- \
		sh "$F/consumer-test.sh" >"$TMP/mout" 2>"$TMP/merr"
}

# 1. the consumer test writes exactly the golden pact, v4 and v3
run_consumer "$TMP/pacts/" v4
rc=$?
if [ $rc = 0 ] && cmp -s "$TMP/pacts/order-web-order-service.json" "$F/golden-v4.json"; then
	ok "consumer test: the v4 pact written is the golden file"
else
	bad "consumer test: the v4 pact written is the golden file" \
		"rc=$rc $(cat "$TMP/merr"; diff "$F/golden-v4.json" "$TMP/pacts/order-web-order-service.json" 2>&1 | head)"
fi
run_consumer "$TMP/v3.json" v3
rc=$?
if [ $rc = 0 ] && cmp -s "$TMP/v3.json" "$F/golden-v3.json"; then
	ok "consumer test: the v3 pact written is the golden file"
else
	bad "consumer test: the v3 pact written is the golden file" "rc=$rc $(cat "$TMP/merr")"
fi
"$A" validate "$TMP/v3.json" "$TMP/pacts/order-web-order-service.json" >/dev/null 2>&1 &&
	ok "the written pacts validate" || bad "the written pacts validate"

# 2. a missing call: exit 1, says which, writes nothing
run_consumer "$TMP/miss.json" v4 MISS=1
rc=$?
if [ $rc = 1 ] && [ ! -e "$TMP/miss.json" ] &&
	grep -q "expected interaction not received: 'an order is created' (POST /orders)" "$TMP/merr" &&
	grep -q "the pact was not written" "$TMP/merr"; then
	ok "a missing call fails the run (exit 1) naming the interaction"
else
	bad "a missing call fails the run (exit 1) naming the interaction" "rc=$rc $(cat "$TMP/merr")"
fi

# 3. an unexpected call: exit 1, with the nearest miss
run_consumer "$TMP/extra.json" v4 EXTRA=1
rc=$?
if [ $rc = 1 ] && [ ! -e "$TMP/extra.json" ] &&
	grep -q "unexpected request: GET /orders/9999 (nearest 'a request for order 1001': \$.path" "$TMP/merr"; then
	ok "an unexpected call fails the run (exit 1) with its nearest miss"
else
	bad "an unexpected call fails the run (exit 1) with its nearest miss" "rc=$rc $(cat "$TMP/merr")"
fi

# 4. the command's own failure is passed on; a command that cannot run
"$A" mock -q --consumer c --provider p --out "$TMP/x.json" -- sh -c 'exit 3' >/dev/null 2>&1
rc=$?
[ $rc = 3 ] && ok "the command's exit status is passed on (3)" ||
	bad "the command's exit status is passed on (3)" "rc=$rc"
"$A" mock -q --consumer c --provider p --out "$TMP/x.json" -- "$TMP/no-such-command" >/dev/null 2>"$TMP/merr"
rc=$?
[ $rc = 127 ] && grep -q "cannot run" "$TMP/merr" &&
	ok "a command that cannot run: 127 and a message" ||
	bad "a command that cannot run: 127 and a message" "rc=$rc $(cat "$TMP/merr")"
# ACCORD_URL reaches the command
"$A" mock -q --consumer c --provider p --out "$TMP/x.json" -- \
	sh -c 'curl -sf "$ACCORD_URL/__accord/health" >/dev/null' >/dev/null 2>&1
rc=$?
[ $rc = 0 ] && ok "ACCORD_URL points the command at the mock" ||
	bad "ACCORD_URL points the command at the mock" "rc=$rc"

# the mock stopped before its command ends: the command is stopped too
# (SIGTERM) and its status passed on; accord itself is not killed
"$A" mock -q --consumer c --provider p --out "$TMP/x.json" -- \
	sh -c 'echo up >"$0"; exec sleep 30' "$TMP/started" >/dev/null 2>&1 &
PID=$!
i=0
while [ $i -lt 200 ] && [ ! -s "$TMP/started" ]; do sleep 0.05; i=$((i + 1)); done
stop_stub
[ $rc = 143 ] && ok "SIGTERM to the mock stops its command, whose status (143) is passed on" ||
	bad "SIGTERM to the mock stops its command, whose status (143) is passed on" "rc=$rc"

# 5. expectations from a file (a pact-js v3 contract), an interaction
# never called: the run fails and names it
PJ=$SHARED/fixtures-pactjs/order-web-order-service.json
if [ -f "$PJ" ]; then
	"$A" mock -q --out "$TMP/pj.json" "$PJ" -- sh -c 'exit 0' >/dev/null 2>"$TMP/merr"
	rc=$?
	n=$(grep -c "expected interaction not received" "$TMP/merr")
	[ $rc = 1 ] && [ "$n" -ge 1 ] && ok "expectations from a pact-js file: $n never received, exit 1" ||
		bad "expectations from a pact-js file" "rc=$rc $(cat "$TMP/merr")"
else
	ok "expectations from a pact-js file (skipped: $PJ missing)"
fi

# 6. the admin API: verify, DELETE, contract; and SIGTERM ends a run
if start_mock --consumer order-web --provider order-service --out "$TMP/admin.json"; then
	curl -sf -X POST "$URL/__accord/interactions" -H 'Content-Type: application/json' --data-binary @"$F/expect-order.json" >/dev/null
	code=$(curl -s -o "$TMP/v" -w '%{http_code}' "$URL/__accord/verify")
	[ "$code" = 409 ] && grep -q '"missing":\[{"description":"a request for order 1001"' "$TMP/v" &&
		ok "GET /__accord/verify: 409 naming what is missing" ||
		bad "GET /__accord/verify: 409 naming what is missing" "$code $(cat "$TMP/v")"
	code=$(curl -s -o "$TMP/v" -w '%{http_code}' -X POST "$URL/__accord/contract")
	[ "$code" = 409 ] && [ ! -e "$TMP/admin.json" ] &&
		ok "POST /__accord/contract refuses while expectations are unmet" ||
		bad "POST /__accord/contract refuses while expectations are unmet" "$code $(cat "$TMP/v")"
	curl -s "$URL/orders/1001" -H 'Accept: application/json' >/dev/null
	code=$(curl -s -o "$TMP/v" -w '%{http_code}' "$URL/__accord/verify")
	[ "$code" = 200 ] && grep -q '"ok":true' "$TMP/v" &&
		ok "GET /__accord/verify: 200 once received" ||
		bad "GET /__accord/verify: 200 once received" "$code $(cat "$TMP/v")"
	code=$(curl -s -o "$TMP/v" -w '%{http_code}' -X POST "$URL/__accord/contract")
	[ "$code" = 200 ] && grep -q '"a request for order 1001"' "$TMP/admin.json" &&
		ok "POST /__accord/contract writes the pact" ||
		bad "POST /__accord/contract writes the pact" "$code $(cat "$TMP/v")"
	code=$(curl -s -o "$TMP/v" -w '%{http_code}' -X POST "$URL/__accord/interactions" -H 'Content-Type: application/json' -d '{"description":')
	[ "$code" = 400 ] && grep -q 'error' "$TMP/v" &&
		ok "a malformed interaction: 400" || bad "a malformed interaction: 400" "$code $(cat "$TMP/v")"
	curl -s -X DELETE "$URL/__accord/interactions" >"$TMP/v"
	code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/orders/1001")
	grep -q '"interactions":0' "$TMP/v" && [ "$code" = 404 ] &&
		ok "DELETE /__accord/interactions clears the expectations" ||
		bad "DELETE /__accord/interactions clears the expectations" "$code $(cat "$TMP/v")"
	stop_stub
	[ $rc = 1 ] && grep -q "unexpected request: GET /orders/1001" "$TMP/err" &&
		ok "SIGTERM ends the run and checks it (the request after DELETE was unexpected)" ||
		bad "SIGTERM ends the run and checks it" "rc=$rc $(cat "$TMP/err")"
else
	bad "mock did not start" "$(cat "$TMP/err")"
fi

# 6a. expectations registered one call at a time (the set is rebuilt once,
# by the first request after them): each is served, the last as the first
if start_mock --consumer web --provider many --out "$TMP/many.json"; then
	i=0
	while [ $i -lt 200 ]; do
		printf '{"description":"item %d","request":{"method":"GET","path":"/items/%d"},"response":{"status":200,"body":{"id":%d}}}' \
			$i $i $i >"$TMP/one.json"
		curl -sf -X POST "$URL/__accord/interactions" -H 'Content-Type: application/json' --data-binary @"$TMP/one.json" >"$TMP/v" || break
		i=$((i + 1))
	done
	a=$(curl -s "$URL/items/199")
	b=$(curl -s "$URL/items/0")
	printf '{"description":"item 200","request":{"method":"GET","path":"/items/200"},"response":{"status":200,"body":{"id":200}}}' \
		>"$TMP/one.json"
	curl -sf -X POST "$URL/__accord/interactions" -H 'Content-Type: application/json' --data-binary @"$TMP/one.json" >/dev/null
	c=$(curl -s "$URL/items/200")
	n=$(curl -s "$URL/__accord/verify" | jq '.missing | length')
	stop_stub
	[ $i = 200 ] && grep -q '"interactions":200' "$TMP/v" && [ "$a" = '{"id":199}' ] &&
		[ "$b" = '{"id":0}' ] && [ "$c" = '{"id":200}' ] && [ "$n" = 198 ] &&
		ok "200 expectations registered one by one, then one more after traffic: each served, the rest missing" ||
		bad "expectations registered one by one" "i=$i a=$a b=$b c=$c missing=$n $(cat "$TMP/v")"
else
	bad "mock did not start" "$(cat "$TMP/err")"
fi

# 6b. POST /__accord/contract waits for the pact's lock off the loop: while
# another process holds the lock, the mock goes on answering
if command -v python3 >/dev/null 2>&1 &&
	start_mock --consumer order-web --provider order-service --out "$TMP/locked.json"; then
	python3 -c '
import fcntl, os, sys, time
f = open(sys.argv[1], "a")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
for _ in range(600):  # until told, 30 s at most
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
' "$TMP/locked.json.lock" "$TMP/release" >"$TMP/locker" 2>&1 &
	LOCKER=$!
	PIDS=$LOCKER
	wait_for locked "$TMP/locker"
	curl -sf -X POST "$URL/__accord/interactions" -H 'Content-Type: application/json' --data-binary @"$F/expect-order.json" >/dev/null
	curl -s "$URL/orders/1001" -H 'Accept: application/json' >/dev/null
	curl -s -o "$TMP/c.body" -w '%{http_code}' -X POST "$URL/__accord/contract" >"$TMP/c.code" &
	CURLP=$!
	PIDS="$LOCKER $CURLP"
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/__accord/health")
	[ "$code" = 200 ] && [ ! -e "$TMP/locked.json" ] && kill -0 $CURLP 2>/dev/null &&
		ok "while the pact is locked elsewhere the mock answers, and the write waits" ||
		bad "while the pact is locked elsewhere the mock answers, and the write waits" "health=$code"
	: >"$TMP/release"
	wait $LOCKER
	wait $CURLP
	PIDS=
	[ "$(cat "$TMP/c.code")" = 200 ] && grep -q '"a request for order 1001"' "$TMP/locked.json" &&
		ok "once the lock is released the contract is written" ||
		bad "once the lock is released the contract is written" "$(cat "$TMP/c.code" "$TMP/c.body")"
	stop_stub
else
	ok "the lock does not block the mock (skipped: no python3)"
	ok "once the lock is released the contract is written (skipped)"
	stop_stub
fi

# 7. merging with an existing pact: same description and states replaced,
# others kept
cp "$F/existing.json" "$TMP/merge.json"
run_consumer "$TMP/merge.json" v4
rc=$?
n=$(grep -c '"description"' "$TMP/merge.json")
if [ $rc = 0 ] && [ "$n" = 3 ] && grep -q '"a health check"' "$TMP/merge.json" &&
	! grep -q '"status": 410' "$TMP/merge.json"; then
	ok "merge: the same interaction replaced, the others kept"
else
	bad "merge: the same interaction replaced, the others kept" "rc=$rc n=$n $(cat "$TMP/merr")"
fi
printf '{"consumer": ' >"$TMP/broken.json"
run_consumer "$TMP/broken.json" v4
rc=$?
[ $rc = 2 ] && [ "$(cat "$TMP/broken.json")" = '{"consumer": ' ] &&
	ok "a broken existing pact is an error and is left alone" ||
	bad "a broken existing pact is an error and is left alone" "rc=$rc $(cat "$TMP/merr")"

# 8. eight processes writing one pact file at once lose nothing
i=1
PIDS=
while [ $i -le 8 ]; do
	"$A" mock -q --consumer web --provider api --out "$TMP/eight/" -- sh -c '
		curl -sf -X POST "$ACCORD_URL/__accord/interactions" -H "Content-Type: application/json" -d "{\"description\":\"call $0\",\"request\":{\"method\":\"GET\",\"path\":\"/item/$0\"},\"response\":{\"status\":200,\"body\":{\"n\":$0}}}" >/dev/null &&
		curl -sf "$ACCORD_URL/item/$0" >/dev/null' "$i" >/dev/null 2>"$TMP/w$i" &
	PIDS="$PIDS $!"
	i=$((i + 1))
done
bads=0
for p in $PIDS; do wait "$p" || bads=$((bads + 1)); done
PIDS=
n=$(grep -c '"description": "call [1-8]"' "$TMP/eight/web-api.json" 2>/dev/null)
if [ $bads = 0 ] && [ "$n" = 8 ] && "$A" validate "$TMP/eight/web-api.json" >/dev/null 2>&1; then
	ok "eight concurrent writers: all 8 interactions present, the file valid"
else
	bad "eight concurrent writers: all 8 interactions present, the file valid" \
		"failed=$bads n=$n $(cat "$TMP"/w*)"
fi

# 9. usage
"$A" mock --spec v9 --consumer c --provider p >/dev/null 2>"$TMP/merr"
rc=$?
[ $rc = 2 ] && grep -q "spec is v3 or v4" "$TMP/merr" && ok "--spec v9: usage error" ||
	bad "--spec v9: usage error" "rc=$rc $(cat "$TMP/merr")"
"$A" mock -- true >/dev/null 2>"$TMP/merr"
rc=$?
[ $rc = 2 ] && grep -q "consumer and --provider are required" "$TMP/merr" &&
	ok "no parties: usage error" || bad "no parties: usage error" "rc=$rc $(cat "$TMP/merr")"

# 10. names from a contract become one file name inside --out, and links
# planted beside the pact (lock, temporary files) are never followed
# mock_one NAME CONSUMER PROVIDER OUT: one interaction registered and called
mock_one() {
	"$A" mock -q --consumer "$2" --provider "$3" --out "$4" -- sh -c '
		curl -sf -X POST "$ACCORD_URL/__accord/interactions" -H "Content-Type: application/json" -d "{\"description\":\"one\",\"request\":{\"method\":\"GET\",\"path\":\"/one\"},\"response\":{\"status\":200}}" >/dev/null &&
		curl -sf "$ACCORD_URL/one" >/dev/null' >/dev/null 2>"$TMP/$1.err"
}
mkdir -p "$TMP/names/deep/out"
mock_one names '../../escaped' 'p/../../x' "$TMP/names/deep/out/"
rc=$?
left=$(cd "$TMP/names" && find . -name '*.json' | sort | tr '\n' ' ')
[ $rc = 0 ] && [ "$left" = "./deep/out/.._.._escaped-p_.._.._x.json " ] &&
	ok "consumer and provider names with '../' stay one file name inside --out" ||
	bad "consumer and provider names with '../' stay one file name inside --out" \
		"rc=$rc files: $left $(cat "$TMP/names.err")"
mkdir -p "$TMP/planted"
ln -s "$TMP/victim-lock" "$TMP/planted/c-p.json.lock"
mock_one lock c p "$TMP/planted/"
rc=$?
[ $rc = 2 ] && [ ! -e "$TMP/victim-lock" ] && [ ! -e "$TMP/planted/c-p.json" ] &&
	grep -q "lock" "$TMP/lock.err" &&
	ok "a link planted as the lock file is refused, its target not created" ||
	bad "a link planted as the lock file is refused, its target not created" \
		"rc=$rc $(cat "$TMP/lock.err")"
rm -f "$TMP/planted/c-p.json.lock"
echo stale >"$TMP/planted/c-p.json.tmp.4242"
ln -s "$TMP/victim-tmp" "$TMP/planted/c-p.json.tmp.$$"
mock_one stale c p "$TMP/planted/"
rc=$?
stale=$(cd "$TMP/planted" && ls | grep -c '\.tmp\.')
[ $rc = 0 ] && [ "$stale" = 0 ] && [ ! -e "$TMP/victim-tmp" ] &&
	"$A" validate "$TMP/planted/c-p.json" >/dev/null 2>&1 &&
	ok "stale PACT.tmp.* files and links are removed by the next writer, never followed" ||
	bad "stale PACT.tmp.* files and links are removed by the next writer, never followed" \
		"rc=$rc stale=$stale $(cat "$TMP/stale.err")"

# 11. the admin token from the environment (not on the command line, where
# ps shows it): the admin API then asks for it
ACCORD_ADMIN_TOKEN=s3cret
export ACCORD_ADMIN_TOKEN
if start_mock --consumer c --provider p; then
	unset ACCORD_ADMIN_TOKEN
	no=$(curl -s -o /dev/null -w '%{http_code}' "$URL/__accord/health")
	yes=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Accord-Token: s3cret' "$URL/__accord/health")
	stop_stub
	[ "$no" = 401 ] && [ "$yes" = 200 ] &&
		ok "ACCORD_ADMIN_TOKEN: the mock's admin API asks for it" ||
		bad "ACCORD_ADMIN_TOKEN: the mock's admin API asks for it" "without $no, with $yes"
else
	unset ACCORD_ADMIN_TOKEN
	bad "ACCORD_ADMIN_TOKEN: mock did not start" "$(cat "$TMP/err")"
fi

echo "mock: $pass passed, $fail failed"
[ $fail = 0 ]
