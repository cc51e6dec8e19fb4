package stage

import (
	"context"
	"iter"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/events"
	"github.com/signinq/signinq/result"
)

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
// (events.AccountBursts).
//
// Its zero value is the stage; Bind returns a *bruteforce holding the
// arguments, which runs.
type bruteforce struct {
	events.BurstArgs
	in events.Reader
}

var (
	_ plugins.Stage  = bruteforce{}
	_ plugins.Needer = bruteforce{}
	_ plugins.Runner = (*bruteforce)(nil)
)

func (bruteforce) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "bruteforce", Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "failures", Type: plugins.ArgInt, Default: "10", Min: "1",
				Help: "the failures an account must have within the window; 10: Microsoft Sentinel's analytic rule Brute force attack against Azure Portal (Azure/Azure-Sentinel, Solutions/Microsoft Entra ID/Analytic Rules/SigninBruteForce-AzurePortal.yaml) reports 10 failures followed by a success, and Entra smart lockout locks an account after 10 failures by default (then fails each attempt while it is locked with 50053), so that an attacker rarely gets 20 wrong passwords in a row; a person who mistypes a password stops after a few tries"},
			{Name: "window", Type: plugins.ArgDuration, Default: "1h",
				Help: "the time the failures must fall within, and how long after the last one a success still counts; 1h: Sentinel's rule keeps a session going while attempts come less than 20 minutes apart, so that its 10 failures may be spread over an hour or more, and smart lockout's lockouts (60 seconds at first, longer after each failure) spread an attack out"},
			{Name: "codes", Type: plugins.ArgCodes, Default: "50126, 50053, 50055",
				Help: "the error codes that count as failures: 50126 wrong password, 50053 account locked (smart lockout), 50055 password expired (the password was right), the failures of Sentinel's password spray rule"},
		},
		Help:    "accounts with many failed sign-ins within a window followed by a success (password brute force)",
		Example: "list since 7d | bruteforce failures=30 window=30m",
		Output:  []string{"user", "failures", "first", "last", "success", "successIp", "ips"},
	}
}

// read returns the stage bound to its arguments.
func (bruteforce) read(args *plugins.Args) *bruteforce {
	return &bruteforce{BurstArgs: *events.BurstRead(args, "failures")}
}

func (r bruteforce) Needs(args *plugins.Args) (plugins.Needs, error) {
	b := r.read(args)
	return events.Needs(b.Codes), nil
}

func (r bruteforce) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	b := r.read(args)
	var err error
	if b.in, err = events.NewReader(in, b.Codes); err != nil {
		return nil, err
	}
	return b, nil
}

func (r *bruteforce) Columns() []result.Column {
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

func (r *bruteforce) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	hits, err := events.AccountBursts(ctx, env, &r.in, in, &r.BurstArgs)
	if err != nil {
		return err
	}
	for _, h := range hits {
		row := []result.Value{result.StringValue(h.User), result.IntValue(int64(len(h.Fails))),
			events.TimeValue(h.Fails[0].At), events.TimeValue(h.Fails[len(h.Fails)-1].At),
			events.TimeValue(h.Success.At), result.StringValue(h.Success.IP), result.ListValue(h.IPs())}
		if err := emit(row); err != nil {
			return err
		}
	}
	return ctx.Err()
}
