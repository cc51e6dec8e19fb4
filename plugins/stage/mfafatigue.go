package stage

import (
	"context"
	"iter"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/events"
	"github.com/signinq/signinq/result"
)

// mfafatigue finds MFA fatigue (push bombing): an account whose
// multi-factor prompts are denied or left unanswered again and again
// within a short time, until one is approved.
//
// It searches as bruteforce does (see its doc comment), with the MFA
// codes as failures: per user, windows holding at least prompts of them,
// at least denials of which are denials (500121), merged when they
// share one, make a burst, reported when a success follows it. The
// denials are the signal: the interrupts (50074, 50076) are the prompts
// that any sign-in needing MFA starts with, so that a busy person who
// signs in to many apps gathers them by the dozen, while a person
// declines a stray push once or twice, and rarely more within an hour.
// Each such burst is a row:
//
//	user         the account
//	prompts      the burst's sign-ins with one of the codes
//	denied       those denied by the user (500121)
//	first, last  its first and last such sign-in
//	success      the success that followed
//	successIp    the address the success came from
//	ips          the addresses of the prompts and of the success
//
// Rows come in order of first prompt, then user.
//
// Its zero value is the stage; Bind returns a *mfafatigue holding the
// arguments, which runs.
type mfafatigue struct {
	events.BurstArgs
	in events.Reader
}

var (
	_ plugins.Stage  = mfafatigue{}
	_ plugins.Needer = mfafatigue{}
	_ plugins.Runner = (*mfafatigue)(nil)
)

func (mfafatigue) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "mfafatigue", Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "prompts", Type: plugins.ArgInt, Default: "5", Min: "1",
				Help: "the denied or interrupted MFA sign-ins an account must have within the window; 5, as many as denials: the denials are the signal, since a busy person's MFA interrupts (50074, 50076) may pass a dozen an hour"},
			{Name: "window", Type: plugins.ArgDuration, Default: "1h",
				Help: "the time the prompts must fall within, and how long after the last one an approval still counts; 1h: Microsoft Sentinel's rule looks at 5 minutes, which misses push bombing paced over the hour to look like a person's sign-ins"},
			{Name: "codes", Type: plugins.ArgCodes, Default: "500121, 50074, 50076",
				Help: "the error codes that count as prompts: 500121 MFA denied (declined or not answered, the code Sentinel's MFA rules read), 50074 and 50076 strong authentication required (a prompt that was not completed)"},
			{Name: "denials", Type: plugins.ArgInt, Default: "5", Min: "0",
				Help: "how many of the prompts within the window must be denials (500121); 5: Microsoft Sentinel's analytic rule Explicit MFA Deny (Azure/Azure-Sentinel, Solutions/Microsoft Entra ID/Analytic Rules/ExplicitMFADeny.yaml) alerts on one declined push, and Entra's MFA fraud alert blocks an account on one report, while its rule MFA Spamming followed by Successful login (MFASpammingfollowedbySuccessfullogin.yaml) wants more than 10 within 5 minutes; a person declines a stray push once or twice, or leaves two or three unanswered, so 5 within the hour, then an approval, is push bombing; 0 counts the prompts alone"},
		},
		Help:    "accounts whose MFA prompts were denied (and interrupted) many times within a window, then approved (MFA fatigue)",
		Example: "list since 7d | mfafatigue prompts=10",
		Output:  []string{"user", "prompts", "denied", "first", "last", "success", "successIp", "ips"},
	}
}

// read returns the stage bound to its arguments.
func (mfafatigue) read(args *plugins.Args) *mfafatigue {
	r := &mfafatigue{BurstArgs: *events.BurstRead(args, "prompts")}
	r.Denials = int(args.Int("denials"))
	return r
}

func (r mfafatigue) Needs(args *plugins.Args) (plugins.Needs, error) {
	b := r.read(args)
	return events.Needs(b.Codes), nil
}

func (r mfafatigue) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	b := r.read(args)
	var err error
	if b.in, err = events.NewReader(in, b.Codes); err != nil {
		return nil, err
	}
	return b, nil
}

func (r *mfafatigue) Columns() []result.Column {
	return []result.Column{
		{Name: "user", Kind: signin.KindString, Field: "user"},
		{Name: "prompts", Kind: signin.KindInt},
		{Name: "denied", Kind: signin.KindInt},
		{Name: "first", Kind: signin.KindTime},
		{Name: "last", Kind: signin.KindTime},
		{Name: "success", Kind: signin.KindTime},
		{Name: "successIp", Kind: signin.KindString, Field: "ip"},
		{Name: "ips", Kind: signin.KindList},
	}
}

func (r *mfafatigue) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	hits, err := events.AccountBursts(ctx, env, &r.in, in, &r.BurstArgs)
	if err != nil {
		return err
	}
	for _, h := range hits {
		denied := 0
		for _, f := range h.Fails {
			if f.Code == events.MFADenied {
				denied++
			}
		}
		row := []result.Value{result.StringValue(h.User), result.IntValue(int64(len(h.Fails))), result.IntValue(int64(denied)),
			events.TimeValue(h.Fails[0].At), events.TimeValue(h.Fails[len(h.Fails)-1].At),
			events.TimeValue(h.Success.At), result.StringValue(h.Success.IP), result.ListValue(h.IPs())}
		if err := emit(row); err != nil {
			return err
		}
	}
	return ctx.Err()
}
