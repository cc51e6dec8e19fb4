package plugins

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

func init() { Register(bruteforce{}) }

// bruteforce finds accounts whose password was guessed: many failures,
// with one of the error codes given, within a short time, followed by a
// success.
//
// For each user it sorts the failures by time and slides a window over
// them (a window starts at a failure and holds the failures less than
// window after it); windows holding at least failures failures, merged
// when they share one, make a burst. A burst is reported when a success
// follows it: the first success from its last failure until window
// after it, else the last success during the burst that at least
// failures of its failures precede (an attacker who got in while the
// failures went on). Each such burst is a row:
//
//	user         the account
//	failures     the burst's failures
//	first, last  its first and last failure
//	success      the success
//	successIp    the address the success came from
//	ips          the addresses of the failures and of the success
//
// Rows come in order of first failure, then user. Sign-ins without a
// time or a user are left out; a sign-in is a failure when its error is
// one of the codes, and a success when its status is success (and it is
// not a failure). The list before the stage reads only the failures
// (Needs.Where); the successes of the bursts' accounts, from a burst's
// first failure until window after its last, are asked of the store
// (Env.Query), within the query's time range, and successes in the
// stage's input count too. mfafatigue shares the search
// (srAccountBursts).
type bruteforce struct{}

var (
	_ Stage  = bruteforce{}
	_ Needer = bruteforce{}
)

func (bruteforce) Describe() Descriptor {
	return Descriptor{Name: "bruteforce", Kind: KindStage,
		Args: []Arg{
			{Name: "failures", Type: ArgInt, Default: "10", Min: "1",
				Help: "the failures an account must have within the window; 10: Microsoft Sentinel's analytic rule Brute force attack against Azure Portal (Azure/Azure-Sentinel, Solutions/Microsoft Entra ID/Analytic Rules/SigninBruteForce-AzurePortal.yaml) reports 10 failures followed by a success, and Entra smart lockout locks an account after 10 failures by default (then fails each attempt while it is locked with 50053), so that an attacker rarely gets 20 wrong passwords in a row; a person who mistypes a password stops after a few tries"},
			{Name: "window", Type: ArgDuration, Default: "1h",
				Help: "the time the failures must fall within, and how long after the last one a success still counts; 1h: Sentinel's rule keeps a session going while attempts come less than 20 minutes apart, so that its 10 failures may be spread over an hour or more, and smart lockout's lockouts (60 seconds at first, longer after each failure) spread an attack out"},
			{Name: "codes", Type: ArgCodes, Default: "50126, 50053, 50055",
				Help: "the error codes that count as failures: 50126 wrong password, 50053 account locked (smart lockout), 50055 password expired (the password was right), the failures of Sentinel's password spray rule"},
		},
		Help:    "accounts with many failed sign-ins within a window followed by a success (password brute force)",
		Example: "list since 7d | bruteforce failures=30 window=30m",
		Output:  []string{"user", "failures", "first", "last", "success", "successIp", "ips"},
	}
}

// srBurstArgs are the arguments of bruteforce and mfafatigue.
type srBurstArgs struct {
	n      int
	window time.Duration
	codes  []int64
	// denials is how many of a window's failures must be MFA denials
	// (mfaDenied) as well: mfafatigue's denials, 0 for bruteforce.
	denials int
}

// srBurstRead reads the arguments of bruteforce (count is "failures")
// and mfafatigue (count is "prompts").
func srBurstRead(args *Args, count string) *srBurstArgs {
	return &srBurstArgs{n: int(args.Int(count)), window: args.Duration("window"), codes: args.Codes("codes")}
}

func (bruteforce) Needs(args *Args) (Needs, error) {
	a := srBurstRead(args, "failures")
	return Needs{Fields: srSignInFields(), Where: srCodesWhere(a.codes), Stream: true}, nil
}

func (bruteforce) Bind(args *Args, in []result.Column) (Runner, error) {
	a := srBurstRead(args, "failures")
	idx, err := srColumns(in, srSignInCols)
	if err != nil {
		return nil, err
	}
	return &bruteforceRunner{args: a, in: srReader{idx: [6]int(idx), codes: a.codes}}, nil
}

type bruteforceRunner struct {
	args *srBurstArgs
	in   srReader
}

func (r *bruteforceRunner) Columns() []result.Column {
	return []result.Column{
		{Name: "user", Kind: signin.KindString, Field: "user"},
		{Name: "failures", Kind: signin.KindInt},
		{Name: "first", Kind: signin.KindTime},
		{Name: "last", Kind: signin.KindTime},
		{Name: "success", Kind: signin.KindTime},
		{Name: "successIp", Kind: signin.KindString, Field: "ip"},
		{Name: "ips", Kind: signin.KindList},
	}
}

func (r *bruteforceRunner) Run(ctx context.Context, env *Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	hits, err := srAccountBursts(ctx, env, &r.in, in, r.args)
	if err != nil {
		return err
	}
	for _, h := range hits {
		row := []result.Value{result.StringValue(h.user), result.IntValue(int64(len(h.fails))),
			srTimeValue(h.fails[0].t), srTimeValue(h.fails[len(h.fails)-1].t),
			srTimeValue(h.success.t), result.StringValue(h.success.ip), result.ListValue(h.ips())}
		if err := emit(row); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// srBurst is a burst of one account's failures and the success that
// followed it.
type srBurst struct {
	user    string
	fails   []srEvent // by time; at least one
	success srEvent
}

// ips returns the addresses of the burst's failures and success, sorted.
func (b *srBurst) ips() []string {
	set := map[string]bool{b.success.ip: true}
	for _, f := range b.fails {
		set[f.ip] = true
	}
	return srSorted(set)
}

// srAccountBursts reads sign-ins and returns, per user, the bursts of at
// least a.n failures within a.window (a.denials of them MFA denials)
// that a success follows (as bruteforce's doc comment says), by first
// failure, then user. The successes are those of its input and those
// the store holds (srSuccesses) from a burst's first failure until
// a.window after its last.
func srAccountBursts(ctx context.Context, env *Env, rd *srReader, in iter.Seq[[]result.Value], a *srBurstArgs) ([]srBurst, error) {
	type byUser struct{ fails, wins []srEvent }
	users := map[string]*byUser{}
	for row := range in {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ev, kind := rd.read(row)
		if kind == srOther || ev.user == "" {
			continue
		}
		u := users[ev.user]
		if u == nil {
			u = &byUser{}
			users[ev.user] = u
		}
		if kind == srFailure {
			u.fails = append(u.fails, ev)
		} else {
			u.wins = append(u.wins, ev)
		}
	}
	// The bursts, from the failures.
	type cand struct {
		user  string
		fails []srEvent
	}
	var cands []cand
	var spans []srSpan
	for user, u := range users {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(u.fails) < a.n {
			continue
		}
		fails := u.fails
		srSortEvents(fails)
		inWindow, denied := 0, 0
		bursts := srBursts(len(fails), func(i int) int64 { return fails[i].t }, a.window,
			func(i int) {
				inWindow++
				if fails[i].code == mfaDenied {
					denied++
				}
			},
			func(i int) {
				inWindow--
				if fails[i].code == mfaDenied {
					denied--
				}
			},
			func() bool { return inWindow >= a.n && denied >= a.denials })
		for _, s := range bursts {
			c := cand{user: user, fails: fails[s[0] : s[1]+1]}
			cands = append(cands, c)
			last := c.fails[len(c.fails)-1].t
			spans = append(spans, srSpan{key: user, from: last, to: srAddSat(last, a.window)}) // after the burst
		}
	}
	// Their successes: those of the input, and those of the store that
	// the choice below may pick, found by aggregates (the first success
	// after each burst, else the last during it; listing every success
	// of busy users would build millions of rows), then listed by their
	// times. The choice over them is the choice over all the successes:
	// it picks the earliest or latest within a span, and the store's
	// successes at that time are all listed.
	for _, u := range users {
		srSortEvents(u.wins)
	}
	var found []srSpan // the users and times of the successes to list
	after := make([]bool, len(cands))
	err := srSpanAggregates(ctx, env, "user", spans, a.codes, []*ast.Head{ast.NewHead(ast.Fn("min", ast.Field("time")), "t")}, []srCol{{"t", signin.KindTime}},
		func(k int, row []result.Value, idx []int) {
			if t, ok := srTime(row, idx[0]); ok {
				after[k] = true
				found = append(found, srSpan{key: cands[k].user, from: t, to: t})
			}
		})
	if err != nil {
		return nil, err
	}
	var during []srSpan // the bursts with no success after them, as a span each
	var duringOf []int
	for k, c := range cands {
		wins, burst := users[c.user].wins, c.fails
		first, last := burst[0].t, burst[len(burst)-1].t
		if after[k] {
			continue
		}
		if i, _ := slices.BinarySearchFunc(wins, last, func(e srEvent, t int64) int { return cmp.Compare(e.t, t) }); i < len(wins) && srWithin(last, wins[i].t, a.window) {
			continue
		}
		// A success after the first failure and before the last, that at
		// least a.n failures precede.
		if last > first {
			if from := max(first+1, burst[a.n-1].t); from <= last-1 {
				during = append(during, srSpan{key: c.user, from: from, to: last - 1})
				duringOf = append(duringOf, k)
			}
		}
	}
	err = srSpanAggregates(ctx, env, "user", during, a.codes, []*ast.Head{ast.NewHead(ast.Fn("max", ast.Field("time")), "t")}, []srCol{{"t", signin.KindTime}},
		func(k int, row []result.Value, idx []int) {
			if t, ok := srTime(row, idx[0]); ok {
				found = append(found, srSpan{key: cands[duringOf[k]].user, from: t, to: t})
			}
		})
	if err != nil {
		return nil, err
	}
	for _, batch := range srTimeBatches(len(found), func(j int) srSpan { return found[j] }) {
		bs := make([]srSpan, len(batch))
		for j, b := range batch {
			bs[j] = found[b]
		}
		err = srSuccesses(ctx, env, "user", bs, a.codes, func(ev srEvent) {
			if u := users[ev.user]; u != nil {
				u.wins = append(u.wins, ev)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	for _, u := range users {
		srSortEvents(u.wins)
	}
	var out []srBurst
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wins, burst := users[c.user].wins, c.fails
		first, last := burst[0].t, burst[len(burst)-1].t
		// The first success at or after the last failure, within the
		// window.
		i, _ := slices.BinarySearchFunc(wins, last, func(e srEvent, t int64) int { return cmp.Compare(e.t, t) })
		if i < len(wins) && srWithin(last, wins[i].t, a.window) {
			out = append(out, srBurst{user: c.user, fails: burst, success: wins[i]})
			continue
		}
		// Else the last success during the burst that at least a.n of
		// its failures precede.
		for j := i - 1; j >= 0 && wins[j].t > first; j-- {
			before, _ := slices.BinarySearchFunc(burst, wins[j].t+1, func(e srEvent, t int64) int { return cmp.Compare(e.t, t) })
			if before >= a.n {
				out = append(out, srBurst{user: c.user, fails: burst, success: wins[j]})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b srBurst) int {
		return cmp.Or(cmp.Compare(a.fails[0].t, b.fails[0].t), strings.Compare(a.user, b.user))
	})
	return out, nil
}
