package script

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// FuzzScriptStage feeds random rows to the vpn example: with a list of
// two ASNs it must pass every row on, unchanged, tagged true exactly
// when its ASN is listed; with any text for asns it gives rows or a
// script's error, and never panics.
func FuzzScriptStage(f *testing.F) {
	f.Add(int64(14061), "ada@contoso.com", "159.203.1.2", int64(0), false, int64(14061), int64(16509), "14061,16509")
	f.Add(int64(7922), "", "", int64(-1), true, int64(1), int64(7922), "AS7922")
	f.Add(int64(math.MinInt64), "\xff", "::1", int64(math.MaxInt64), false, int64(math.MinInt64), int64(-1), " 1 , as2 ,,x")
	reg := plugins.NewRegistry()
	if err := Load("examples", reg, Options{}); err != nil {
		f.Fatal(err)
	}
	p, _ := reg.Lookup("vpn")
	s := p.(plugins.Stage)
	f.Fuzz(func(t *testing.T, asn int64, user, ip string, ns int64, null bool, a1, a2 int64, text string) {
		a := result.IntValue(asn)
		if null {
			a = result.Null(signin.KindInt)
		}
		rows := [][]result.Value{
			{result.TimeValue(time.Unix(0, ns)), result.StringValue(user), result.StringValue(ip), a},
			{result.Null(signin.KindTime), result.StringValue(ip), result.StringValue(user), result.IntValue(a1)},
			{result.TimeValue(time.Unix(0, ns/2)), result.StringValue(user + ip), result.Null(signin.KindString), result.IntValue(asn ^ 1)},
		}
		in := make([][]result.Value, len(rows))
		for i, r := range rows {
			in[i] = slices.Clone(r)
		}
		asns := fmt.Sprintf("%d, AS%d", a1, a2)
		_, out, err := runStage(t, s, []plugins.StageArg{{Name: "asns", Value: asns}}, vpnCols, rows, nil)
		if err != nil {
			t.Fatalf("asns=%q: %v", asns, err)
		}
		if len(out) != len(in) {
			t.Fatalf("%d rows out of %d", len(out), len(in))
		}
		for i, row := range out {
			for j := range 4 {
				if v, w := row[j], in[i][j]; !v.Equal(w) || v.IsNull() != w.IsNull() || v.Kind() != w.Kind() {
					t.Fatalf("row %d column %d: %v, want %v", i, j, v, w)
				}
			}
			tag, x := row[4], in[i][3]
			switch {
			case x.IsNull():
				if !tag.IsNull() {
					t.Fatalf("row %d without an ASN tagged %v", i, tag)
				}
			case tag.IsNull() || tag.Bool() != (x.Int() == a1 || x.Int() == a2):
				t.Fatalf("row %d, ASN %d, asns=%q: tagged %v", i, x.Int(), asns, tag)
			}
		}

		_, out, err = runStage(t, s, []plugins.StageArg{{Name: "asns", Value: text}}, vpnCols, in, nil)
		var se *Error
		switch {
		case err != nil && !errors.As(err, &se):
			t.Fatalf("asns=%q: %v (%T), want a script's error", text, err, err)
		case err == nil && len(out) != len(in):
			t.Fatalf("asns=%q: %d rows out of %d", text, len(out), len(in))
		}
	})
}
