#!/bin/bash
# benchcmp.sh BASE [ROUNDS]: compares the benchmarks of the query, bench,
# repl and engine packages between the commit BASE and the work tree, with
# benchstat. Both sides' test binaries are built first, then run one after
# the other, ROUNDS times (8 by default), so that a change in the
# machine's load falls on both sides alike. Results go to
# $BENCHCMP_OUT (default /tmp/benchcmp); benchstat prints the comparison.
#
#	scripts/benchcmp.sh bd94dd1        # e.g. the branch point of a change
#
# benchstat: go install golang.org/x/perf/cmd/benchstat@latest
set -eu
base=$1
rounds=${2:-8}
out=${BENCHCMP_OUT:-/tmp/benchcmp}
root=$(git rev-parse --show-toplevel)
rm -rf "$out"
mkdir -p "$out/base" "$out/new"
git -C "$root" worktree add --detach "$out/base/src" "$base" >/dev/null
trap 'git -C "$root" worktree remove --force "$out/base/src"' EXIT
declare -A sel=(
	[query]='BenchmarkQuery|BenchmarkDetections|BenchmarkArithmetic|BenchmarkFunctionCall'
	[bench]='BenchmarkStandard'
	[repl]='BenchmarkCompleteValue'
	[engine]='BenchmarkIngest$|BenchmarkOpenCount|BenchmarkFailedLastDay'
)
for p in "${!sel[@]}"; do
	(cd "$out/base/src" && go test -c -o "$out/base/$p.test" "./$p")
	(cd "$root" && go test -c -o "$out/new/$p.test" "./$p")
done
for i in $(seq "$rounds"); do
	for p in "${!sel[@]}"; do
		for side in base new; do
			dir=$root/$p
			[ "$side" = base ] && dir=$out/base/src/$p
			(cd "$dir" && "$out/$side/$p.test" -test.run '^$' -test.bench "${sel[$p]}" \
				-test.benchtime 300ms -test.timeout 30m >> "$out/$side-$p.txt")
		done
	done
	echo "round $i of $rounds done" >&2
done
for p in "${!sel[@]}"; do
	echo "### $p"
	benchstat -filter '.unit:sec/op' "$out/base-$p.txt" "$out/new-$p.txt"
done
