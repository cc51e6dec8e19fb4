package stage

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/events"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// spray finds password sprays: addresses whose sign-ins fail, with one
// of the error codes given, for many distinct accounts within a short
// time, and for which few other accounts sign in.
//
// For each address it sorts the failures by time and slides a window
// over them (a window starts at a failure and holds the failures less
// than window after it); a window holding failures for at least accounts
// distinct users (sign-ins without a user count as failures but not as
// accounts) makes the address a sprayer, and windows that share a
// failure make one spray. The successes from the address, from the
// spray's first failure until window after its last, are what the
// spray is judged and reported with: a spray is reported when the
// accounts it failed for are at least share of all the accounts seen
// from the address then (those it failed for and those that succeeded),
// which leaves out the busy addresses of offices and NATs, where a
// dozen people mistyping a password in an hour are a handful among the
// hundreds who sign in. Each spray reported is a row:
//
//	ip            the address
//	first, last   its first and last failure
//	accounts      the distinct users it failed for
//	failures      its failures
//	apps          the apps they were made to
//	succeeded     whether a sign-in from the address succeeded from its
//	              first failure until window after its last
//	successUsers  the users of those successes
//	users         the users it failed for
//
// Rows come in order of first failure, then address. Sign-ins without a
// time or an address are left out; a sign-in is a failure when its error
// is one of the codes, and a success when its status is success (and it
// is not a failure). The list before the stage reads only the failures
// (Needs.Where); the successes of the candidate sprays are read from the
// store (the snapshot, by dictionary id and bitmap; else asked with
// Env.Query), within the query's time range, and successes in the
// stage's input count too.
//
// Its zero value is the stage; Bind returns a *spray holding the
// arguments, which runs.
type spray struct {
	accounts int
	window   time.Duration
	codes    []int64
	share    float64
	in       events.Reader
}

var (
	_ plugins.Stage  = spray{}
	_ plugins.Needer = spray{}
	_ plugins.Runner = (*spray)(nil)
)

func (spray) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "spray", Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "accounts", Type: plugins.ArgInt, Default: "5", Min: "1",
				Help: "the distinct accounts an address must fail for within the window; 5: Microsoft Sentinel's analytic rule Password spray attack against Microsoft Entra ID application (Azure/Azure-Sentinel, Solutions/Microsoft Entra ID/Analytic Rules/SigninPasswordSpray.yaml) reports an address failing for 5 accounts within 20 minutes; within an hour it also finds sprays slowed, or spread over addresses, to 5 accounts an hour each"},
			{Name: "window", Type: plugins.ArgDuration, Default: "1h",
				Help: "the time the accounts must fail within; 1h: Sentinel's rule counts 20-minute windows and its rule for AD FS (ADFSSignInLogsPasswordSpray.yaml) half an hour, and a spray slowed to dodge smart lockout still tries 5 accounts an hour"},
			{Name: "codes", Type: plugins.ArgCodes, Default: "50126, 50053, 50055, 50034",
				Help: "the error codes that count as failures: 50126 wrong password, 50053 account locked (smart lockout), 50055 password expired (the password was right), as Sentinel's spray rule counts them, and 50034 no such user (guessed names)"},
			{Name: "share", Type: plugins.ArgNumber, Default: "0.5", Min: "0", Max: "1",
				Help: "the least share (0 to 1) of the accounts seen from the address during the spray (failing, or succeeding from its first failure until window after its last) that its failing accounts must be; 0.5: Sentinel's spray rules report an address only when the accounts failing from it outnumber those that succeed, which leaves out the busy addresses of offices and NATs, where the dozen people who mistype a password in an hour are a few percent of those who sign in; 0 reports every address, busy ones included"},
		},
		Help:    "addresses that fail for many distinct accounts within a window (password spray), most of the accounts seen from them, and whether an account then signed in from them",
		Example: "list since 7d | spray accounts=20 window=2h",
		Output:  []string{"ip", "first", "last", "accounts", "failures", "apps", "succeeded", "successUsers", "users"},
	}
}

// read returns the stage bound to its arguments.
func (spray) read(args *plugins.Args) *spray {
	return &spray{accounts: int(args.Int("accounts")), window: args.Duration("window"),
		codes: args.Codes("codes"), share: args.Float("share")}
}

func (r spray) Needs(args *plugins.Args) (plugins.Needs, error) {
	b := r.read(args)
	return events.Needs(b.codes), nil
}

func (r spray) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	b := r.read(args)
	var err error
	if b.in, err = events.NewReader(in, b.codes); err != nil {
		return nil, err
	}
	return b, nil
}

func (r *spray) Columns() []result.Column {
	return []result.Column{
		{Name: "ip", Kind: signin.KindString, Field: "ip"},
		{Name: "first", Kind: signin.KindTime},
		{Name: "last", Kind: signin.KindTime},
		{Name: "accounts", Kind: signin.KindInt},
		{Name: "failures", Kind: signin.KindInt},
		{Name: "apps", Kind: signin.KindList},
		{Name: "succeeded", Kind: signin.KindBool},
		{Name: "successUsers", Kind: signin.KindList},
		{Name: "users", Kind: signin.KindList},
	}
}

func (r *spray) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	type byIP struct{ fails, wins []events.Event }
	ips := map[string]*byIP{}
	for row := range in {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, kind := r.in.Read(row)
		if kind == events.Other || ev.IP == "" {
			continue
		}
		b := ips[ev.IP]
		if b == nil {
			b = &byIP{}
			ips[ev.IP] = b
		}
		if kind == events.Failure {
			b.fails = append(b.fails, ev)
		} else {
			b.wins = append(b.wins, ev)
		}
	}
	// The sprays, from the failures.
	type cand struct {
		ip    string
		fails []events.Event
	}
	var cands []cand
	var spans []events.Span
	for ip, b := range ips {
		if err := ctx.Err(); err != nil {
			return err
		}
		fails := b.fails
		events.SortEvents(fails)
		inWindow := map[string]int{}
		bursts := events.Bursts(len(fails), func(i int) int64 { return fails[i].At }, r.window,
			func(i int) {
				if u := fails[i].User; u != "" {
					inWindow[u]++
				}
			},
			func(i int) {
				if u := fails[i].User; u != "" {
					if inWindow[u]--; inWindow[u] == 0 {
						delete(inWindow, u)
					}
				}
			},
			func() bool { return len(inWindow) >= r.accounts })
		for _, s := range bursts {
			c := cand{ip: ip, fails: fails[s[0] : s[1]+1]}
			cands = append(cands, c)
			spans = append(spans, events.Span{Key: ip, From: c.fails[0].At, To: events.AddSat(c.fails[len(c.fails)-1].At, r.window)})
		}
	}
	// Their successes: those of the input, then the store's, as the
	// count and the distinct users of the successes of each spray's span
	// (never a list: listing the successes of busy addresses would build
	// millions of rows).
	succeeded := make([]bool, len(cands))
	winners := make([]map[string]bool, len(cands))
	for k, c := range cands {
		if err := ctx.Err(); err != nil {
			return err
		}
		winners[k] = map[string]bool{}
		for _, w := range ips[c.ip].wins {
			if w.At >= spans[k].From && w.At <= spans[k].To {
				succeeded[k] = true
				winners[k][w.User] = true
			}
		}
	}
	// The store's, by dictionary id and bitmap when there is a
	// snapshot, else asked as an aggregate.
	stored, ok, err := events.StoreSpanSuccesses(ctx, env, "ip", "user", spans, r.codes)
	if err != nil {
		return err
	}
	for k, s := range stored {
		if s.N > 0 {
			succeeded[k] = true
		}
		for _, u := range s.Values {
			winners[k][u] = true
		}
	}
	if !ok {
		err := events.SpanAggregates(ctx, env, "ip", spans, r.codes, []*ast.Head{ast.NewHead(ast.Fn("count"), "n"), ast.NewHead(ast.Fn("values", ast.Field("user")), "users")},
			[]events.Col{{Name: "n", Kind: signin.KindInt}, {Name: "users", Kind: signin.KindList}}, func(k int, row []result.Value, idx []int) {
				if n, ok := events.Int(row, idx[0]); ok && n > 0 {
					succeeded[k] = true
				}
				if v := events.Cell(row, idx[1]); !v.IsNull() && v.Kind() == signin.KindList {
					for _, u := range v.List() {
						winners[k][u] = true
					}
				}
			})
		if err != nil {
			return err
		}
	}
	var out [][]result.Value
	var firsts []int64
	for k, c := range cands {
		if err := ctx.Err(); err != nil {
			return err
		}
		users, apps := map[string]bool{}, map[string]bool{}
		for _, f := range c.fails {
			users[f.User], apps[f.App] = true, true
		}
		first, last := c.fails[0].At, c.fails[len(c.fails)-1].At
		accounts := events.Sorted(users)
		seen := len(accounts)
		for u := range winners[k] {
			if u != "" && !users[u] {
				seen++
			}
		}
		if float64(len(accounts)) < r.share*float64(seen) {
			continue // a busy address: most of its accounts got in
		}
		out = append(out, []result.Value{result.StringValue(c.ip), events.TimeValue(first), events.TimeValue(last),
			result.IntValue(int64(len(accounts))), result.IntValue(int64(len(c.fails))),
			result.ListValue(events.Sorted(apps)), result.BoolValue(succeeded[k]), result.ListValue(events.Sorted(winners[k])),
			result.ListValue(accounts)})
		firsts = append(firsts, first)
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(firsts[a], firsts[b]); c != 0 {
			return c
		}
		return strings.Compare(out[a][0].Str(), out[b][0].Str())
	})
	for _, i := range order {
		if err := emit(out[i]); err != nil {
			return err
		}
	}
	return ctx.Err()
}
