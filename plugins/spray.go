package plugins

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

func init() { Register(spray{}) }

// spray finds password sprays: addresses whose sign-ins fail, with one
// of the error codes given, for many distinct accounts within a short
// time.
//
// For each address it sorts the failures by time and slides a window
// over them (a window starts at a failure and holds the failures less
// than window after it); a window holding failures for at least accounts
// distinct users (sign-ins without a user count as failures but not as
// accounts) makes the address a sprayer, and windows that share a
// failure make one spray. Each spray is a row:
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
// is one of the codes, and a success when its status is success.
type spray struct{}

var (
	_ Stage  = spray{}
	_ Needer = spray{}
)

func (spray) Describe() Descriptor {
	return Descriptor{Name: "spray", Kind: KindStage,
		Args: []Arg{
			{Name: "accounts", Type: ArgNumber, Default: "10",
				Help: "the distinct accounts an address must fail for within the window; 10: a spray tries dozens to thousands of accounts an hour, while the failures of people behind one office address rarely reach ten distinct accounts an hour"},
			{Name: "window", Type: ArgDuration, Default: "1h",
				Help: "the time the accounts must fail within; 1h: sprays go slow to dodge smart lockout, but one password is tried across the accounts within an hour or two"},
			{Name: "codes", Type: ArgString, Default: "50126, 50053, 50055, 50034",
				Help: "the error codes that count as failures: 50126 wrong password, 50053 account locked (smart lockout), 50055 password expired (the password was right), as Microsoft Sentinel's spray rules count them, and 50034 no such user (guessed names)"},
		},
		Help:    "addresses that fail for many distinct accounts within a window (password spray), and whether an account then signed in from them",
		Example: "list since 7d | spray accounts=20 window=2h",
		Output:  []string{"ip", "first", "last", "accounts", "failures", "apps", "succeeded", "successUsers", "users"},
	}
}

// sprayArgs are spray's arguments, read.
type sprayArgs struct {
	accounts int
	window   time.Duration
	codes    []int64
}

func sprayParse(args map[string]string) (*sprayArgs, error) {
	var a sprayArgs
	var err error
	if a.accounts, err = srAtLeast("accounts", args["accounts"]); err != nil {
		return nil, err
	}
	if a.window, err = srWindow("window", args["window"]); err != nil {
		return nil, err
	}
	if a.codes, err = srCodes("codes", args["codes"]); err != nil {
		return nil, err
	}
	return &a, nil
}

// srSignInCols are the columns the detection stages read, in order.
var srSignInCols = []srCol{{"time", signin.KindTime}, {"ip", signin.KindString}, {"user", signin.KindString},
	{"app", signin.KindString}, {"status", signin.KindString}, {"error", signin.KindInt}}

// srSignInFields are the fields of srSignInCols.
func srSignInFields() []string {
	var out []string
	for _, c := range srSignInCols {
		out = append(out, c.name)
	}
	return out
}

func (spray) Needs(args map[string]string) (Needs, error) {
	a, err := sprayParse(args)
	if err != nil {
		return Needs{}, err
	}
	return Needs{Fields: srSignInFields(), Where: srCodesWhere(a.codes), Stream: true}, nil
}

func (spray) Bind(args map[string]string, in []engine.ResultColumn) (Runner, error) {
	a, err := sprayParse(args)
	if err != nil {
		return nil, err
	}
	idx, err := srColumns(in, srSignInCols)
	if err != nil {
		return nil, err
	}
	return &sprayRunner{args: a, in: srReader{idx: [6]int(idx), codes: a.codes}}, nil
}

type sprayRunner struct {
	args *sprayArgs
	in   srReader
}

func (r *sprayRunner) Columns() []engine.ResultColumn {
	return []engine.ResultColumn{
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

func (r *sprayRunner) Run(ctx context.Context, env *Env, in iter.Seq[[]engine.Value], emit func([]engine.Value) error) error {
	type byIP struct{ fails, wins []srEvent }
	ips := map[string]*byIP{}
	for row := range in {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, kind := r.in.read(row)
		if kind == srOther || ev.ip == "" {
			continue
		}
		b := ips[ev.ip]
		if b == nil {
			b = &byIP{}
			ips[ev.ip] = b
		}
		if kind == srFailure {
			b.fails = append(b.fails, ev)
		} else {
			b.wins = append(b.wins, ev)
		}
	}
	var out [][]engine.Value
	var firsts []int64
	for ip, b := range ips {
		if err := ctx.Err(); err != nil {
			return err
		}
		fails := b.fails
		srSortEvents(fails)
		inWindow := map[string]int{}
		spans := srBursts(len(fails), func(i int) int64 { return fails[i].t }, r.args.window,
			func(i int) {
				if u := fails[i].user; u != "" {
					inWindow[u]++
				}
			},
			func(i int) {
				if u := fails[i].user; u != "" {
					if inWindow[u]--; inWindow[u] == 0 {
						delete(inWindow, u)
					}
				}
			},
			func() bool { return len(inWindow) >= r.args.accounts })
		for _, s := range spans {
			users, apps, winners := map[string]bool{}, map[string]bool{}, map[string]bool{}
			for _, f := range fails[s[0] : s[1]+1] {
				users[f.user], apps[f.app] = true, true
			}
			first, last := fails[s[0]].t, fails[s[1]].t
			succeeded := false
			for _, w := range b.wins {
				if w.t >= first && (w.t <= last || srWithin(last, w.t, r.args.window)) {
					succeeded = true
					winners[w.user] = true
				}
			}
			accounts := srSorted(users)
			out = append(out, []engine.Value{engine.StringValue(ip), srTimeValue(first), srTimeValue(last),
				engine.IntValue(int64(len(accounts))), engine.IntValue(int64(s[1] - s[0] + 1)),
				engine.ListValue(srSorted(apps)), engine.BoolValue(succeeded), engine.ListValue(srSorted(winners)),
				engine.ListValue(accounts)})
			firsts = append(firsts, first)
		}
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
