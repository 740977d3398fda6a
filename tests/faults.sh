#!/bin/sh
# Fault injection over real sockets (port 0, 127.0.0.1): a libcurl client
# (tool_curl) observes each effect that takes time as a real client would,
# triggers that need several connections or time windows, the same seed
# gives the same decisions and a replay repeats them, SIGHUP reloads, and
# one worker holds 10,000 delayed answers at once (tool_flood). The exact
# bytes of the other effects, sequences, sessions, matches, the flags and
# rules changed at run time are fixtures in fixtures/stub/02xx and 03xx.
#
# usage: tests/faults.sh BUILD_DIR SHARED_DIR
# Ends with "faults: N passed, N failed".
set -u
B=$1
A=$B/accord
CURL=$B/tests/tool_curl
FLOOD=$B/tests/tool_flood
F=fixtures/faults
ITEMS=$F/items.json
TMP=$(mktemp -d)
pass=0
fail=0
PID=

. "$(dirname "$0")/lib.sh"

# check NAME OUTPUT PATTERN: ok when OUTPUT matches the case pattern
check() {
	# shellcheck disable=SC2254 # the pattern is meant to match
	case "$2" in
	$3) ok "$1" ;;
	*) bad "$1" "$2" ;;
	esac
}

# ge A B: A >= B, for decimals
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
field() { printf '%s\n' "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p" | head -1; }
req() { "$CURL" "$@"; }

command -v jq >/dev/null 2>&1 || {
	echo "faults: jq is needed (scripts/deps.sh installs it)"
	echo "faults: 0 passed, 1 failed"
	exit 1
}

# 1. every effect, as a libcurl client sees it -------------------------
if ! start_stub "--faults" "$F/effects.yaml" "$ITEMS"; then
	bad "effects: stub did not start" "$(cat "$TMP/err")"
	echo "faults: $pass passed, $fail failed"
	exit 1
fi
clean=$(req "$URL/items/12")
full=$(field "$clean" bytes) # items 10 to 12; items 1 to 9 have 2 bytes less
short=$((full - 2))
check "no rule: answered as contracted" "$clean" "code=CURLE_OK status=200 *"

out=$(req "$URL/items/1")
ms=$(field "$out" ms)
if ge "$ms" 400; then
	check "latency 400ms: the answer, no sooner than 400 ms" "$out" "code=CURLE_OK status=200 bytes=$short *"
else
	bad "latency 400ms: answered after $ms ms" "$out"
fi

out=$(req -t 700 "$URL/items/8")
ms=$(field "$out" ms)
if ge "$ms" 650; then # (curl's own timer may end a hair early)
	check "hang: only the client's own timeout ends it" "$out" "code=CURLE_OPERATION_TIMEDOUT *"
else
	bad "hang: ended after $ms ms, before the client's 700 ms" "$out"
fi
out=$(req "$URL/items/9")
ms=$(field "$out" ms)
# 500 bytes/s: the body alone needs (bytes - one 10-byte slice) / 500 s
need=$(awk -v b="$short" 'BEGIN { printf "%.0f", (b - 10) * 1000 / 500 }')
if ge "$ms" "$need"; then
	check "bandwidth 500 B/s: whole body, no sooner than $need ms" "$out" \
		"code=CURLE_OK status=200 bytes=$short *"
else
	bad "bandwidth 500 B/s: $full bytes in $ms ms (< $need)" "$out"
fi
out=$(req "$URL/items/10")
ms=$(field "$out" ms)
if ge "$ms" 600; then
	check "slow-head 600ms: the whole answer, no sooner" "$out" \
		"code=CURLE_OK status=200 bytes=$full *"
else
	bad "slow-head: answered after $ms ms" "$out"
fi
# the journal and the metrics hold what the rules decided (the bytes of
# the error, reset, close, truncate, garbage and malformed-chunk answers
# are fixtures/stub/02xx)
req "$URL/items/3" >/dev/null
req "$URL/items/5" >/dev/null
req -n 4 "$URL/items/2" >/dev/null
j=$(curl -s "$URL/__accord/requests")
check "journal: each decision with its rule, effect and values" "$j" \
	'*"target":"/items/1"*"faults":\[{"rule":"slow","effect":"latency","ms":400}\]*"rule":"reset","effect":"reset"*"rule":"truncate","effect":"truncate","bytes":17*'
m=$(curl -s "$URL/__accord/metrics")
check "metrics: faults by rule and effect" "$m" \
	'*accord_faults_total{rule="unavailable",effect="error"} 4*'
stop_stub || bad "effects: exit status $rc after SIGTERM"

# 2. triggers ------------------------------------------------------------
start_stub --faults "$F/triggers.json" "$ITEMS" ||
	bad "triggers: stub did not start" "$(cat "$TMP/err")"
out=$(req -n 4 "$URL/items/2" | cut -d' ' -f1 | tr '\n' ' ')
check "times 2: two resets, then answers" "$out" \
	"code=CURLE_RECV_ERROR code=CURLE_RECV_ERROR code=CURLE_OK code=CURLE_OK "
# probability 0.3 over 10,000 requests: 3000 +- 4 sd (sd = 45.8)
n500=$(req -s -n 10000 "$URL/items/3" | sed -n 's/^\([0-9]*\) code=CURLE_OK status=500$/\1/p')
if [ -n "$n500" ] && [ "$n500" -ge 2817 ] && [ "$n500" -le 3183 ]; then
	ok "probability 0.3: $n500 errors in 10,000 (3000 +- 183)"
else
	bad "probability 0.3: ${n500:-no} errors in 10,000 (3000 +- 183)"
fi
# a time window, on a session's own clock: its first request is at 0
out=$(req -H "X-Accord-Session: w" "$URL/items/4")
check "after 1500ms: a session's first request is before the window" "$out" \
	"code=CURLE_OK status=200 *"
sleep 1.6
out=$(req -H "X-Accord-Session: w" "$URL/items/4")
check "after 1500ms: 1.6 s later the rule fires" "$out" "code=CURLE_OK status=502 *"
req -n 20 "$URL/items/5" >/dev/null
lat=$(curl -s "$URL/__accord/requests" | jq -r '[.requests[] | .faults // [] | .[] | select(.rule == "jitter") | .ms] | "\(length) \(min) \(max) \(unique | length)"')
set -- $lat
if [ "$1" = 20 ] && ge "$2" 1 && ge 30 "$3" && [ "$4" -gt 10 ]; then
	ok "latency uniform [1ms, 30ms]: 20 draws in range, spread out"
else
	bad "latency uniform [1ms, 30ms]: draws (count min max distinct): $lat"
fi
stop_stub

# 3. the same seed, the same decisions; another seed, others; replay ------
run() { # run LABEL ARGS...: 300 requests on a flaky path, decisions saved
	label=$1
	shift
	start_stub "$@" "$ITEMS" || {
		bad "$label: stub did not start" "$(cat "$TMP/err")"
		return 1
	}
	# a connection each: with --workers they spread over the loops
	req -f -n 150 "$URL/items/3" >/dev/null
	req -f -n 150 -H "X-Accord-Session: s2" "$URL/items/3" >/dev/null
	curl -s "$URL/__accord/requests" >"$TMP/$label.journal"
	jq -c '.requests[] | [.target, .session, .ordinal, .faults]' \
		"$TMP/$label.journal" >"$TMP/$label"
	stop_stub
}
run a --faults "$F/triggers.json" && run b --faults "$F/triggers.json" &&
	run c --faults "$F/triggers.json" --seed 12 &&
	run d --faults "$F/triggers.json" --workers 4 &&
	run r --replay "$TMP/a.journal"
nf=$(grep -c '"rule"' "$TMP/a" 2>/dev/null)
if [ "${nf:-0}" -gt 50 ] && cmp -s "$TMP/a" "$TMP/b"; then
	ok "same seed: identical decision logs ($nf faults in 300 requests)"
else
	bad "same seed: identical decision logs" "$(diff "$TMP/a" "$TMP/b" | head)"
fi
if [ -s "$TMP/c" ] && ! cmp -s "$TMP/a" "$TMP/c"; then
	ok "another seed (--seed 12): other decisions"
else
	bad "another seed (--seed 12): other decisions"
fi
cmp -s "$TMP/a" "$TMP/d" && ok "same seed with --workers 4: identical decisions" ||
	bad "same seed with --workers 4: identical decisions" "$(diff "$TMP/a" "$TMP/d" | head)"
cmp -s "$TMP/a" "$TMP/r" && ok "--replay JOURNAL: the recorded run's decisions again" ||
	bad "--replay JOURNAL: the recorded run's decisions again" "$(diff "$TMP/a" "$TMP/r" | head)"

# 4. rules changed at run time, through the admin API: fixtures/stub/0307
# and 0308; SIGHUP reads --faults again, a bad profile keeps the rules in
# force
printf 'rules:\n  - {match: {path: "^/items/1$"}, error: 500}\n' >"$TMP/p.yaml"
if start_stub --faults "$TMP/p.yaml" "$ITEMS"; then
	check "SIGHUP: before, the first profile" "$(req "$URL/items/1")" "code=CURLE_OK status=500 *"
	printf 'rules:\n  - {match: {path: "^/items/1$"}, error: 418}\n' >"$TMP/p.yaml"
	kill -HUP $PID
	i=0
	while [ $i -lt 100 ]; do
		out=$(req "$URL/items/1")
		case "$out" in *status=418*) break ;; esac
		sleep 0.05
		i=$((i + 1))
	done
	check "SIGHUP reloads the fault profile" "$out" "code=CURLE_OK status=418 *"
	printf 'rules:\n  - {error: 418, probabilty: 1}\n' >"$TMP/p.yaml"
	kill -HUP $PID
	wait_for "still applying the old fault rules" "$TMP/err"
	out="$(req "$URL/items/1") $(grep 'reload failed' "$TMP/err")"
	check "a bad profile on SIGHUP keeps the rules in force, and says why" "$out" \
		"code=CURLE_OK status=418 *p.yaml:2:30: error: unknown key 'probabilty'*"
	stop_stub
fi

# 5. the flags --------------------------------------------------------------
if start_stub --latency 300ms..350ms --seed 1 "$ITEMS"; then
	out=$(req "$URL/items/1")
	ms=$(field "$out" ms)
	ge "$ms" 300 && ok "--latency 300ms..350ms: no answer sooner than 300 ms" ||
		bad "--latency 300ms..350ms: answered after $ms ms" "$out"
	stop_stub
fi

# 6. 10,000 delayed answers held at once by one worker ------------------
hard=$(ulimit -Hn)
n=10000
[ "$hard" != unlimited ] && [ "$hard" -lt 10200 ] && n=$((hard - 200))
if start_stub --latency 4s --workers 1 -q "$ITEMS"; then
	out=$(ulimit -n "$hard" 2>/dev/null; "$FLOOD" 127.0.0.1 "$PORT" /items/1 "$n" 120000)
	peak=$(printf '%s' "$out" | sed -n 's/.*peak \([0-9]*\) waiting.*/\1/p')
	case "$out" in
	"flood: $n ok, 0 failed, "*)
		if [ "${peak:-0}" -ge $((n / 10)) ]; then
			ok "$n delayed requests on one worker: all answered, $peak at once"
		else
			bad "$n delayed requests: only $peak at once" "$out"
		fi
		;;
	*) bad "$n delayed requests on one worker, all answered" "$out" ;;
	esac
	stop_stub
fi

echo "faults: $pass passed, $fail failed"
[ $fail -eq 0 ]
