package gen

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
)

// precision is the time precision each format carries: the diagnostic
// settings and Graph write 7 fraction digits (the generator's 100 ns
// ticks), Log Analytics milliseconds and the portal seconds.
var precision = map[signin.Format]time.Duration{
	signin.FormatDiag:            tick,
	signin.FormatGraph:           tick,
	signin.FormatLogAnalyticsCSV: time.Millisecond,
	signin.FormatPortalCSV:       time.Second,
}

// notInPortalWorkloadFiles are the catalog fields the portal carries for
// users but whose columns the service principal and managed identity
// files lack (they are not in the 22-column header).
var notInPortalWorkloadFiles = map[string]bool{"latency": true, "asn": true, "protocol": true, "tokenIssuer": true, "crossTenant": true}

// expected returns the record a format should read back for ev. It is
// ev.Record except where the format carries less, deliberately:
//
//   - the portal's "Multifactor authentication auth method" is the only
//     authentication method it has: the second factor performed, or
//     "Previously satisfied" when a claim satisfied MFA (portalMFAMethod);
//   - the portal's service principal and managed identity files have no
//     columns for latency, ASN, protocol, token issuer and cross-tenant
//     access type.
//
// Times are compared at the format's precision (see precision).
func expected(ev *Event, f signin.Format) (signin.Record, map[string]bool) {
	want := ev.Record
	skip := map[string]bool{}
	switch {
	case f == signin.FormatGraph:
		want.LogTenant = "" // a Graph signIn has no tenantId
	case f == signin.FormatLogAnalyticsCSV && ev.x.user == nil:
		want.IsInteractive = signin.BoolUnknown // the workloads' tables have no IsInteractive
	}
	if f == signin.FormatPortalCSV {
		want.AuthMethods = nil
		if m := portalMFAMethod(ev); m != "" {
			want.AuthMethods = []string{m}
		}
		// The portal's MFA result is the last MFA step's.
		want.StepResults = nil
		for i := range ev.x.nsteps {
			if s := ev.x.steps[i]; s.mfa {
				want.StepResults = []string{s.detail}
			}
		}
		if ev.x.user == nil {
			skip = notInPortalWorkloadFiles
		}
	}
	return want, skip
}

// diffRecord reports the catalog fields f carries on which got differs
// from want.
func diffRecord(t *testing.T, f signin.Format, want, got *signin.Record, skip map[string]bool) {
	t.Helper()
	prec := precision[f]
	for _, fd := range signin.Fields() {
		if fd.From[f] == "" || skip[fd.Name] {
			continue
		}
		var w, g any
		switch fd.Kind {
		case signin.KindTime:
			wt, gt := fd.Time(want).Truncate(prec), fd.Time(got)
			if wt.Equal(gt) {
				continue
			}
			w, g = wt, gt
		case signin.KindList:
			if slices.Equal(fd.List(want), fd.List(got)) {
				continue
			}
			w, g = fd.List(want), fd.List(got)
		case signin.KindFloat:
			wf, wok := fd.Float(want)
			gf, gok := fd.Float(got)
			if wok == gok && (!wok || wf == gf || math.IsNaN(wf) && math.IsNaN(gf)) {
				continue
			}
			w, g = wf, gf
		default:
			if fd.Text(want) == fd.Text(got) {
				continue
			}
			w, g = fd.Text(want), fd.Text(got)
		}
		t.Errorf("%v %s %s: field %s = %q, want %q", f, want.Type, want.ID, fd.Name, g, w)
	}
}

// readBack reads files with logfile.Scan and returns the records and the
// summary, failing the test on rejects.
func readBack(t *testing.T, paths ...string) ([]signin.Record, logfile.Summary) {
	t.Helper()
	var recs []signin.Record
	sum, err := logfile.Scan(context.Background(), paths, logfile.Options{}, func(b *logfile.Batch) error {
		recs = append(recs, b.Records...)
		for _, r := range b.Rejects {
			t.Errorf("reject: %v", r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, sum
}

// write writes g's events in format f into dir and returns the paths.
func write(t *testing.T, g *Generator, f signin.Format, dir string) []string {
	t.Helper()
	if f == signin.FormatPortalCSV {
		paths, err := g.WritePortalCSV(context.Background(), dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		return paths
	}
	var buf bytes.Buffer
	if err := g.Write(context.Background(), f, &buf, nil); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "signins."+f.String())
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{p}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		count int64
		shape Shape
	}{{1, ShapeCompact}, {7, ShapeCompact}, {chunkSize, ShapeCompact}, {chunkSize + 1, ShapeCompact}, {12_000, ShapeCompact}, {12_000, ShapeWide}} {
		count := c.count
		name := itoa(count)
		if c.shape != ShapeCompact {
			name = c.shape.String() + "-" + name
		}
		g := newGen(t, Config{Count: count, Seed: uint64(count), Days: 7, Shape: c.shape})
		evs := collect(t, g)
		if int64(len(evs)) != count {
			t.Fatalf("count %d: generated %d events", count, len(evs))
		}
		want := byType(evs)
		byID := make(map[string]*Event, len(evs))
		for i := range evs {
			byID[evs[i].Record.ID] = &evs[i]
		}
		for _, f := range signin.Formats {
			t.Run(f.String()+"/"+name, func(t *testing.T) {
				recs, sum := readBack(t, write(t, g, f, t.TempDir())...)
				if sum.Rejected != 0 || sum.Refused != 0 || int64(len(recs)) != count {
					t.Fatalf("read %d records (%s), want %d", len(recs), sum.String(), count)
				}
				for typ, n := range want {
					if sum.Types[typ] != int64(n) {
						t.Errorf("read %d %s records, want %d", sum.Types[typ], typ, n)
					}
				}
				if sum.Formats[f] != count {
					t.Errorf("read %v as formats %v", f, sum.Formats)
				}
				for i := range recs {
					got := &recs[i]
					ev := byID[got.ID]
					if ev == nil {
						t.Fatalf("read a record with unknown id %q", got.ID)
					}
					if f != signin.FormatPortalCSV && got.ID != evs[i].Record.ID {
						t.Fatalf("record %d is %s, want %s: order not kept", i, got.ID, evs[i].Record.ID)
					}
					w, skip := expected(ev, f)
					diffRecord(t, f, &w, got, skip)
					if t.Failed() {
						return
					}
				}
			})
		}
	}
}

func itoa(n int64) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int64) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}
