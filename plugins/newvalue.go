package plugins

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

func init() { Register(newvalue{}) }

// newvalue finds first-seen values: the values of a field (country, asn,
// app, os...) a key (user, sp, app) had in the query's time window but
// never in the baseline period just before it, [from - baseline, from).
//
// Arguments, positional in this order or named:
//
//	field     the field whose new values it reports (required)
//	by        the key: user by default; any string or integer field
//	baseline  how far back before the window's start the key's history
//	          goes: 30d by default
//	status    the sign-ins it compares, in the window and the baseline
//	          alike: success (the default), failure, interrupted or all
//	newkeys   false by default: a key with no sign-in at all in the
//	          baseline (a new user, an account not used for a month) is
//	          left out, since every value of it is new and says nothing;
//	          true reports its values too
//
// so "list since 7d | newvalue country" reports the users who signed in
// from a country in the last 7 days they had not signed in from in the 30
// days before, and "list since 1d | newvalue asn sp 14d" new networks of
// service principals. (The query language lexes "by" as a keyword, so
// the key is given by position until a stage argument may be named by.)
//
// The query needs a start ("since" or "between"): the baseline is the
// period before it. The window's sign-ins are the rows it receives,
// those the query selects; the baseline is every sign-in of the key in
// the baseline period (of the status asked for), whatever the query's
// condition: the condition says what to check, the baseline is the key's
// history. The baseline is read from the snapshot by dictionary id, a
// part at a time, never row by row.
//
// Values are compared without regard to case, and a list field's values
// are its elements. Sign-ins without a key or a value are left out.
//
// Each row is a key and a new value of it: the key, the value (as first
// spelled in the window), the first time it was seen in the window, the
// number of the window's sign-ins with it, and their distinct IP
// addresses and apps, sorted. Rows are ordered by first time, then key
// and value.
type newvalue struct{}

var _ Needer = newvalue{}

func (newvalue) Describe() Descriptor {
	return Descriptor{Name: "newvalue", Kind: KindStage,
		Args: []Arg{
			{Name: "field", Type: ArgField, Help: "the field whose first-seen values it reports: country, asn, app, os, ip..."},
			{Name: "by", Type: ArgField, Default: "user", Help: "the key whose history is compared: user, sp, app..."},
			{Name: "baseline", Type: ArgDuration, Default: "30d", Help: "the history before the query's start"},
			{Name: "status", Type: ArgString, Default: "success", Help: "the sign-ins compared: success, failure, interrupted or all"},
			{Name: "newkeys", Type: ArgString, Default: "false", Help: "also report keys with no sign-in in the baseline"},
		},
		Help:    "values of a field a key had in the query's window but not in the baseline before it",
		Example: "list since 7d | newvalue country user 30d",
		Output:  []string{"user", "FIELD", "first", "count", "ips", "apps"},
	}
}

// nvArgs are newvalue's arguments, checked.
type nvArgs struct {
	field, key *engine.Column
	baseline   time.Duration
	status     string
	newKeys    bool
}

func nvParse(args map[string]string) (*nvArgs, error) {
	var a nvArgs
	var err error
	if a.field, err = detDictField("field", args["field"], true); err != nil {
		return nil, err
	}
	if a.key, err = detDictField("by", args["by"], false); err != nil {
		return nil, err
	}
	if a.key == a.field {
		return nil, fmt.Errorf("the field and the key are both %s", a.key.Field.Name)
	}
	if a.baseline, err = detDuration(args["baseline"]); err != nil {
		return nil, fmt.Errorf("baseline: %v", err)
	}
	if a.status, err = detStatus(args["status"]); err != nil {
		return nil, err
	}
	if a.newKeys, err = detBool("newkeys", args["newkeys"]); err != nil {
		return nil, err
	}
	return &a, nil
}

// Needs reads the time, the key and the field, and the addresses and
// apps for context, of the sign-ins of the status asked for.
func (newvalue) Needs(args map[string]string) (Needs, error) {
	a, err := nvParse(args)
	if err != nil {
		return Needs{}, err
	}
	var fields []string
	for _, f := range []string{"time", a.key.Field.Name, a.field.Field.Name, "ip", "app", "status"} {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	return Needs{Fields: fields, Where: detStatusWhere(a.status), Stream: true}, nil
}

func (newvalue) Bind(args map[string]string, in []engine.ResultColumn) (Runner, error) {
	a, err := nvParse(args)
	if err != nil {
		return nil, err
	}
	r := &nvRunner{args: a, time: detColumn(in, "time"), key: detColumn(in, a.key.Field.Name),
		field: detColumn(in, a.field.Field.Name), ip: detColumn(in, "ip"), app: detColumn(in, "app"), status: detColumn(in, "status")}
	for _, c := range []struct {
		i    int
		name string
	}{{r.time, "time"}, {r.key, a.key.Field.Name}, {r.field, a.field.Field.Name}} {
		if c.i < 0 {
			return nil, fmt.Errorf("needs a %s column: put it right after a list without fields, or list %s", c.name, c.name)
		}
	}
	if in[r.time].Kind != signin.KindTime {
		return nil, fmt.Errorf("its time column holds %s values, not times", in[r.time].Kind)
	}
	keyCol, fieldCol := in[r.key], in[r.field]
	if fieldCol.Kind == signin.KindList {
		fieldCol = engine.ResultColumn{Name: fieldCol.Name, Kind: signin.KindString}
	}
	r.cols = []engine.ResultColumn{keyCol, fieldCol,
		{Name: "first", Kind: signin.KindTime}, {Name: "count", Kind: signin.KindInt},
		{Name: "ips", Kind: signin.KindList}, {Name: "apps", Kind: signin.KindList}}
	return r, nil
}

type nvRunner struct {
	args                              *nvArgs
	time, key, field, ip, app, status int // input columns; -1 when absent
	cols                              []engine.ResultColumn
}

func (r *nvRunner) Columns() []engine.ResultColumn { return r.cols }

// nvSeen is what the window holds of one key and value.
type nvSeen struct {
	key, value engine.Value // as first spelled
	keyIdx     int32
	first      int64
	count      int64
	ips, apps  map[string]bool
}

func (r *nvRunner) Run(ctx context.Context, env *Env, in iter.Seq[[]engine.Value], emit func([]engine.Value) error) error {
	if env == nil || env.Snapshot == nil {
		return errors.New("needs the store to read the baseline from")
	}
	if env.From == math.MinInt64 {
		return errors.New("needs a time window: add since or between to the query (the baseline is the period before its start)")
	}
	keys := map[string]int32{}
	seen := map[[2]string]*nvSeen{}
	n := 0
	for row := range in {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if r.args.status != "" && r.status >= 0 && detFold(detText(row[r.status])) != r.args.status {
			continue
		}
		tv, kv := row[r.time], row[r.key]
		if tv.IsNull() || tv.Kind() != signin.KindTime {
			continue
		}
		key := detFold(detText(kv))
		if key == "" || kv.Kind() == signin.KindList {
			continue
		}
		t := tv.Time().UnixNano()
		add := func(v engine.Value) {
			val := detFold(detText(v))
			if val == "" {
				return
			}
			s := seen[[2]string{key, val}]
			if s == nil {
				k, ok := keys[key]
				if !ok {
					k = int32(len(keys))
					keys[key] = k
				}
				s = &nvSeen{key: kv, value: v, keyIdx: k, first: t, ips: map[string]bool{}, apps: map[string]bool{}}
				seen[[2]string{key, val}] = s
			}
			s.count++
			if t < s.first {
				s.first, s.key, s.value = t, kv, v
			}
			for _, c := range []struct {
				i   int
				set map[string]bool
			}{{r.ip, s.ips}, {r.app, s.apps}} {
				if c.i >= 0 {
					if x := detText(row[c.i]); x != "" {
						c.set[x] = true
					}
				}
			}
		}
		fv := row[r.field]
		if fv.Kind() == signin.KindList {
			for _, e := range fv.List() {
				add(engine.StringValue(e))
			}
		} else {
			add(fv)
		}
	}
	if len(seen) == 0 {
		return nil
	}
	scan := &baselineScan{key: r.args.key, field: r.args.field, status: r.args.status,
		from: nvSub(env.From, r.args.baseline), to: env.From, keys: keys}
	base, err := scan.run(ctx, env.Snapshot)
	if err != nil {
		return err
	}
	var out []*nvSeen
	for kv, s := range seen {
		if base.seen[s.keyIdx][kv[1]] || !base.present[s.keyIdx] && !r.args.newKeys {
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *nvSeen) int {
		if c := cmp.Compare(a.first, b.first); c != 0 {
			return c
		}
		if c := strings.Compare(detText(a.key), detText(b.key)); c != 0 {
			return c
		}
		return strings.Compare(detText(a.value), detText(b.value))
	})
	for _, s := range out {
		row := []engine.Value{s.key, s.value, engine.TimeValue(time.Unix(0, s.first)), engine.IntValue(s.count),
			engine.ListValue(nvSorted(s.ips)), engine.ListValue(nvSorted(s.apps))}
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// nvSub returns t - d, or the earliest time when that would overflow.
func nvSub(t int64, d time.Duration) int64 {
	if t < math.MinInt64+int64(d) {
		return math.MinInt64
	}
	return t - int64(d)
}

func nvSorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
