#!/usr/bin/env bash
# crashloop.sh [RUNS] [LOAD]: run the engine's crash tests (TestCrash,
# TestCrashCompaction, TestEmptyLogFiles) RUNS times (default 200), each
# with a new seed, with LOAD busy processes beside them (default: one per
# CPU) so that kills land at the moments a loaded machine makes likely.
# It prints each failure with the command that replays its seed, and the
# count of failures; it exits 1 when any run failed. Not part of CI: a
# run of 200 takes about half an hour on two cores.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
load=${2:-$(nproc)}
bin=$(mktemp -d)/engine.test
go test -c -o "$bin" ./engine || exit 2
pids=()
for _ in $(seq "$load"); do
	(while :; do :; done) &
	pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
failed=0
for i in $(seq "$runs"); do
	log=$(mktemp)
	if ! "$bin" -test.run '^(TestCrash|TestCrashCompaction|TestEmptyLogFiles)$' -test.v >"$log" 2>&1; then
		failed=$((failed + 1))
		echo "run $i failed:"
		grep -E -- '--- FAIL|crash_test.go|replay' "$log" | sed 's/^/  /'
	fi
	rm -f "$log"
	if ((i % 10 == 0)); then echo "$i runs, $failed failed"; fi
done
echo "crash loop: $runs runs with $load busy processes beside them, $failed failed"
((failed == 0))
