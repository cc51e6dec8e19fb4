package gen

import (
	"context"
	"io"
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// benchEvents returns a chunk's worth of events of a default tenant.
func benchEvents(b *testing.B) []Event {
	g := newGen(b, Config{Count: chunkSize, Seed: 1})
	return collect(b, g)
}

// reportRecords reports records/s for n records per iteration.
func reportRecords(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkGenerate measures generating one chunk of events on one
// goroutine, encoding excluded.
func BenchmarkGenerate(b *testing.B) {
	g := newGen(b, Config{Count: 1 << 20, Seed: 1})
	c := &chunk{}
	b.ReportAllocs()
	for b.Loop() {
		c.idx = (c.idx + 1) % g.chunks
		g.fill(c)
	}
	reportRecords(b, chunkSize)
}

// benchEncode measures an encoder over a chunk of events.
func benchEncode(b *testing.B, enc func(dst []byte, ev *Event) []byte) {
	evs := benchEvents(b)
	var buf []byte
	for i := range evs {
		buf = enc(buf, &evs[i])
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for i := range evs {
			buf = enc(buf, &evs[i])
		}
	}
	reportRecords(b, len(evs))
}

func BenchmarkAppendDiag(b *testing.B)  { benchEncode(b, AppendDiag) }
func BenchmarkAppendGraph(b *testing.B) { benchEncode(b, AppendGraph) }

func BenchmarkAppendLogAnalyticsCSV(b *testing.B) {
	e := &encoder{}
	benchEncode(b, e.appendLA)
}

func BenchmarkAppendPortalCSV(b *testing.B) {
	e := &encoder{}
	benchEncode(b, e.appendPortal)
}

// BenchmarkWrite measures Write end to end, generation and encoding on
// GOMAXPROCS workers, into io.Discard: what signinq gen costs.
func BenchmarkWrite(b *testing.B) {
	for _, f := range []signin.Format{signin.FormatDiag, signin.FormatGraph, signin.FormatLogAnalyticsCSV} {
		b.Run(f.String(), func(b *testing.B) {
			const n = 64 * chunkSize
			g := newGen(b, Config{Count: n, Seed: 1})
			cw := &countWriter{}
			if err := g.Write(context.Background(), f, cw, nil); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(cw.n)
			b.ReportAllocs()
			for b.Loop() {
				if err := g.Write(context.Background(), f, io.Discard, nil); err != nil {
					b.Fatal(err)
				}
			}
			reportRecords(b, n)
		})
	}
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
