#!/usr/bin/env bash
# race.sh [PACKAGE...]: run the tests under the race detector (default:
# every package, ./...) with the timeout a loaded two-core machine needs
# (RACE_TIMEOUT, default 60m: go test's default of 10m is per package
# binary, and under -race the largest packages take minutes), then print
# each package's result, the slowest tests and the data races found.
# Other go test flags go in GOFLAGS (GOFLAGS=-run=TestConcurrent
# scripts/race.sh ./engine). It exits 1 when a test failed or a race was
# found, and then keeps the whole output. Not part of CI: the whole
# suite takes 5 to 6 minutes on two cores with a little other work
# beside it, and two or three times that on a busy machine.
set -uo pipefail
cd "$(dirname "$0")/.."
timeout=${RACE_TIMEOUT:-60m}
if (($# == 0)); then set -- ./...; fi
log=$(mktemp -t signinq-race.XXXXXX)
start=$SECONDS
go test -race -count=1 -timeout "$timeout" -v "$@" >"$log" 2>&1
status=$?
el=$((SECONDS - start))
echo "go test -race -count=1 -timeout $timeout $*: exit $status after $((el / 60))m$((el % 60))s"
echo
echo "packages:"
grep -E '^(ok|FAIL)[[:space:]]+[^[:space:]]+/' "$log" | sed 's/^/  /'
echo
# go test -v prints each package's output whole, then its "ok" or "FAIL"
# line: the top-level tests before that line are the package's.
echo "slowest tests:"
awk '
	/^--- (PASS|FAIL): / { n++; res[n] = substr($2, 1, 4); name[n] = $3; secs[n] = substr($4, 2) + 0; next }
	/^(ok|FAIL)[ \t]+[^ \t]+\// { for (i = done + 1; i <= n; i++) pkg[i] = $2; done = n }
	END { for (i = 1; i <= n; i++) printf "  %8.1fs  %s  %s %s\n", secs[i], res[i], pkg[i], name[i] }
' "$log" | sort -rn | head -20
races=$(grep -c '^WARNING: DATA RACE' "$log")
if ((races > 0)); then
	echo
	echo "$races data race reports; the first:"
	awk '/^WARNING: DATA RACE/ { on = 1 } on { print "  " $0 } on && /^==================/ { exit }' "$log"
fi
if grep -qE '^[[:space:]]*--- FAIL' "$log"; then
	echo
	echo "failed:"
	grep -E '^[[:space:]]*--- FAIL' "$log" | sed 's/^/  /'
fi
if ((status != 0 || races > 0)); then
	echo
	echo "the whole output: $log"
	exit 1
fi
rm -f "$log"
