#!/bin/bash
# memlimit.sh STORE QUERIES [LIMIT] [NOW]: runs each query of the file
# QUERIES (one a line) as its own `signinq query` process inside a memory
# cgroup of LIMIT bytes (4 GiB by default: issue 16's bound at 100M
# sign-ins), page cache included, as a machine with that much memory
# would: the kernel takes the store's mapped pages back under the limit,
# and a query whose own memory passes it is killed. The page cache is
# dropped before each query, so each starts cold. For each query it
# prints a line: exit status (0: completed), seconds, the process's peak
# resident memory (MiB, /usr/bin/time), the cgroup's peak (MiB), how
# often the cgroup hit its limit, and the query. Needs root and a cgroup
# memory controller (v1 at /sys/fs/cgroup/memory, or v2); builds the
# command from this checkout first. NOW is the queries' now (default the
# benchmark stores' end, 2026-11-26).
#
#	scripts/memlimit.sh ~/.cache/signinq-bench/engine-v3-100000000 queries.txt
set -u
store=$1
queries=$2
limit=${3:-$((4 << 30))}
now=${4:-2026-11-26T00:00:00Z}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(mktemp -d)/signinq
(cd "$root" && go build -o "$bin" ./cmd/signinq) || exit 1
if [ -d /sys/fs/cgroup/memory ]; then
	cg=/sys/fs/cgroup/memory/signinq-memlimit
	mkdir -p $cg
	echo "$limit" > $cg/memory.limit_in_bytes
	peakfile=$cg/memory.max_usage_in_bytes
	failfile=$cg/memory.failcnt
	reset() { echo 0 > $peakfile; }
	fails() { cat $failfile; }
else
	cg=/sys/fs/cgroup/signinq-memlimit
	mkdir -p $cg
	echo "$limit" > $cg/memory.max
	echo 0 > $cg/memory.swap.max 2>/dev/null
	peakfile=$cg/memory.peak
	reset() { echo 0 > $peakfile 2>/dev/null || true; }
	fails() { awk '/^max /{print $2}' $cg/memory.events; }
fi
err=$(mktemp)
while IFS= read -r q; do
	[ -z "$q" ] && continue
	sync
	echo 1 > /proc/sys/vm/drop_caches 2>/dev/null
	reset
	f0=$(fails)
	s=$(date +%s.%N)
	bash -c 'echo $$ > "$1/cgroup.procs"; exec /usr/bin/time -f %M "$2" query --db "$3" --now "$4" --format csv "$5" > /dev/null 2> "$6"' \
		_ "$cg" "$bin" "$store" "$now" "$q" "$err"
	rc=$?
	e=$(date +%s.%N)
	printf '%s\t%.2f\t%s\t%s\t%s\t%s\n' "$rc" "$(echo "$e - $s" | bc)" "$(($(tail -1 "$err") / 1024))" \
		"$(($(cat $peakfile) >> 20))" "$(($(fails) - f0))" "$q"
	[ $rc -ne 0 ] && sed 's/^/\t/' "$err" | head -5
done < "$queries"
exit 0
