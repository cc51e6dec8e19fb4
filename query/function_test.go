package query

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// TestFunctions runs queries with functions in filters, group by, top
// and list on the differential tests' stores, and checks each answer
// against the sign-ins computed here, in Go.
func TestFunctions(t *testing.T) {
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	val := func(name string, r *signin.Record) result.Value { return naiveValue(signin.Lookup(name), r) }
	domainOf := func(r *signin.Record) string {
		u := val("user", r).Str()
		if i := strings.LastIndexByte(u, '@'); i >= 0 {
			return strings.ToLower(u[i+1:])
		}
		return ""
	}
	subnetOf := func(r *signin.Record, bits int) string {
		a, err := netip.ParseAddr(val("ip", r).Str())
		if err != nil {
			return ""
		}
		a = a.Unmap()
		if a.Is6() && bits <= 32 {
			bits = 64
		}
		p, _ := a.Prefix(bits)
		return p.String()
	}
	counts := func(key func(r *signin.Record) (string, bool)) map[string]int64 {
		m := map[string]int64{}
		for i := range s.recs {
			if k, ok := key(&s.recs[i]); ok {
				m[k]++
			}
		}
		return m
	}
	// f runs a query of one key column and a count on both stores and
	// compares with want (key text → count).
	f := func(text string, want map[string]int64) {
		t.Helper()
		for db := range s.dbs {
			res, err := Run(t.Context(), s.dbs[db], nil, text, Options{Now: s.now})
			if err != nil {
				t.Fatalf("%s (%s): %v", text, diffStoreNames[db], err)
			}
			got := map[string]int64{}
			for _, row := range res.Rows {
				key := ""
				if len(row) > 1 {
					key = row[0].String()
				}
				got[key] = row[len(row)-1].Int()
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s (%s):\n got %v\nwant %v", text, diffStoreNames[db], got, want)
			}
		}
	}
	one := func(key string, n int64) map[string]int64 { return map[string]int64{key: n} }
	total := func(pred func(r *signin.Record) bool) int64 {
		n := int64(0)
		for i := range s.recs {
			if pred(&s.recs[i]) {
				n++
			}
		}
		return n
	}
	hourOf := func(r *signin.Record) int { return r.Time.UTC().Hour() }

	f("count group by hour(time)", counts(func(r *signin.Record) (string, bool) { return fmt.Sprint(hourOf(r)), true }))
	f("count where hour(time) >= 22 or hour(time) < 6", one("", total(func(r *signin.Record) bool { return hourOf(r) >= 22 || hourOf(r) < 6 })))
	f("count group by domain(user)", counts(func(r *signin.Record) (string, bool) { return domainOf(r), true }))
	f(`count where domain(user) endswith ".com" and status=failure`, one("", total(func(r *signin.Record) bool {
		return strings.HasSuffix(domainOf(r), ".com") && val("status", r).Str() == "failure"
	})))
	f("count group by subnet(ip, 16)", counts(func(r *signin.Record) (string, bool) { return subnetOf(r, 16), true }))
	f("count group by subnet(ip)", counts(func(r *signin.Record) (string, bool) { return subnetOf(r, 24), true }))
	f("count group by date(time)", counts(func(r *signin.Record) (string, bool) {
		return result.TimeValue(r.Time.UTC().Truncate(24 * time.Hour)).String(), true
	}))
	f(`count where weekday(time) in ("6 Sat", "7 Sun")`, one("", total(func(r *signin.Record) bool {
		d := r.Time.UTC().Weekday()
		return d == time.Saturday || d == time.Sunday
	})))
	f(`count where date(time) >= 2026-11-08`, one("", total(func(r *signin.Record) bool {
		return !r.Time.UTC().Before(time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC))
	})))

	// top by a function; list of functions, row by row.
	res, err := Run(t.Context(), s.dbs[0], nil, "top 3 domain(user)", Options{Now: s.now})
	if err != nil {
		t.Fatal(err)
	}
	doms := counts(func(r *signin.Record) (string, bool) { return domainOf(r), true })
	for _, row := range res.Rows {
		if doms[row[0].Str()] != row[1].Int() {
			t.Errorf("top 3 domain(user): %s has %d, want %d", row[0], row[1].Int(), doms[row[0].Str()])
		}
	}
	if len(res.Rows) != min(3, len(doms)) || res.Columns[0].Name != "domain(user)" || res.Columns[0].Field != "" {
		t.Errorf("top 3 domain(user): columns %v, %d rows", res.Columns, len(res.Rows))
	}
	res, err = Run(t.Context(), s.dbs[1], nil, "list time, hour(time), user, domain(user), ip, subnet(ip, 8) limit 50", Options{Now: s.now})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range res.Rows {
		if h := row[0].Time().Hour(); row[1].Int() != int64(h) {
			t.Errorf("list: hour(%s) = %s", row[0], row[1])
		}
		r := &signin.Record{}
		r.User, r.IP = row[2].Str(), row[4].Str()
		if row[3].Str() != domainOf(r) || row[5].Str() != subnetOf(r, 8) {
			t.Errorf("list: domain(%s) = %s, subnet(%s, 8) = %s", row[2], row[3], row[4], row[5])
		}
	}
}

// TestFunctionErrors checks the errors of calls: at the call's position,
// with did-you-mean, and a function's own error or panic in a run as the
// query's error.
func TestFunctionErrors(t *testing.T) {
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	reg := standard.New()
	if err := reg.Register(panicky{}); err != nil {
		t.Fatal(err)
	}
	f := func(text, want string) {
		t.Helper()
		st, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		plan, err := Check(st, reg, s.now)
		if err == nil {
			_, err = Execute(t.Context(), s.dbs[0], plan, Options{})
		}
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", text, err, want)
		}
		var qe *Error
		if err != nil && !errors.As(err, &qe) {
			t.Errorf("%s: %T is not a *query.Error", text, err)
		}
	}
	f("count group by hour(user)", "1:16: hour takes time as argument 1, not string")
	f("count where hours(time) > 3", `1:13: unknown function "hours"; did you mean "hour"?`)
	f("count where subnet(ip, 99) = x", "1:13: subnet: 99 bits is not a prefix length of an IPv4 address")
	f("list domain(policy)", "1:13: policy is a list of values; functions take fields of one value")
	f(`list hour("x")`, `1:11: hour's first argument is a field, not "x" (hour(time))`)
	f("list hour(1h)", `1:11: unknown field "1h"`)
	f("count group by subnet(ip, x)", `1:27: subnet's bits: "x" is not a number`)
	f("count where panicky(user) = 1", "1:13: panicky: panic: on purpose")
	f("count where count(user) = 1", "1:13: count is an aggregate: a condition on aggregates goes in having (group by … having count(user) > 1)")
}

// panicky is a function that panics when it runs.
type panicky struct{}

func (panicky) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "panicky", Kind: plugins.KindFunction, Args: []plugins.Arg{{Name: "x", Type: plugins.ArgField}}}
}
func (panicky) Result([]signin.Kind) (signin.Kind, error) { return signin.KindInt, nil }
func (panicky) Eval([]result.Value) (result.Value, error) { panic("on purpose") }
