# tests/lib.sh: what the socket-level test scripts share (sourced by
# tests/stub.sh, faults.sh, mock.sh, record.sh, verify.sh and
# verify_interop.sh). The caller sets A (the accord binary) and TMP (a
# scratch directory, removed on exit), and pass=0 fail=0 PID=. A script
# may define its own ok, bad or cleanup after sourcing this.

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -20
}

# start_server OUT ERR CMD...: runs CMD in the background, stdout to OUT
# and stderr to ERR, and waits (10 s at most) for its "listening on URL"
# line; sets PID, URL, PORT. Fails if it never comes.
start_server() {
	so=$1
	se=$2
	shift 2
	: >"$so" # exists before the background job opens it
	"$@" >"$so" 2>"$se" &
	PID=$!
	URL=
	i=0
	while [ $i -lt 200 ]; do
		URL=$(sed -n 's/^listening on //p' "$so")
		[ -n "$URL" ] && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	PORT=${URL##*:}
	[ -n "$URL" ]
}

# poll CMD...: runs CMD every 50 ms until it succeeds, 5 s at most; fails
# when it never does. What tests wait for instead of sleeping.
poll() {
	w=0
	while [ $w -lt 100 ]; do
		"$@" && return 0
		sleep 0.05
		w=$((w + 1))
	done
	return 1
}

# wait_for TEXT FILE: waits (5 s at most) until FILE holds TEXT (a basic
# regular expression); fails when it never does.
wait_for() {
	poll grep -qs "$1" "$2"
}

# start_stub ARGS...: a stub on a free port, output in $TMP/out, $TMP/err.
start_stub() {
	start_server "$TMP/out" "$TMP/err" "$A" stub --port 0 "$@"
}

# stop_stub: SIGTERM and wait; returns the stub's exit status (in rc too).
stop_stub() {
	[ -n "$PID" ] || return 0
	kill -TERM $PID 2>/dev/null
	wait $PID
	rc=$?
	PID=
	return $rc
}

cleanup() {
	[ -n "$PID" ] && kill -KILL $PID 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
