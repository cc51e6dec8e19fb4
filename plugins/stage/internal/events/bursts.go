package events

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// BurstArgs are the arguments of bruteforce and mfafatigue.
type BurstArgs struct {
	N      int
	Window time.Duration
	Codes  []int64
	// denials is how many of a window's failures must be MFA denials
	// (MFADenied) as well: mfafatigue's denials, 0 for bruteforce.
	Denials int
}

// BurstRead reads the arguments of bruteforce (count is "failures")
// and mfafatigue (count is "prompts").
func BurstRead(args *plugins.Args, count string) *BurstArgs {
	return &BurstArgs{N: int(args.Int(count)), Window: args.Duration("window"), Codes: args.Codes("codes")}
}

// Burst is a burst of one account's failures and the success that
// followed it.
type Burst struct {
	User    string
	Fails   []Event // by time; at least one
	Success Event
}

// ips returns the addresses of the burst's failures and success, sorted.
func (b *Burst) IPs() []string {
	set := map[string]bool{b.Success.IP: true}
	for _, f := range b.Fails {
		set[f.IP] = true
	}
	return Sorted(set)
}

// AccountBursts reads sign-ins and returns, per user, the bursts of at
// least a.n failures within a.window (a.denials of them MFA denials)
// that a success follows (as bruteforce's doc comment says), by first
// failure, then user. The successes are those of its input and those
// the store holds (Successes) from a burst's first failure until
// a.window after its last.
func AccountBursts(ctx context.Context, env *plugins.Env, rd *Reader, in iter.Seq[[]result.Value], a *BurstArgs) ([]Burst, error) {
	type byUser struct{ Fails, wins []Event }
	users := map[string]*byUser{}
	for row := range in {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ev, kind := rd.Read(row)
		if kind == Other || ev.User == "" {
			continue
		}
		u := users[ev.User]
		if u == nil {
			u = &byUser{}
			users[ev.User] = u
		}
		if kind == Failure {
			u.Fails = append(u.Fails, ev)
		} else {
			u.wins = append(u.wins, ev)
		}
	}
	// The bursts, from the failures.
	type cand struct {
		User  string
		Fails []Event
	}
	var cands []cand
	var spans []Span
	for user, u := range users {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(u.Fails) < a.N {
			continue
		}
		fails := u.Fails
		SortEvents(fails)
		inWindow, denied := 0, 0
		bursts := Bursts(len(fails), func(i int) int64 { return fails[i].At }, a.Window,
			func(i int) {
				inWindow++
				if fails[i].Code == MFADenied {
					denied++
				}
			},
			func(i int) {
				inWindow--
				if fails[i].Code == MFADenied {
					denied--
				}
			},
			func() bool { return inWindow >= a.N && denied >= a.Denials })
		for _, s := range bursts {
			c := cand{User: user, Fails: fails[s[0] : s[1]+1]}
			cands = append(cands, c)
			last := c.Fails[len(c.Fails)-1].At
			spans = append(spans, Span{Key: user, From: last, To: AddSat(last, a.Window)}) // after the burst
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
		SortEvents(u.wins)
	}
	var found []Span // the users and times of the successes to list
	after := make([]bool, len(cands))
	err := SpanAggregates(ctx, env, "user", spans, a.Codes, []*ast.Head{ast.NewHead(ast.Fn("min", ast.Field("time")), "t")}, []Col{{"t", signin.KindTime}},
		func(k int, row []result.Value, idx []int) {
			if t, ok := Time(row, idx[0]); ok {
				after[k] = true
				found = append(found, Span{Key: cands[k].User, From: t, To: t})
			}
		})
	if err != nil {
		return nil, err
	}
	var during []Span // the bursts with no success after them, as a span each
	var duringOf []int
	for k, c := range cands {
		wins, burst := users[c.User].wins, c.Fails
		first, last := burst[0].At, burst[len(burst)-1].At
		if after[k] {
			continue
		}
		if i, _ := slices.BinarySearchFunc(wins, last, func(e Event, t int64) int { return cmp.Compare(e.At, t) }); i < len(wins) && Within(last, wins[i].At, a.Window) {
			continue
		}
		// A success after the first failure and before the last, that at
		// least a.n failures precede.
		if last > first {
			if from := max(first+1, burst[a.N-1].At); from <= last-1 {
				during = append(during, Span{Key: c.User, From: from, To: last - 1})
				duringOf = append(duringOf, k)
			}
		}
	}
	err = SpanAggregates(ctx, env, "user", during, a.Codes, []*ast.Head{ast.NewHead(ast.Fn("max", ast.Field("time")), "t")}, []Col{{"t", signin.KindTime}},
		func(k int, row []result.Value, idx []int) {
			if t, ok := Time(row, idx[0]); ok {
				found = append(found, Span{Key: cands[duringOf[k]].User, From: t, To: t})
			}
		})
	if err != nil {
		return nil, err
	}
	for _, batch := range TimeBatches(len(found), func(j int) Span { return found[j] }) {
		bs := make([]Span, len(batch))
		for j, b := range batch {
			bs[j] = found[b]
		}
		err = Successes(ctx, env, "user", bs, a.Codes, func(ev Event) {
			if u := users[ev.User]; u != nil {
				u.wins = append(u.wins, ev)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	for _, u := range users {
		SortEvents(u.wins)
	}
	var out []Burst
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wins, burst := users[c.User].wins, c.Fails
		first, last := burst[0].At, burst[len(burst)-1].At
		// The first success at or after the last failure, within the
		// window.
		i, _ := slices.BinarySearchFunc(wins, last, func(e Event, t int64) int { return cmp.Compare(e.At, t) })
		if i < len(wins) && Within(last, wins[i].At, a.Window) {
			out = append(out, Burst{User: c.User, Fails: burst, Success: wins[i]})
			continue
		}
		// Else the last success during the burst that at least a.n of
		// its failures precede.
		for j := i - 1; j >= 0 && wins[j].At > first; j-- {
			before, _ := slices.BinarySearchFunc(burst, wins[j].At+1, func(e Event, t int64) int { return cmp.Compare(e.At, t) })
			if before >= a.N {
				out = append(out, Burst{User: c.User, Fails: burst, Success: wins[j]})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b Burst) int {
		return cmp.Or(cmp.Compare(a.Fails[0].At, b.Fails[0].At), strings.Compare(a.User, b.User))
	})
	return out, nil
}

// MFADenied is the error of a multi-factor prompt the user declined.
const MFADenied = 500121
