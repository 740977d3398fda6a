#!/bin/sh
# Runs every test suite: Check unit tests, the Pact specification cases,
# the fixture-driven CLI tests, accord graph and diff (insight), the stub
# and its faults over real sockets, the official Pact verifier against the
# stub, and accord verify against a test provider (and next to the official
# verifier).
# usage: tests/run.sh BUILD_DIR SHARED_DIR
# Ends with "N passed, N failed" over all suites.
set -u
build=$1
shared=$2
fail=0
total_pass=0
total_fail=0

note() { printf '%s\n' "$*"; }

# suite NAME MISSING_COUNTS_AS_FAILURES CMD...: runs a suite whose output
# ends with "NAME: N passed, N failed", shows what is not "ok", adds counts.
suite() {
	name=$1
	missing=$2
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^ok ' | tail -60
	p=$(printf '%s' "$out" | sed -n "s/^$name: \([0-9]*\) passed, \([0-9]*\) failed/\1/p")
	f=$(printf '%s' "$out" | sed -n "s/^$name: \([0-9]*\) passed, \([0-9]*\) failed/\2/p")
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-$missing}))
	[ $rc -eq 0 ] || fail=1
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$(ACCORD_SHARED="$shared" ACCORD_BIN="$build/accord" "$t" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks:' | tail -1)
	note "$name: ${line:-no summary}"
	checks=$(printf '%s' "$line" | sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p')
	if [ -n "$checks" ]; then
		set -- $checks
		total_pass=$((total_pass + $1 - $2 - $3))
		total_fail=$((total_fail + $2 + $3))
	fi
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -vE '^[0-9]+%: Checks:' | tail -40
		fail=1
		[ -n "$checks" ] || total_fail=$((total_fail + 1))
	fi
done

if [ -d "$shared/pact-spec-testcases" ]; then
	suite spec 1 "$build"/tests/tool_spec "$shared/pact-spec-testcases"
else
	note "spec: skipped ($shared/pact-spec-testcases not found)"
fi

suite fixtures 1 sh tests/fixtures.sh "$build/accord" "$shared"
suite insight 1 sh tests/insight.sh "$build/accord" "$shared"

if [ -x "$build/tests/tool_stubcheck" ] && command -v curl >/dev/null 2>&1; then
	suite stub 1 sh tests/stub.sh "$build" "$shared"
else
	note "stub: skipped (curl or tool_stubcheck missing)"
fi

if [ -x "$build/tests/tool_curl" ] && [ -x "$build/tests/tool_flood" ]; then
	suite faults 1 sh tests/faults.sh "$build" "$shared"
else
	note "faults: skipped (tool_curl or tool_flood missing)"
fi

# accord mock and accord record over real sockets
if command -v curl >/dev/null 2>&1; then
	suite mock 1 sh tests/mock.sh "$build" "$shared"
	suite record 1 sh tests/record.sh "$build" "$shared"
else
	note "mock, record: skipped (curl missing)"
fi

# the official Pact verifier against accord stub (skips itself without npm)
suite interop 0 sh tests/interop.sh "$build" "$shared"

# accord verify against a test provider over real sockets, and the same
# verdicts as the official verifier (skips itself without npm)
suite verify 1 sh tests/verify.sh "$build" "$shared"
suite verify_interop 0 sh tests/verify_interop.sh "$build" "$shared"

echo "$total_pass passed, $total_fail failed"
exit $fail
