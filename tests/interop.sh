#!/bin/sh
# Interoperability test: the official Pact verifier (`pact verifier` from
# @pact-foundation/pact-cli 18.1.2) verifies `accord stub` serving the
# pact-js fixtures. For every pact file in SHARED_DIR/fixtures-pactjs/ with
# HTTP interactions, a copy without the message interactions (V3 `messages`,
# V4 interactions whose type is not `Synchronous/HTTP`) is served by
# `accord stub --port 0` and verified with the stub's own
# /__accord/state endpoint as the provider-state change URL. Every HTTP
# interaction must pass: exit status 0 and "OK" for each entry of the
# verifier's --json report.
#
# usage: tests/interop.sh BUILD_DIR SHARED_DIR
# Prints "ok NAME" / "FAIL NAME" per pact and ends with
# "interop: N passed, N failed". Without npm, or when the Pact CLI cannot be
# installed, it prints "interop: skipped (REASON)" and exits 0.
#
# The CLI is installed once into build/pact-cli (override with PACT_CLI_DIR).
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SHARED_DIR" >&2
	exit 2
fi
B=$1
SHARED=$2
A=$B/accord
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLI_VERSION=18.1.2
CLI_DIR=${PACT_CLI_DIR:-$ROOT/build/pact-cli}
PACT=$CLI_DIR/node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact
PACT_DO_NOT_TRACK=true
export PACT_DO_NOT_TRACK

skip() {
	echo "interop: skipped ($1)"
	exit 0
}

[ -x "$A" ] || {
	echo "interop: $A not found (run make first)" >&2
	exit 2
}
[ -d "$SHARED/fixtures-pactjs" ] || skip "$SHARED/fixtures-pactjs not found"
command -v npm >/dev/null 2>&1 || skip "npm not available"
command -v timeout >/dev/null 2>&1 || skip "timeout(1) not available"

# JSON tool for filtering pacts and reading reports: jq, python3 or node
# (INTEROP_JSON_TOOL=jq|python3|node forces one).
if [ -n "${INTEROP_JSON_TOOL:-}" ]; then
	case $INTEROP_JSON_TOOL in
	jq | python3 | node) JSONTOOL=$INTEROP_JSON_TOOL ;;
	*)
		echo "interop: INTEROP_JSON_TOOL must be jq, python3 or node" >&2
		exit 2
		;;
	esac
elif command -v jq >/dev/null 2>&1; then
	JSONTOOL=jq
elif command -v python3 >/dev/null 2>&1; then
	JSONTOOL=python3
elif command -v node >/dev/null 2>&1; then
	JSONTOOL=node
else
	skip "none of jq, python3 or node available"
fi

TMP=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- install the official Pact CLI (once) --------------------------------

installed_version() {
	sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' \
		"$CLI_DIR/node_modules/@pact-foundation/pact-cli/package.json" \
		2>/dev/null | head -1
}

if [ ! -x "$PACT" ] || [ "$(installed_version)" != "$CLI_VERSION" ]; then
	mkdir -p "$CLI_DIR" || skip "cannot create $CLI_DIR"
	timeout 300 npm install --prefix "$CLI_DIR" --no-audit --no-fund \
		--loglevel=error --save-exact \
		"@pact-foundation/pact-cli@$CLI_VERSION" >"$TMP/npm.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		why="npm install @pact-foundation/pact-cli@$CLI_VERSION failed"
		code=$(sed -n -e 's/^npm error code \([A-Za-z0-9_]*\).*/\1/p' \
			-e 's/^npm ERR! code \([A-Za-z0-9_]*\).*/\1/p' "$TMP/npm.log" |
			head -1)
		if [ $rc -eq 124 ]; then
			why="$why: timed out after 300 s"
		else
			why="$why: exit status $rc${code:+, $code}"
		fi
		sed 's/^/     /' "$TMP/npm.log" | tail -15
		skip "$why"
	fi
	[ -x "$PACT" ] || skip "npm installed @pact-foundation/pact-cli@$CLI_VERSION but $PACT is missing (not linux-x64?)"
	[ "$(installed_version)" = "$CLI_VERSION" ] ||
		skip "npm installed pact-cli $(installed_version), not $CLI_VERSION"
fi
if ! timeout 30 "$PACT" verifier --version >"$TMP/version" 2>&1; then
	sed 's/^/     /' "$TMP/version" | tail -5
	skip "$PACT does not run"
fi

# --- JSON helpers ----------------------------------------------------------

# filter_pact IN OUT: writes IN without message interactions to OUT and
# prints the number of HTTP interactions left.
filter_pact() {
	case $JSONTOOL in
	jq)
		jq 'del(.messages)
		    | if (.interactions | type) == "array"
		      then .interactions |= map(select((.type // "Synchronous/HTTP")
		                                       == "Synchronous/HTTP"))
		      else . end' "$1" >"$2" &&
			jq '.interactions // [] | length' "$2"
		;;
	python3)
		python3 - "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
d.pop("messages", None)
if isinstance(d.get("interactions"), list):
    d["interactions"] = [i for i in d["interactions"]
                         if i.get("type", "Synchronous/HTTP") == "Synchronous/HTTP"]
with open(sys.argv[2], "w") as f:
    json.dump(d, f, indent=2)
print(len(d.get("interactions") or []))
EOF
		;;
	node)
		# shellcheck disable=SC2016 # JavaScript, not shell
		node -e '
const fs = require("fs");
const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
delete d.messages;
if (Array.isArray(d.interactions))
  d.interactions = d.interactions.filter(
    (i) => (i.type === undefined ? "Synchronous/HTTP" : i.type) === "Synchronous/HTTP");
fs.writeFileSync(process.argv[2], JSON.stringify(d, null, 2));
console.log((d.interactions || []).length);
' "$1" "$2"
		;;
	esac
}

# report_problems REPORT N: prints one line per problem in the verifier's
# JSON report (nothing when all N interactions are "OK" and there are no
# errors). Fails when the report cannot be read.
report_problems() {
	case $JSONTOOL in
	jq)
		jq -r --argjson n "$2" '
		  (.interactionResults // []) as $r
		  | (if ($r | length) != $n
		     then "report lists \($r | length) interaction results, expected \($n)"
		     else empty end),
		    ($r[] | select(.result != "OK")
		     | "not OK: \(.description): \(.result | tostring)"),
		    ((.errors // [])[] | "error: \(tostring)")' "$1"
		;;
	python3)
		python3 - "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
n = int(sys.argv[2])
r = d.get("interactionResults") or []
if len(r) != n:
    print("report lists %d interaction results, expected %d" % (len(r), n))
for i in r:
    if i.get("result") != "OK":
        print("not OK: %s: %s" % (i.get("description"), json.dumps(i.get("result"))))
for e in d.get("errors") or []:
    print("error: %s" % json.dumps(e))
EOF
		;;
	node)
		# shellcheck disable=SC2016 # JavaScript, not shell
		node -e '
const fs = require("fs");
const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const n = Number(process.argv[2]);
const r = d.interactionResults || [];
if (r.length !== n)
  console.log(`report lists ${r.length} interaction results, expected ${n}`);
for (const i of r)
  if (i.result !== "OK")
    console.log(`not OK: ${i.description}: ${JSON.stringify(i.result)}`);
for (const e of d.errors || []) console.log(`error: ${JSON.stringify(e)}`);
' "$1" "$2"
		;;
	esac
}

# --- stub control ------------------------------------------------------------

# start_stub PACT: starts accord stub on a free port; sets PID and PORT.
start_stub() {
	: >"$TMP/stub.out" # exists before the background job opens it
	"$A" stub --port 0 "$1" >"$TMP/stub.out" 2>"$TMP/stub.err" &
	PID=$!
	URL=
	i=0
	while [ $i -lt 200 ]; do
		URL=$(sed -n '1s/^listening on //p' "$TMP/stub.out")
		[ -n "$URL" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	PORT=${URL##*:}
	[ -n "$URL" ] && [ "$URL" = "http://127.0.0.1:$PORT" ]
}

# stop_stub: SIGTERM, then SIGKILL after 10 s; returns the exit status.
stop_stub() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	i=0
	while kill -0 "$PID" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null
	wait "$PID"
	rc=$?
	PID=
	return $rc
}

# --- run ---------------------------------------------------------------------

pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok $1"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'
}

for f in "$SHARED"/fixtures-pactjs/*.json; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .json)
	copy=$TMP/$name.json
	report=$TMP/$name.report.json
	if ! n=$(filter_pact "$f" "$copy" 2>"$TMP/filter.err"); then
		bad "$name: cannot filter with $JSONTOOL" "$(cat "$TMP/filter.err")"
		continue
	fi
	case $n in
	'' | *[!0-9]*)
		bad "$name: cannot filter with $JSONTOOL" "interaction count: '$n'"
		continue
		;;
	esac
	if [ "$n" -eq 0 ]; then
		echo "skip $name (no HTTP interactions)"
		continue
	fi
	if ! start_stub "$copy"; then
		bad "$name: accord stub did not start" "$(cat "$TMP/stub.out" "$TMP/stub.err")"
		stop_stub
		continue
	fi
	rm -f "$report"
	timeout 120 "$PACT" verifier --hostname 127.0.0.1 --port "$PORT" \
		--state-change-url "http://127.0.0.1:$PORT/__accord/state" \
		--no-colour --json "$report" -f "$copy" >"$TMP/verifier.out" 2>&1
	vrc=$?
	stop_stub
	src=$?

	problems=
	case $vrc in
	0) ;;
	124) problems="verifier timed out after 120 s" ;;
	*) problems="verifier exit status $vrc" ;;
	esac
	if [ -s "$report" ]; then
		if ! p=$(report_problems "$report" "$n" 2>&1); then
			p="cannot read the JSON report: $p"
		fi
		[ -n "$p" ] && problems="${problems:+$problems
}$p"
	else
		problems="${problems:+$problems
}no JSON report written"
	fi
	[ $src -eq 0 ] || problems="${problems:+$problems
}accord stub exit status $src after SIGTERM"

	if [ -z "$problems" ]; then
		ok "$name ($n HTTP interactions)"
	else
		bad "$name" "$problems
--- verifier output ---
$(cat "$TMP/verifier.out")
--- accord stub stderr (last 20 lines) ---
$(tail -20 "$TMP/stub.err")"
	fi
done

echo "interop: $pass passed, $fail failed"
[ $fail -eq 0 ]
