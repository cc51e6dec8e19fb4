package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

var builtDay = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// builtStore stores sign-ins whose values a query's text would have to
// quote: a user that spells a field, a keyword, quotes and backslashes;
// an address mapped in IPv6.
func builtStore(t *testing.T) *engine.DB {
	t.Helper()
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var recs []signin.Record
	for i, u := range []string{"app", "where", `q"u\ote\`, "ann", "ANN", "bob", "app", "ann"} {
		r := signin.New()
		r.ID = fmt.Sprintf("0b0b0b00-0000-4000-8000-%012x", i)
		r.Type = signin.TypeInteractive
		r.Time = builtDay.Add(time.Duration(i) * time.Hour)
		r.User, r.App, r.IP, r.Country = u, "Office", fmt.Sprintf("10.0.0.%d", i%3), "US"
		r.Status, r.Error = signin.StatusSuccess, 0
		if i%2 == 1 {
			r.Status, r.Error = signin.StatusFailure, 50126
		}
		if i == 5 {
			r.IP = "::ffff:10.0.0.1"
		}
		recs = append(recs, r)
	}
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestBuiltQueries runs built queries, and the text each prints as
// (String), which must parse back to a query that gives the same answer:
// values are values whatever they spell, and a condition names as many
// of them as it needs.
func TestBuiltQueries(t *testing.T) {
	db := builtStore(t)
	now := builtDay.Add(24 * time.Hour)
	many := []*ast.Literal{ast.Str("app"), ast.Str("where"), ast.Str(`q"u\ote\`)}
	for i := range 1000 {
		many = append(many, ast.Str(fmt.Sprintf("user%d@contoso.com", i)))
	}
	users := ast.AggregateOf(ast.NewHead(ast.Fn("count"), "n"), ast.NewHead(ast.Fn("values", ast.Field("ip")), "ips"))
	users.Where = ast.IsIn(ast.Field("user"), many...)
	users.GroupBy = []ast.Expr{ast.Field("user")}
	spans := ast.ListOf(ast.Field("time"), ast.Field("user"), ast.Field("ip"))
	spans.Where = ast.And(ast.Eq(ast.Field("status"), ast.Word("success")), ast.Negate(ast.IsIn(ast.Field("error"), ast.Int(50126))),
		ast.Or(ast.And(ast.IsIn(ast.Field("ip"), ast.Str("10.0.0.1")), ast.Compare(ast.Field("time"), ">=", ast.Time(builtDay))),
			ast.Eq(ast.Field("user"), ast.Str("app"))))
	spans.Within(builtDay.Add(time.Hour), builtDay.Add(7*time.Hour))
	open := ast.AggregateOf(ast.NewHead(ast.Fn("dcount", ast.Field("user")), ""))
	open.Within(time.Time{}, builtDay.Add(4*time.Hour))
	bins := ast.AggregateOf(ast.NewHead(ast.Fn("count"), ""))
	bins.Where = ast.Eq(ast.Field("user"), ast.Word("ann"))
	bins.GroupBy = []ast.Expr{ast.Field("user"), ast.Fn("bin", ast.Word("1d"))}
	bins.Within(builtDay, time.Time{})
	longer := *users
	longer.Where = ast.IsIn(ast.Field("user"), append(many, ast.Str("bob"))...)
	for i := range 5000 {
		longer.Where.(*ast.In).Values = append(longer.Where.(*ast.In).Values, ast.Str(fmt.Sprintf("other%d@contoso.com", i)))
	}
	for _, tc := range []struct {
		q    *ast.Query
		want []string
	}{
		{&longer, []string{`app | 2 | 10.0.0.0`, `bob | 1 | ::ffff:10.0.0.1`, `q"u\ote\ | 1 | 10.0.0.2`, `where | 1 | 10.0.0.1`}},
		{users, []string{`app | 2 | 10.0.0.0`, `q"u\ote\ | 1 | 10.0.0.2`, `where | 1 | 10.0.0.1`}},
		{spans, []string{"2026-11-02T06:00:00Z | app | 10.0.0.0", "2026-11-02T04:00:00Z | ANN | 10.0.0.1"}},
		{open, []string{"4"}},
		// ann and ANN: text matches without regard to case.
		{bins, []string{"ANN | 2026-11-02T00:00:00Z | 1", "ann | 2026-11-02T00:00:00Z | 2"}},
	} {
		text := tc.q.String()
		plan, err := checkBuilt(tc.q, nil, now)
		if err != nil {
			t.Fatalf("%.200s: %v", text, err)
		}
		built, err := Execute(t.Context(), db, plan, Options{Now: now})
		if err != nil {
			t.Fatalf("%.200s: %v", text, err)
		}
		var got, again []string
		for _, r := range built.Rows {
			got = append(got, rowText(r))
		}
		if len(text) > maxQueryBytes {
			// Too long a text to parse: the 5,000 values a query of
			// plugins.Env.Query may name, a written one may not.
			again = got
		} else {
			parsed, err := Run(t.Context(), db, nil, text, Options{Now: now})
			if err != nil {
				t.Fatalf("%.200s: %v", text, err)
			}
			for _, r := range parsed.Rows {
				again = append(again, rowText(r))
			}
		}
		if !slices.Equal(got, tc.want) || !slices.Equal(again, got) {
			t.Errorf("%.200s:\nbuilt  %q\nparsed %q\nwant   %q", text, got, again, tc.want)
		}
	}
}

// builtStage is a stage that runs a built query (plugins.Env.Query)
// and emits its row count, or one whose Needs.Where is where.
type builtStage struct {
	name  string
	q     *ast.Query
	where ast.Expr
}

func (s builtStage) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: s.name, Kind: plugins.KindStage}
}

func (s builtStage) Needs(*plugins.Args) (plugins.Needs, error) {
	return plugins.Needs{Fields: []string{"time", "user"}, Where: s.where}, nil
}

func (s builtStage) Bind(*plugins.Args, []result.Column) (plugins.Runner, error) { return s, nil }

func (builtStage) Columns() []result.Column {
	return []result.Column{{Name: "rows", Kind: signin.KindInt}}
}

func (s builtStage) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	n := 0
	for range in {
		n++
	}
	if s.q != nil {
		res, err := env.Query(ctx, s.q)
		if err != nil {
			return err
		}
		n = len(res.Rows)
	}
	return emit([]result.Value{result.IntValue(int64(n))})
}

// TestBuiltErrors checks the errors of built queries and conditions:
// short (however many values the query names), without positions
// (built nodes have none), saying which stage's query failed and what
// was wrong; a tree the parser could not have made is an error, not a
// panic.
func TestBuiltErrors(t *testing.T) {
	db := builtStore(t)
	now := builtDay.Add(24 * time.Hour)
	var many []*ast.Literal
	for i := range 10_000 {
		many = append(many, ast.Str(fmt.Sprintf("user%d@contoso.com", i)))
	}
	typo := ast.AggregateOf(ast.NewHead(ast.Fn("count"), ""))
	typo.Where = ast.And(ast.IsIn(ast.Field("user"), many...), ast.Eq(ast.Field("staus"), ast.Word("success")))
	notOne := ast.ListOf()
	notOne.Where = ast.Eq(ast.Field("error"), ast.Str("many"))
	noOperand := ast.ListOf()
	noOperand.Where = &ast.Binary{Op: "and", L: ast.Eq(ast.Field("user"), ast.Str("ann"))}
	twoRanges := ast.ListOf()
	twoRanges.Since, twoRanges.Between = ast.Time(builtDay), [2]*ast.Literal{ast.Time(builtDay), ast.Time(now)}
	listGroups := ast.ListOf()
	listGroups.GroupBy = []ast.Expr{ast.Field("user")}
	typed := ast.ListOf()
	typed.Where = (*ast.Name)(nil)
	for _, tc := range []struct {
		name, query string
		stage       builtStage
		want        string
	}{
		{"typo", "list | typo", builtStage{q: typo}, `typo's query (count where user in ("user0@contoso.com", "user1@contoso.com", "user2@contoso.com", "user3@contoso.c…): unknown field "staus"; did you mean "status"?`},
		{"notone", "list | notone", builtStage{q: notOne}, `notone's query (list where error = "many"):`},
		{"nooperand", "list | nooperand", builtStage{q: noOperand}, "nooperand's query: a built query is malformed: an expression with a missing operand"},
		{"tworanges", "list | tworanges", builtStage{q: twoRanges}, "tworanges's query: a built query is malformed: since and between both give the time range: use one"},
		{"listgroups", "list | listgroups", builtStage{q: listGroups}, "listgroups's query: a built query is malformed: list lists sign-ins and has no group by or having"},
		{"typed", "list | typed", builtStage{q: typed}, "typed's query: a built query is malformed: an expression with a missing operand"},
		{"nilquery", "list | nilquery", builtStage{}, ""},
		{"badwhere", "list since 7d | badwhere", builtStage{where: ast.And(ast.Eq(ast.Field("status"), ast.Word("failure")), ast.Eq(ast.Field("staus"), ast.Word("x")))},
			`1:17: badwhere needs a condition that does not check (status = failure and staus = x): unknown field "staus"; did you mean "status"?`},
		{"halfwhere", "list since 7d | halfwhere", builtStage{where: ast.Negate(nil)},
			`1:17: halfwhere needs a condition that does not check: a built query is malformed: an expression with a missing operand`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := standard.New()
			tc.stage.name = tc.name
			if err := reg.Register(tc.stage); err != nil {
				t.Fatal(err)
			}
			plan, err := Prepare(tc.query, nil, reg, now)
			if err == nil {
				_, err = Execute(t.Context(), db, plan, Options{Now: now})
			}
			switch {
			case tc.want == "":
				if err != nil {
					t.Errorf("%v", err)
				}
				return
			case err == nil:
				t.Fatalf("no error; want %q", tc.want)
			case !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "0:0") || len(err.Error()) > 400:
				t.Errorf("%s\nwant it to say %s, briefly, with no position of a built node", err, tc.want)
			}
			var pe *PanicError
			if errors.As(err, &pe) {
				t.Errorf("a panic: %v", err)
			}
		})
	}
}
