#!/bin/bash
# pullgraph.sh [COUNT]: measures signinq pull graph against the fake
# Graph (cmd/fakegraph) in a process of its own: COUNT sign-ins
# (1,000,000 by default) over 7 days, every 150th sign-in request
# throttled (429, Retry-After: 1) and the connection dropped midway
# through every 250th page; a first pull into a new store (without its
# compaction, which compact then does, timed apart), then a repeated
# one, each under /usr/bin/time -v (wall time, peak RSS of the pull
# alone). Work files go to $PULLGRAPH_OUT (default /tmp/pullgraph):
# the fake keeps the sign-ins' JSON in a file there (about 3.9 KB each).
#
#	scripts/pullgraph.sh            # the figures in docs/pull.md
#	scripts/pullgraph.sh 100000     # a quicker run
set -eu
count=${1:-1000000}
out=${PULLGRAPH_OUT:-/tmp/pullgraph}
root=$(git rev-parse --show-toplevel)
rm -rf "$out"
mkdir -p "$out"
go build -o "$out/signinq" "$root/cmd/signinq"
go build -o "$out/fakegraph" "$root/cmd/fakegraph"
"$out/fakegraph" -count "$count" -days 7 -dir "$out" -ca "$out/ca.pem" -throttle-every 150 -retry-after 1 -drop-every 250 >"$out/fake.out" 2>"$out/fake.err" &
fake=$!
trap 'kill $fake 2>/dev/null' EXIT
until grep -q '^signinq pull graph' "$out/fake.out" 2>/dev/null; do
	kill -0 $fake || { cat "$out/fake.err"; exit 1; }
	sleep 1
done
cat "$out/fake.err"
eval "$(head -1 "$out/fake.out")" # SSL_CERT_FILE and the fake's AZURE_ variables
export SSL_CERT_FILE AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET
url=$(sed -n 2p "$out/fake.out" | awk '{print $5}')
pull() { # pull NAME FLAGS...: a pull timed, and its summary
	local run=$1
	shift
	/usr/bin/time -v "$out/signinq" pull graph --db "$out/store" --graph-url "$url" --authority-url "$url" --now 2026-11-26T10:00:00Z "$@" 2>"$out/$run.err" || { cat "$out/$run.err"; exit 1; }
	echo "== $run pull"
	grep -v '^signinq: warning' "$out/$run.err" | grep -E '^signinq:|Elapsed|Maximum resident|User time|System time'
	echo "warnings (retries): $(grep -c '^signinq: warning' "$out/$run.err" || true)"
}
pull first --no-compact
echo "== compact"
/usr/bin/time -v "$out/signinq" compact --db "$out/store" 2>&1 | grep -E '^signinq:|Elapsed|Maximum resident'
pull repeat
