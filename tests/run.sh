#!/bin/sh
# Runs every test suite: Check unit tests, the Pact specification cases,
# the fixture-driven CLI tests, accord graph and diff (insight), the stub
# and its faults over real sockets, the official Pact verifier against the
# stub, and accord verify against a test provider (and next to the official
# verifier).
# usage: tests/run.sh BUILD_DIR SHARED_DIR
# Ends with "N passed, N failed" over all suites.
#
# With a ThreadSanitizer build (BUILD_DIR build/tsan) every process writes
# its race reports to BUILD_DIR/tsan-reports/, and each report file found
# there at the end counts as a failure.
set -u
build=$1
shared=$2
fail=0
total_pass=0
total_fail=0

note() { printf '%s\n' "$*"; }

tsan_reports=
if [ "$(basename "$build")" = tsan ]; then
	# ThreadSanitizer (GCC 12, clang 14) expects the memory layout of a
	# kernel that randomises mmap with at most 28 bits; with more (recent
	# kernels' vm.mmap_rnd_bits=32) a process may die at start with
	# "FATAL: ThreadSanitizer: unexpected memory mapping", or not, by
	# chance. Run everything without address randomisation then.
	bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)
	if [ "${bits:-0}" -gt 28 ] && [ -z "${ACCORD_TSAN_NORANDOM:-}" ]; then
		arch=$(uname -m)
		if setarch "$arch" -R true 2>/dev/null; then
			note "tsan: vm.mmap_rnd_bits is $bits: running under setarch -R"
			ACCORD_TSAN_NORANDOM=1 exec setarch "$arch" -R sh "$0" "$@"
		fi
		note "tsan: vm.mmap_rnd_bits is $bits and setarch -R is refused here;"
		note "tsan: ThreadSanitizer needs 28 at most: sysctl -w vm.mmap_rnd_bits=28"
		echo "0 passed, 1 failed"
		exit 1
	fi
	tsan_reports=$build/tsan-reports
	rm -rf "$tsan_reports"
	mkdir -p "$tsan_reports" || exit 2
	TSAN_OPTIONS="log_path=$(cd "$tsan_reports" && pwd)/report second_deadlock_stack=1 suppressions=$(cd "$(dirname "$0")" && pwd)/tsan.supp ${TSAN_OPTIONS:-}"
	export TSAN_OPTIONS
	# code runs 5 to 15 times slower: so do the unit tests' time limits
	CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-4}
	export CK_TIMEOUT_MULTIPLIER
	if ! out=$("$build/accord" --version 2>&1); then
		note "tsan: $build/accord cannot start:"
		printf '%s\n' "$out" | head -5
		cat "$tsan_reports"/* 2>/dev/null | head -20
		echo "0 passed, 1 failed"
		exit 1
	fi
fi

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

# one failure per report file (a process); the first is shown whole
if [ -n "$tsan_reports" ]; then
	first=1
	for r in "$tsan_reports"/report.*; do
		[ -f "$r" ] || continue
		note "FAIL ThreadSanitizer $r: $(grep -m 1 '^SUMMARY' "$r")"
		[ $first = 1 ] && head -60 "$r"
		first=0
		total_fail=$((total_fail + 1))
		fail=1
	done
fi

echo "$total_pass passed, $total_fail failed"
exit $fail
