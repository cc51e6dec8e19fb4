# Benchmarks (docs/benchmarks.md). The datasets are generated once and
# cached in signinq-bench under the user's cache directory; the reports
# go to $(OUT).

SIZES ?= 1M,10M
OUT ?= bench-out

.PHONY: bench bench-peers

# signinq's own figures (make bench SIZES=1M,10M,100M for the largest):
# the Markdown report, the Go benchmark format for benchstat, the figures
# as JSON, and the scale chart.
bench:
	mkdir -p $(OUT)
	go run ./cmd/signinq bench --sizes $(SIZES) --markdown $(OUT)/report.md \
		--gobench $(OUT)/bench.txt --json $(OUT)/report.json --chart $(OUT)/scale.png

# signinq against DuckDB and SQLite on the same datasets (bench/peers, a
# module of its own).
# ROWS=10000000 for the goals' size; the peers' databases are made once
# and cached beside the stores.
ROWS ?= 1000000
bench-peers:
	mkdir -p $(OUT)
	cd bench/peers && go run . compare --rows $(ROWS) --markdown $(abspath $(OUT))/peers.md
