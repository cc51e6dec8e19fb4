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
	"github.com/signinq/signinq/result"
)

// grouped is the Entra admin center's grouped view of non-interactive,
// service principal and managed identity sign-ins, as Microsoft Graph's
// beta summarizedSignIn gives it (getSummarizedNonInteractiveSignIns,
// getSummarizedServicePrincipalSignIns, getSummarizedMSISignIns).
//
// Sign-ins are merged within each time window, windows being aligned to
// the Unix epoch in UTC (a 1h window starts on the hour, a 24h one at
// midnight UTC), when they match on the keys of their type:
//
//	nonInteractive    app, user, ip, status, resourceId
//	servicePrincipal  the service principal (spId, else sp), status, ip,
//	                  the resource (resourceId, else resource)
//	managedIdentity   the identity (spId, else sp), status, the resource
//	                  (resourceId, else resource)
//
// Interactive sign-ins, and sign-ins of any other or no type, are never
// merged: each is a row of its own. Sign-ins without a time are left out.
//
// Each row is one group. Its columns and their summarizedSignIn
// properties are:
//
//	aggregationDateTime  aggregationDateTime: the window's start
//	type                 the sign-ins' type (the Graph function called)
//	app, appId           appDisplayName, appId
//	user                 userPrincipalName
//	sp, spId             servicePrincipalName, servicePrincipalId (for
//	                     managed identities, the identity's name and id)
//	ip                   ipAddress
//	status               status (as signinq's success, failure or
//	                     interrupted rather than an errorCode)
//	resource, resourceId resourceDisplayName, resourceId
//	firstSignInDateTime  firstSignInDateTime: the group's first sign-in
//	lastSignInDateTime   (not in Graph) the group's last sign-in
//	signInCount          signInCount: the sign-ins merged, each counting
//	                     as its signInCount (1, or more for a row read
//	                     from a summarizedSignIn), so that grouping
//	                     summarized rows again adds them up
//
// A column that is not a key of the row's type holds the value its
// sign-ins share, and is empty when they differ (a managed identity's
// ip, say). Rows come in order of window, then type, then the columns
// from app to resourceId, then first and last sign-in, then count.
//
// Its zero value is the stage; Bind returns a *grouped holding the
// window and the input's columns, which runs.
type grouped struct {
	window    time.Duration
	time, typ int
	cols      [numCols]int
	count     int // -1 without a signInCount column
}

var (
	_ plugins.Stage  = grouped{}
	_ plugins.Needer = grouped{}
	_ plugins.Runner = (*grouped)(nil)
)

// summaryColumns are the string columns grouped reads and emits, in
// order.
var summaryColumns = []string{"app", "appId", "user", "sp", "spId", "ip", "status", "resource", "resourceId"}

// The indexes of the key columns in summaryColumns.
const (
	colApp = iota
	colAppID
	colUser
	colSP
	colSPID
	colIP
	colStatus
	colResource
	colResourceID
	numCols
)

func (grouped) Describe() plugins.Descriptor {
	out := []string{"aggregationDateTime", "type"}
	out = append(out, summaryColumns...)
	out = append(out, "firstSignInDateTime", "lastSignInDateTime", "signInCount")
	return plugins.Descriptor{Name: "grouped", Kind: plugins.KindStage,
		Args: []plugins.Arg{{Name: "window", Type: plugins.ArgDuration, Default: "1h", Words: []string{"h1", "h6", "d1"},
			Help: "the time aggregate: the admin center offers 1h, 6h and 24h (Graph's h1, h6 and d1, also accepted); any duration works, windows aligned to the Unix epoch in UTC"}},
		Help:    "merges non-interactive, service principal and managed identity sign-ins per time window as the admin center's grouped view and Graph's summarizedSignIn do; interactive and AD FS ones stay one row each",
		Example: "list where type=nonInteractive since 24h | grouped 1h",
		Output:  out,
	}
}

func (grouped) Needs(*plugins.Args) (plugins.Needs, error) {
	f := append([]string{"time", "type"}, summaryColumns...)
	return plugins.Needs{Fields: append(f, "signInCount"), Stream: true}, nil
}

// readWindow reads the window argument: a duration, or Graph's
// aggregationWindow (h1, h6, d1).
func (grouped) readWindow(args *plugins.Args) time.Duration {
	switch args.Word("window") {
	case "h1":
		return time.Hour
	case "h6":
		return 6 * time.Hour
	case "d1":
		return 24 * time.Hour
	}
	return args.Duration("window")
}

func (r grouped) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	w := r.readWindow(args)
	want := []events.Col{{Name: "time", Kind: signin.KindTime}, {Name: "type", Kind: signin.KindString}}
	for _, c := range summaryColumns {
		want = append(want, events.Col{Name: c, Kind: signin.KindString})
	}
	want = append(want, events.Col{Name: "signInCount", Kind: signin.KindInt})
	idx, err := events.Columns(in, want, "signInCount")
	if err != nil {
		return nil, err
	}
	b := &grouped{window: w, time: idx[0], typ: idx[1], count: idx[len(idx)-1]}
	copy(b.cols[:], idx[2:2+numCols])
	return b, nil
}

func (r *grouped) Columns() []result.Column {
	out := []result.Column{{Name: "aggregationDateTime", Kind: signin.KindTime}, {Name: "type", Kind: signin.KindString, Field: "type"}}
	for _, c := range summaryColumns {
		out = append(out, result.Column{Name: c, Kind: signin.KindString, Field: c})
	}
	return append(out,
		result.Column{Name: "firstSignInDateTime", Kind: signin.KindTime},
		result.Column{Name: "lastSignInDateTime", Kind: signin.KindTime},
		result.Column{Name: "signInCount", Kind: signin.KindInt})
}

// groupKey identifies a group: its window, its type and its keys; seq
// tells apart the sign-ins that are never merged.
type groupKey struct {
	window int64
	typ    string
	keys   [5]string
	seq    int
}

// group is a group being gathered.
type group struct {
	window      int64
	typ         string
	vals        [numCols]string
	differ      [numCols]bool // the sign-ins disagree on the column
	first, last int64
	n           int64
	seq         int
}

// keysOf returns the keys of a sign-in of type typ, and whether its
// type merges at all. The keys are told apart by a prefix where one
// stands for either of two columns (an id, else a name).
func keysOf(typ string, v *[numCols]string) ([5]string, bool) {
	either := func(id, name int) string {
		if v[id] != "" {
			return "i" + v[id]
		}
		return "n" + v[name]
	}
	switch {
	case strings.EqualFold(typ, signin.TypeNonInteractive.String()):
		return [5]string{v[colApp], v[colUser], v[colIP], v[colStatus], v[colResourceID]}, true
	case strings.EqualFold(typ, signin.TypeServicePrincipal.String()):
		return [5]string{either(colSPID, colSP), v[colIP], v[colStatus], either(colResourceID, colResource)}, true
	case strings.EqualFold(typ, signin.TypeManagedIdentity.String()):
		return [5]string{either(colSPID, colSP), v[colStatus], either(colResourceID, colResource)}, true
	}
	return [5]string{}, false
}

func (r *grouped) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	groups := map[groupKey]*group{}
	var all []*group
	seq := 0
	for row := range in {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, ok := events.Time(row, r.time)
		if !ok {
			continue
		}
		n := int64(1)
		if c, ok := events.Int(row, r.count); ok && c > 1 {
			n = c
		}
		var vals [numCols]string
		for i, c := range r.cols {
			vals[i] = events.Str(row, c)
		}
		typ := events.Str(row, r.typ)
		k := groupKey{window: events.WindowStart(t, r.window), typ: typ}
		var merges bool
		if k.keys, merges = keysOf(typ, &vals); !merges {
			k.seq = seq + 1
		}
		seq++
		g := groups[k]
		if g == nil {
			g = &group{window: k.window, typ: typ, vals: vals, first: t, last: t, seq: seq}
			groups[k] = g
			all = append(all, g)
		} else {
			for i, v := range vals {
				switch {
				case v == "" || v == g.vals[i]:
				case g.vals[i] == "" && !g.differ[i]:
					g.vals[i] = v
				default:
					g.vals[i], g.differ[i] = "", true
				}
			}
			g.first, g.last = min(g.first, t), max(g.last, t)
		}
		g.n += n
	}
	slices.SortFunc(all, func(a, b *group) int {
		if c := cmp.Compare(a.window, b.window); c != 0 {
			return c
		}
		if c := strings.Compare(a.typ, b.typ); c != 0 {
			return c
		}
		if c := slices.Compare(a.vals[:], b.vals[:]); c != 0 {
			return c
		}
		if c := cmp.Compare(a.first, b.first); c != 0 {
			return c
		}
		if c := cmp.Compare(a.last, b.last); c != 0 {
			return c
		}
		// Rows alike in every column but the count (sign-ins of a type
		// that never merges, at one time) come in order of count, not of
		// arrival; rows alike in every column are the same row.
		if c := cmp.Compare(a.n, b.n); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	for _, g := range all {
		row := make([]result.Value, 0, numCols+5)
		row = append(row, events.TimeValue(g.window), result.StringValue(g.typ))
		for _, v := range g.vals {
			row = append(row, result.StringValue(v))
		}
		row = append(row, events.TimeValue(g.first), events.TimeValue(g.last), result.IntValue(g.n))
		if err := emit(row); err != nil {
			return err
		}
	}
	return ctx.Err()
}
