#!/bin/sh
# bench/stub.sh: `accord stub` under load, next to nginx serving the same
# bytes from `return` directives (the ceiling for a static answer).
#
# Workload (bench/genpact.sh): GET /api/items/{i} for 100 interactions, each
# a 1,024-byte JSON body, requested in turn; POST /api/orders whose JSON body
# must match. Each is loaded with wrk (bench/wrk.lua) for BENCH_SECONDS
# (default 10), 2 threads and 64 connections, the server pinned to CPU 1 and
# wrk to CPU 0, first on accord and then on nginx. Then accord alone:
# start-up time to the first 200 (wall time from launch, polling with curl),
# and BENCH_ROUNDS rounds (default 3) of GET over 100 interactions, the same
# with bench/faults-nomatch.yaml (fault rules that match none of the
# requests: their cost must stay under 5%) and GET over 10,000 interactions.
# Reports req/s, p50, p99, errors, the server's peak RSS (VmHWM; for nginx,
# its one worker) and the accord/nginx ratios of this run.
#
# wrk and nginx are installed with apt-get when missing (root, or sudo
# without a password); without them those parts are skipped, with a message.
# On a host with systemd the Debian nginx package starts a service on port
# 80: this script neither uses nor stops it.
#
# usage: bench/stub.sh [ACCORD]   (from the top of the tree; make bench)
set -u
A=${1:-build/accord}
D=${BENCH_SECONDS:-10}
W=${BENCH_DIR:-build/bench}
HERE=$(dirname "$0")
T=$(mktemp -d "${TMPDIR:-/tmp}/accord-bench.XXXXXX") || exit 1
PID=
PID100=
PIDF=
NPID=

stop() { # stop PID: TERM, then KILL after 5 s; waits for it
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	s=0
	while kill -0 "$1" 2>/dev/null && [ $s -lt 50 ]; do
		sleep 0.1
		s=$((s + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	stop "$PID"
	stop "$PID100"
	stop "$PIDF"
	stop "$NPID"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

note() { echo "stub bench: $*"; }

# want CMD PACKAGE: CMD is on PATH, or is installed now; 1 if neither.
want() {
	command -v "$1" >/dev/null 2>&1 && return 0
	command -v apt-get >/dev/null 2>&1 || return 1
	SUDO=
	if [ "$(id -u)" != 0 ]; then
		sudo -n true 2>/dev/null || return 1
		SUDO="sudo -n"
	fi
	note "installing $2"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y -qq --no-install-recommends "$2" \
		>"$T/apt.log" 2>&1 ||
		{ $SUDO apt-get update -qq >>"$T/apt.log" 2>&1 &&
		  $SUDO apt-get install -y -qq --no-install-recommends "$2" \
			>>"$T/apt.log" 2>&1; } || return 1
	command -v "$1" >/dev/null 2>&1
}

PATH=$PATH:/usr/sbin:/usr/local/sbin
export PATH
HAVE_WRK=1
HAVE_NGINX=1
want wrk wrk || { HAVE_WRK=0; note "wrk missing and not installable: no load runs"; }
want nginx nginx-light || { HAVE_NGINX=0; note "nginx missing and not installable: no nginx comparison"; }
command -v curl >/dev/null 2>&1 || { note "curl missing: skipped"; exit 0; }
case $(date +%N) in
*[!0-9]*) note "date +%N unsupported: skipped"; exit 0 ;;
esac

# Pinning: the server on CPU 1, this script and wrk on CPU 0.
SRV=
CLI=
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
	taskset -p -c 0 $$ >/dev/null && SRV="taskset -c 1" && CLI="taskset -c 0"
fi
[ -n "$SRV" ] || note "taskset or a second CPU missing: not pinned"

sh "$HERE/genpact.sh" 100 "$T" nginx || exit 1
sh "$HERE/genpact.sh" 10000 "$T" || exit 1
mkdir -p "$W"

ms_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }
post() { code -X POST -H 'Content-Type: application/json' "$@"; }

# start_accord PACT [ARGS]: starts the stub on a free port (pinned); sets PID, PORT,
# UP_MS (launch to the first 200 on /api/items/0). 1 if it never answers
# within 30 s.
start_accord() {
	t0=$(date +%s%N)
	$SRV "$A" stub --port 0 "$@" >"$T/out" 2>"$T/err" &
	PID=$!
	PORT=
	while :; do
		[ -n "$PORT" ] ||
			PORT=$(sed -n '1s|^listening on http://[^:]*:||p' "$T/out")
		if [ -n "$PORT" ] &&
			[ "$(code "http://127.0.0.1:$PORT/api/items/0")" = 200 ]; then
			UP_MS=$(ms_since "$t0")
			return 0
		fi
		kill -0 "$PID" 2>/dev/null || break
		[ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 30 ] || break
	done
	note "accord stub did not answer 200:"
	sed 's/^/    /' "$T/out" "$T/err" | head -5
	stop "$PID"
	PID=
	return 1
}

# start_nginx: nginx on a free high port with the 100 GET + POST answers;
# sets NPID (master), NWPID (its one worker), NPORT. 1 on failure.
start_nginx() {
	v=$(nginx -V 2>&1)
	tries=0
	NPORT=$((20000 + $$ % 20000))
	while [ $tries -lt 10 ]; do
		{
			echo "worker_processes 1;"
			echo "daemon off;"
			echo "pid $T/nginx.pid;"
			echo "error_log $T/nginx-error.log warn;"
			echo "events { worker_connections 1024; }"
			echo "http {"
			echo "  access_log off;"
			echo "  default_type application/json;"
			echo "  keepalive_requests 100000000;"
			echo "  client_body_temp_path $T/ngx-body;"
			echo "  proxy_temp_path $T/ngx-proxy;"
			for m in fastcgi uwsgi scgi; do
				case $v in
				*"without-http_${m}_module"*) ;;
				*) echo "  ${m}_temp_path $T/ngx-$m;" ;;
				esac
			done
			echo "  server {"
			echo "    listen 127.0.0.1:$NPORT;"
			echo "    location / { return 404; }"
			echo "    include $T/nginx-100.locations;"
			echo "  }"
			echo "}"
		} >"$T/nginx.conf"
		$SRV nginx -p "$T" -e "$T/nginx-error.log" -c "$T/nginx.conf" \
			>"$T/nginx.out" 2>&1 &
		NPID=$!
		s=0
		while [ $s -lt 100 ] && kill -0 "$NPID" 2>/dev/null; do
			if [ "$(code "http://127.0.0.1:$NPORT/api/items/0")" = 200 ]
			then
				NWPID=$(pgrep -P "$NPID" | head -1)
				return 0
			fi
			sleep 0.05
			s=$((s + 1))
		done
		stop "$NPID"
		NPID=
		tries=$((tries + 1))
		NPORT=$((NPORT + 1))
	done
	note "nginx did not start:"
	sed 's/^/    /' "$T/nginx-error.log" "$T/nginx.out" 2>/dev/null | tail -5
	return 1
}

# check NAME URL N: every GET path and the POST answer 2xx (and a wrong POST
# body does not); prints what does not. 1 on any failure.
check() {
	bad=0
	i=0
	while [ $i -lt "$3" ]; do
		c=$(code "$2/api/items/$i")
		[ "$c" = 200 ] || { note "$1: GET /api/items/$i -> $c"; bad=1; }
		i=$((i + 1))
		# 10,000 paths: every 97th is enough to see the table is whole
		[ "$3" -le 100 ] || i=$((i + 96))
	done
	c=$(code "$2/api/items/$3")
	[ "$c" = 404 ] || { note "$1: GET /api/items/$3 (no such) -> $c"; bad=1; }
	c=$(post --data-binary "@$T/order.json" "$2/api/orders")
	[ "$c" = 201 ] || { note "$1: POST /api/orders -> $c"; bad=1; }
	if [ "$1" = accord ]; then
		c=$(post --data '{"itemId":42}' "$2/api/orders")
		[ "$c" != 201 ] || { note "$1: POST, wrong body -> $c"; bad=1; }
	fi
	return $bad
}

# load LABEL URL ARGS...: one wrk run; sets R_RPS R_P50 R_P99 R_NON2XX
# R_SOCK (R_RPS empty when wrk failed). The full output is kept in $W.
load() {
	R_RPS=
	log="$W/stub-$1.log"
	url=$2
	shift 2
	timeout $((D + 30)) $CLI wrk -t2 -c64 -d"${D}s" --latency \
		-s "$HERE/wrk.lua" "$url" -- "$@" >"$log" 2>&1
	# shellcheck disable=SC2046 # six numbers, split on purpose
	set -- $(sed -n 's/^BENCH //p' "$log")
	[ $# = 6 ] || { note "wrk failed, see $log"; return 1; }
	R_RPS=$1 R_P50=$2 R_P99=$3 R_NON2XX=$4 R_SOCK=$5
}

us() { awk -v u="$1" 'BEGIN { if (u >= 1000) printf "%.2fms", u / 1000; else printf "%dus", u }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
ROWS=
row() { # row WORKLOAD SERVER RSS_KB: a table line from the last load()
	if [ -z "$R_RPS" ]; then
		ROWS="$ROWS$(printf '%-18s %-7s %10s' "$1" "$2" failed)
"
		return
	fi
	ROWS="$ROWS$(printf '%-18s %-7s %10.0f %9s %9s %8s %6s %8s' "$1" "$2" \
		"$R_RPS" "$(us "$R_P50")" "$(us "$R_P99")" "$R_NON2XX" "$R_SOCK" \
		"$(awk -v k="$3" 'BEGIN { printf "%.1fMB", k / 1024 }')")
"
}

# 1. start-up, 100 and 10,000 interactions: sets UP to the median of 3
startup() {
	ups=
	k=0
	while [ $k -lt 3 ]; do
		start_accord "$1" || return 1
		ups="$ups $UP_MS"
		stop "$PID"
		PID=
		k=$((k + 1))
	done
	UP=$(echo $ups | tr ' ' '\n' | sort -n | sed -n 2p)
}
startup "$T/pact-100.json" || exit 1
UP100=$UP
startup "$T/pact-10000.json" || exit 1
UP10K=$UP

A_GET='' A_POST='' N_GET='' N_POST=''
# 2. accord, 100 interactions
start_accord "$T/pact-100.json" || exit 1
URL=http://127.0.0.1:$PORT
check accord "$URL" 100 || note "accord: wrong answers before load (above)"
if [ $HAVE_WRK = 1 ]; then
	load accord-get "$URL" get 100 && A_GET=$R_RPS
	row "GET x100" accord "$(hwm "$PID")"
	load accord-post "$URL/api/orders" post "$T/order.json" && A_POST=$R_RPS
	row "POST /api/orders" accord "$(hwm "$PID")"
fi
stop "$PID"
PID=

# 3. nginx, the same answers
if [ $HAVE_WRK = 1 ] && [ $HAVE_NGINX = 1 ] && start_nginx; then
	URL=http://127.0.0.1:$NPORT
	check nginx "$URL" 100 || note "nginx: wrong answers before load (above)"
	load nginx-get "$URL" get 100 && N_GET=$R_RPS
	row "GET x100" nginx "$(hwm "$NWPID")"
	load nginx-post "$URL/api/orders" post "$T/order.json" && N_POST=$R_RPS
	row "POST /api/orders" nginx "$(hwm "$NWPID")"
	stop "$NPID"
	NPID=
fi

# 4. accord in three set-ups, loaded in turn: 100 interactions, the same
# with fault rules that match nothing, 10,000 interactions. One turn makes
# a round; ratios are taken within a round, between neighbours in time, so a
# machine whose speed drifts during the bench moves both sides of a ratio.
# The table shows the first round; the ratio lines, every round and the
# median.
ROUNDS=${BENCH_ROUNDS:-3}
R_FAULTS=
R_10K=
start_accord "$T/pact-100.json" || exit 1
PID100=$PID
URL100=http://127.0.0.1:$PORT
PID=
start_accord "$T/pact-100.json" --faults "$HERE/faults-nomatch.yaml" || exit 1
PIDF=$PID
URLF=http://127.0.0.1:$PORT
PID=
check accord "$URLF" 100 || note "accord + faults: wrong answers before load (above)"
start_accord "$T/pact-10000.json" || exit 1
URL=http://127.0.0.1:$PORT
check accord "$URL" 10000 || note "accord 10k: wrong answers before load (above)"
if [ $HAVE_WRK = 1 ]; then
	k=1
	while [ $k -le "$ROUNDS" ]; do
		load accord-get100-$k "$URL100" get 100 || break
		r100=$R_RPS
		load accord-get-nomatch-$k "$URLF" get 100 || break
		[ $k = 1 ] && row "GET x100 +faults" accord "$(hwm "$PIDF")"
		R_FAULTS="$R_FAULTS $(ratio "$R_RPS" "$r100")"
		load accord-get10k-$k "$URL" get 10000 || break
		[ $k = 1 ] && row "GET x10000" accord "$(hwm "$PID")"
		R_10K="$R_10K $(ratio "$R_RPS" "$r100")"
		k=$((k + 1))
	done
fi
stop "$PID"
PID=
stop "$PIDF"
PIDF=
stop "$PID100"
PID100=

median() { echo "$@" | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo
echo "stub bench: wrk -t2 -c64 -d${D}s --latency${SRV:+, server on CPU 1, wrk on CPU 0}"
if [ -n "$ROWS" ]; then
	printf '%-18s %-7s %10s %9s %9s %8s %6s %8s\n' workload server req/s \
		p50 p99 non-2xx sockerr peakRSS
	printf '%s' "$ROWS"
fi
[ -n "$A_GET" ] && [ -n "$N_GET" ] &&
	echo "accord/nginx req/s: GET x100 $(ratio "$A_GET" "$N_GET"), POST $(ratio "$A_POST" "$N_POST")"
[ -n "$R_FAULTS" ] &&
	echo "accord GET x100 with non-matching fault rules / without, by round:$R_FAULTS (median $(median $R_FAULTS))"
[ -n "$R_10K" ] &&
	echo "accord GET x10000 / GET x100 req/s, by round:$R_10K (median $(median $R_10K))"
echo "accord start-up to first 200 (median of 3): ${UP100} ms (100 interactions), ${UP10K} ms (10,000)"
exit 0
