package clickhouse

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/result"
)

// TestTimeArithmetic: time arithmetic in conditions compiles to the
// comparison of a field with a constant, or of two fields' difference
// (exact, an overflow beyond any constant); in heads and having signinq
// computes it over the row as the engine does.
func TestTimeArithmetic(t *testing.T) {
	for _, tc := range []struct{ query, where string }{
		{`count where time >= now - 1d`, "ifNull(`time` >= 1795564800000000000, 0)"},
		{`count where now - time <= 6h`, "ifNull(`time` >= 1795629600000000000, 0)"},
		{`count where 2026-11-01 + 12h < ingested`, "ifNull(`ingested` > 1793534400000000000, 0)"},
		{`count where ingested - time > 5m30s`, "ifNull(if(((`ingested` >= 0) != (`time` >= 0) AND ((`ingested` - `time`) >= 0) != (`ingested` >= 0)), if(`ingested` > `time`, 1, -1), if((`ingested` - `time`) < 330000000000, -1, if((`ingested` - `time`) > 330000000000, 1, 0))) > 0, 0)"},
		{`count where time < ingested - 1h`, "ifNull(if(((`time` >= 0) != (`ingested` >= 0) AND ((`time` - `ingested`) >= 0) != (`time` >= 0)), if(`time` > `ingested`, 1, -1), if((`time` - `ingested`) < -3600000000000, -1, if((`time` - `ingested`) > -3600000000000, 1, 0))) < 0, 0)"},
	} {
		cp := compileText(t, tc.query, nil)
		if want := "SELECT toInt64(count()) FROM `db`.`signins` WHERE " + tc.where; cp.sql != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.query, cp.sql, want)
		}
	}
	cp := compileText(t, `min(time) as first, max(time) as last, last - first as span group by user having last - first <= 5m and last > now - 30d`, nil)
	first := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	row := func(span time.Duration) []result.Value {
		r := make([]result.Value, len(cp.outs))
		r[0] = result.StringValue("u")
		r[1], r[2] = result.TimeValue(first), result.TimeValue(first.Add(span))
		r[3], _ = eval(cp.outs[3].calc, r)
		return r
	}
	if cp.outs[3].kind != signin.KindDuration {
		t.Fatalf("span is %s, want a duration", cp.outs[3].kind)
	}
	rows, err := cp.finish([][]result.Value{row(4 * time.Minute), row(6 * time.Minute)})
	if err != nil || len(rows) != 1 || rows[0][3].String() != result.DurationValue(4*time.Minute).String() {
		t.Errorf("having last - first <= 5m: %v (%v), want the row of 4m", rows, err)
	}
	// An overflow of time arithmetic is the query's error.
	cp = compileText(t, `max(time) as last, last + 106000d as far group by user`, nil)
	r := []result.Value{result.StringValue("u"), result.TimeValue(first), {}}
	if _, err := eval(cp.outs[2].calc, r); !errors.Is(err, plugins.ErrOverflow) {
		t.Errorf("time overflow: %v, want ErrOverflow", err)
	}
	for text, want := range map[string]time.Duration{"5m30s": 330 * time.Second, "-1h": -time.Hour, "1d12h": 36 * time.Hour, "1s250ms": 1250 * time.Millisecond} {
		if d, ok := query.DurationText(text); !ok || d != want {
			t.Errorf("query.DurationText(%s) = %v %v, want %v", text, d, ok, want)
		}
	}
	for _, bad := range []string{"5", "m5", "30s5m", "app", "200000d"} {
		if _, ok := query.DurationText(bad); ok {
			t.Errorf("query.DurationText(%s) should not read", bad)
		}
	}
}

// TestFunctions: domain in SQL; subnet's network from the bytes SQL
// selects, written as the function writes it; its values and order are
// refused where the bytes would not do.
func TestFunctions(t *testing.T) {
	cp := compileText(t, `count group by domain(user)`, nil)
	if want := "SELECT if(position(`user`, '@') = 0, '', lowerUTF8(arrayElement(splitByChar('@', `user`), -1))), toInt64(count()) FROM `db`.`signins` GROUP BY if(position(`user`, '@') = 0, '', lowerUTF8(arrayElement(splitByChar('@', `user`), -1)))"; cp.sql != want {
		t.Errorf("domain:\n got %s\nwant %s", cp.sql, want)
	}
	cp = compileText(t, `values(error) as e, valuesif(compliant, status=failure) as c, values(app) group by user`, nil)
	for _, want := range []string{
		"arraySort(groupUniqArrayIf(toString(assumeNotNull(`error`)), 1 AND isNotNull(`error`)))",
		"arraySort(groupUniqArrayIf(if(assumeNotNull(`compliant`) = 1, 'true', 'false'), (lowerUTF8(toString(`status`)) = lowerUTF8('failure')) AND isNotNull(`compliant`)))",
		"arraySort(groupUniqArrayIf(`app`, 1 AND `app` != ''))",
	} {
		if !strings.Contains(cp.sql, want) {
			t.Errorf("values: %s lacks %s", cp.sql, want)
		}
	}
	cp = compileText(t, `count group by subnet(ip, 12)`, nil)
	conv := cp.outs[0].conv
	for in, want := range map[string]string{"": "", "4CB100000": "203.16.0.0/12", "620010DB8AB000001": "2001:db8:ab00:1::/64", "40": "0.0.0.0/12"} {
		if got, err := conv(in); err != nil || got != want {
			t.Errorf("subnet conv(%q) = %q %v, want %q", in, got, err, want)
		}
	}
	for _, q := range []string{`values(subnet(ip, 24)) group by user`, `min(subnet(ip, 24)) group by user`, `count group by subnet(ip, 48)`, `values(latitude) group by user`} {
		if _, _, err := prepare(t.Context(), nil, q, QueryOptions{}, compileNow); !errors.Is(err, ErrNotExpressible) || !strings.Contains(err.Error(), "not expressible") {
			t.Errorf("%s: %v, want not expressible", q, err)
		}
	}
}
