# tests/lib.sh: what the socket-level test scripts share (sourced by
# tests/stub.sh and tests/faults.sh). The caller sets A (the accord binary)
# and TMP (a scratch directory, removed on exit), and pass=0 fail=0 PID=.

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -20
}

# start_stub ARGS...: starts a stub on a free port; sets PID, URL, PORT.
# Its stdout and stderr go to $TMP/out and $TMP/err.
start_stub() {
	: >"$TMP/out" # exists before the background job opens it
	"$A" stub --port 0 "$@" >"$TMP/out" 2>"$TMP/err" &
	PID=$!
	i=0
	while [ $i -lt 200 ]; do
		URL=$(sed -n 's/^listening on //p' "$TMP/out")
		[ -n "$URL" ] && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	PORT=${URL##*:}
	[ -n "$URL" ]
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
