package bench

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/signinq/signinq/internal/gen"
)

// WriteGoBench writes the report in the Go benchmark format
// (golang.org/design/14313-benchmark-format), so that benchstat compares
// two runs: a configuration header (goos, goarch, pkg, cpu), then a line
// a query and dataset,
//
//	BenchmarkQuery/rows=1000000/count_where_status=failure_since_24h 20 9120 ns/op 11200 p95-ns/op 12000 p99-ns/op 1830000 cold-ns
//
// named after the query's text (spaces as _, as go test names
// sub-benchmarks), the iterations the warm runs, ns/op their median;
// and a line for the ingest of the sample,
//
//	BenchmarkIngest/rows=1000000 1 8.1e9 ns/op 123000 sign-ins/s 520 MB/s 2.1e9 compact-ns
//
// The figures of a tenant shape other than the compact one have the
// shape before the rows (BenchmarkQuery/shape=wide/rows=1000000/…), so
// that the compact shape's names are those of the runs before shapes.
func WriteGoBench(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "goos: %s\ngoarch: %s\npkg: github.com/signinq/signinq/bench\n", r.Machine.OS, r.Machine.Arch)
	if r.Machine.CPU != "" {
		fmt.Fprintf(bw, "cpu: %s\n", r.Machine.CPU)
	}
	for _, ds := range r.Datasets {
		for _, q := range ds.Queries {
			fmt.Fprintf(bw, "BenchmarkQuery/%srows=%d/%s\t%d\t%d ns/op\t%d p95-ns/op\t%d p99-ns/op\t%d cold-ns\n",
				shapeName(ds.Shape), ds.Rows, BenchName(q.Query.Text), len(q.Warm), q.P50().Nanoseconds(), q.P95().Nanoseconds(), q.P99().Nanoseconds(), q.Cold.Nanoseconds())
		}
	}
	if in := r.Ingest; in != nil {
		fmt.Fprintf(bw, "BenchmarkIngest/%srows=%d\t1\t%d ns/op\t%.0f sign-ins/s\t%.2f MB/s\t%d compact-ns\t%.1f B/sign-in\n",
			shapeName(in.Shape), in.SignIns, in.Ingest.Nanoseconds(), in.SignInsPerSecond(), in.MBPerSecond(), in.Compact.Nanoseconds(), in.Disk.PerSignIn(in.Disk.Total))
	}
	return bw.Flush()
}

// shapeName is the shape's part of a benchmark's name: none for the
// compact shape, shape=NAME/ for the others.
func shapeName(s gen.Shape) string {
	if s == gen.ShapeCompact {
		return ""
	}
	return "shape=" + s.String() + "/"
}

// BenchName is a query's text as a benchmark's name: spaces as _, other
// white space and unprintable runes escaped, as go test names
// sub-benchmarks.
func BenchName(text string) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case unicode.IsSpace(r):
			b.WriteByte('_')
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, "%+q", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
