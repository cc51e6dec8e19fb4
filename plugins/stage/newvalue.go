package stage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/baseline"
	"github.com/signinq/signinq/plugins/stage/internal/events"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// newvalue finds first-seen values: the values of a field (country, asn,
// app, os...) a key (user, sp, app) had in the query's time window but
// never in the baseline period just before it, [from - baseline, from).
//
// Arguments, positional in this order or named:
//
//	field     the field whose new values it reports (required)
//	by        the key: user by default; any string or integer field
//	baseline  how far back before the window's start the key's history
//	          goes: 30d by default, the past month Microsoft Defender for
//	          Cloud Apps compares activity with
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
// history. The baseline is read first, for every key, from the snapshot
// by dictionary id, a part at a time, never row by row; then a row whose
// key had its value in the baseline costs a lookup, and only the rows of
// new values gather anything.
//
// Right after a list without fields the stage reads only the time, the
// key and the field of the sign-ins; the addresses and apps of the
// sign-ins with a new value (when its rows lack them) are read from the
// store afterwards, in one list of the window's sign-ins of those keys
// and values, of which it keeps those at a time one of its rows of that
// key and value had: its rows' sign-ins, found by key, value and time.
// There, when the list streams its sign-ins (plugins.Env.Selected), the
// stage reads them from the parts rather than as rows: a part per
// goroutine, by dictionary id, each key's and value's text folded and
// looked up in the baseline once per part; it finds what the rows would
// give.
//
// Values are compared without regard to case, and a list field's values
// are its elements. Sign-ins without a key or a value are left out.
//
// Each row is a key and a new value of it: the key, the value (as first
// spelled in the window), the first time it was seen in the window, the
// number of the window's sign-ins with it, and their distinct IP
// addresses and apps, sorted. Rows are ordered by first time, then key
// and value.
//
// Its zero value is the stage; Bind returns a *newvalue holding the
// arguments and the input's columns, which runs.
type newvalue struct {
	field, key *engine.Column // the field and the key, checked
	baseline   time.Duration
	status     string
	newKeys    bool
	col        struct{ time, key, field, ip, app, status int } // input columns; -1 when absent
	cols       []result.Column
	// byPart: the rows are the catalog's time, key and field and no
	// more, as Needs asks, so that the stage may read them from the
	// parts (plugins.Env.Selected) when the list streams them. (The ip
	// and app columns are then the key or the field, or absent.)
	byPart bool
}

var (
	_ plugins.Needer = newvalue{}
	_ plugins.Runner = (*newvalue)(nil)
)

func (newvalue) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "newvalue", Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "field", Type: plugins.ArgField, Help: "the field whose first-seen values it reports: country, asn, app, os, ip..."},
			{Name: "by", Type: plugins.ArgField, Default: "user", Help: "the key whose history is compared: user, sp, app..."},
			{Name: "baseline", Type: plugins.ArgDuration, Default: "30d",
				Help: "the history before the query's start; 30d: Microsoft Defender for Cloud Apps compares activity with the past month, and Microsoft Sentinel's analytic rule Authentication Attempt from New Country looks back 14 days"},
			{Name: "status", Type: plugins.ArgString, Default: "success", Words: baseline.Statuses, Help: "the sign-ins compared: success, failure, interrupted or all"},
			{Name: "newkeys", Type: plugins.ArgBool, Default: "false", Help: "also report keys with no sign-in in the baseline"},
		},
		Help:    "values of a field a key had in the query's window but not in the baseline before it",
		Example: "list since 7d | newvalue country by user baseline 30d",
		Output:  []string{"KEY (user)", "FIELD", "first", "count", "ips", "apps"},
	}
}

// read returns the stage bound to its arguments, checked.
func (newvalue) read(args *plugins.Args) (*newvalue, error) {
	b := newvalue{baseline: args.Duration("baseline"), status: baseline.Status(args), newKeys: args.Bool("newkeys")}
	var err error
	if b.field, err = baseline.DictField(args, "field", true); err != nil {
		return nil, err
	}
	if b.key, err = baseline.DictField(args, "by", false); err != nil {
		return nil, err
	}
	if b.key == b.field {
		return nil, args.Error("by", "is the field too: compare the field's values by another key")
	}
	return &b, nil
}

// Needs reads the time, the key and the field of the sign-ins of the
// status asked for: the addresses and apps of the few sign-ins with a
// new value are read afterwards (see Run).
func (r newvalue) Needs(args *plugins.Args) (plugins.Needs, error) {
	b, err := r.read(args)
	if err != nil {
		return plugins.Needs{}, err
	}
	var fields []string
	for _, f := range []string{"time", b.key.Field.Name, b.field.Field.Name} {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	return plugins.Needs{Fields: fields, Where: baseline.StatusWhere(b.status), Stream: true}, nil
}

func (r newvalue) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	b, err := r.read(args)
	if err != nil {
		return nil, err
	}
	b.col.time, b.col.key, b.col.field = baseline.Column(in, "time"), baseline.Column(in, b.key.Field.Name), baseline.Column(in, b.field.Field.Name)
	b.col.ip, b.col.app, b.col.status = baseline.Column(in, "ip"), baseline.Column(in, "app"), baseline.Column(in, "status")
	for _, c := range []struct {
		i    int
		name string
	}{{b.col.time, "time"}, {b.col.key, b.key.Field.Name}, {b.col.field, b.field.Field.Name}} {
		if c.i < 0 {
			return nil, fmt.Errorf("needs a %s column: put it right after a list without fields, or list %s", c.name, c.name)
		}
	}
	if in[b.col.time].Kind != signin.KindTime {
		return nil, fmt.Errorf("its time column holds %s values, not times", in[b.col.time].Kind)
	}
	b.byPart = len(in) == len(slices.Compact([]string{"time", b.key.Field.Name, b.field.Field.Name})) &&
		b.col.status < 0 &&
		strings.EqualFold(in[b.col.time].Field, "time") && strings.EqualFold(in[b.col.key].Field, b.key.Field.Name) &&
		strings.EqualFold(in[b.col.field].Field, b.field.Field.Name)
	keyCol, fieldCol := in[b.col.key], in[b.col.field]
	if fieldCol.Kind == signin.KindList {
		fieldCol = result.Column{Name: fieldCol.Name, Kind: signin.KindString}
	}
	b.cols = []result.Column{keyCol, fieldCol,
		{Name: "first", Kind: signin.KindTime}, {Name: "count", Kind: signin.KindInt},
		{Name: "ips", Kind: signin.KindList}, {Name: "apps", Kind: signin.KindList}}
	return b, nil
}

func (r *newvalue) Columns() []result.Column { return r.cols }

// newPair is what the window holds of one key and a value new to it.
type newPair struct {
	key, value result.Value // as first spelled
	first      int64
	count      int64
	ips, apps  map[string]bool
	// times are the times of its sign-ins, when the rows lack addresses
	// or apps (to find those sign-ins in the store).
	times []int64
}

func (r *newvalue) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	if env == nil || env.Snapshot == nil {
		return errors.New("needs the store to read the baseline from")
	}
	if env.From == math.MinInt64 {
		return errors.New("needs a time window: add since or between to the query (the baseline is the period before its start)")
	}
	// The baseline first, for every key: then a row of a known key and
	// value costs a lookup, and only new values gather anything.
	base, err := baseline.Read(ctx, env.Snapshot, r.key, r.field, r.status, subSat(env.From, r.baseline), env.From)
	if err != nil {
		return err
	}
	var seen map[[2]string]*newPair
	if r.byPart && env.Selected != nil {
		if seen, err = r.readParts(ctx, env, base); err != nil {
			return err
		}
	} else if seen, err = r.readRows(ctx, in, base); err != nil {
		return err
	}
	if len(seen) == 0 {
		return nil
	}
	if (r.col.ip < 0 || r.col.app < 0) && env.Query != nil {
		if err := r.details(ctx, env, seen); err != nil {
			return err
		}
	}
	out := make([]*newPair, 0, len(seen))
	for _, s := range seen {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *newPair) int {
		if c := cmp.Compare(a.first, b.first); c != 0 {
			return c
		}
		if c := strings.Compare(baseline.Text(a.key), baseline.Text(b.key)); c != 0 {
			return c
		}
		return strings.Compare(baseline.Text(a.value), baseline.Text(b.value))
	})
	for _, s := range out {
		row := []result.Value{s.key, s.value, result.TimeValue(time.Unix(0, s.first)), result.IntValue(s.count),
			result.ListValue(events.Sorted(s.ips)), result.ListValue(events.Sorted(s.apps))}
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// readRows reads the window's new values from the rows.
func (r *newvalue) readRows(ctx context.Context, in iter.Seq[[]result.Value], base map[string]map[string]struct{}) (map[[2]string]*newPair, error) {
	seen := map[[2]string]*newPair{}
	n := 0
	for row := range in {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if r.status != "" && r.col.status >= 0 && baseline.Fold(baseline.Text(row[r.col.status])) != r.status {
			continue
		}
		tv, kv := row[r.col.time], row[r.col.key]
		if tv.IsNull() || tv.Kind() != signin.KindTime || kv.Kind() == signin.KindList {
			continue
		}
		key := baseline.Fold(baseline.Text(kv))
		if key == "" {
			continue
		}
		known, present := base[key]
		if !present && !r.newKeys {
			continue
		}
		t := tv.Time().UnixNano()
		if fv := row[r.col.field]; fv.Kind() == signin.KindList {
			for _, e := range fv.List() {
				r.add(seen, known, key, kv, result.StringValue(e), t, row)
			}
		} else {
			r.add(seen, known, key, kv, fv, t, row)
		}
	}
	return seen, nil
}

// add counts a row's value v of key (folded; kv as the row spells it)
// unless the key had it in the baseline.
func (r *newvalue) add(seen map[[2]string]*newPair, known map[string]struct{}, key string, kv, v result.Value, t int64, row []result.Value) {
	val := baseline.Fold(baseline.Text(v))
	if val == "" {
		return
	}
	if _, ok := known[val]; ok {
		return
	}
	s := seen[[2]string{key, val}]
	if s == nil {
		s = &newPair{key: kv, value: v, first: t, ips: map[string]bool{}, apps: map[string]bool{}}
		seen[[2]string{key, val}] = s
	}
	s.count++
	if t < s.first {
		s.first, s.key, s.value = t, kv, v
	}
	if r.col.ip >= 0 {
		if x := baseline.Text(row[r.col.ip]); x != "" {
			s.ips[x] = true
		}
	}
	if r.col.app >= 0 {
		if x := baseline.Text(row[r.col.app]); x != "" {
			s.apps[x] = true
		}
	}
	if r.col.ip < 0 || r.col.app < 0 {
		s.times = append(s.times, t)
	}
}

// details reads the addresses and apps the rows lacked from the store:
// one list of the sign-ins in the window of the keys and values found
// new, of the status asked for, of which it keeps those of a new key and
// value at a time one of the rows had (the rows' sign-ins, found by key,
// value and time).
func (r *newvalue) details(ctx context.Context, env *plugins.Env, seen map[[2]string]*newPair) error {
	keyName, fieldName := r.key.Field.Name, r.field.Field.Name
	keys, vals := map[string]*ast.Literal{}, map[string]*ast.Literal{}
	for _, s := range seen {
		if l, ok := baseline.Literal(s.key); ok {
			baseline.Add(keys, l)
		}
		if l, ok := baseline.Literal(s.value); ok {
			baseline.Add(vals, l)
		}
		slices.Sort(s.times)
	}
	var fields []string
	for _, f := range []string{"time", keyName, fieldName, "ip", "app"} {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	q := baseline.Query(ast.ListOf(baseline.Fields(fields...)...), env.From, env.To,
		baseline.In(keyName, keys), baseline.In(fieldName, vals), baseline.StatusWhere(r.status))
	res, err := env.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("reading the new values' addresses and apps: %w", err)
	}
	ti, ki, fi := baseline.Column(res.Columns, "time"), baseline.Column(res.Columns, keyName), baseline.Column(res.Columns, fieldName)
	ipi, appi := baseline.Column(res.Columns, "ip"), baseline.Column(res.Columns, "app")
	if ti < 0 || ki < 0 || fi < 0 || ipi < 0 || appi < 0 {
		return fmt.Errorf("reading the new values' addresses and apps: its query gave columns %v", res.Columns)
	}
	for _, row := range res.Rows {
		tv := row[ti]
		if tv.IsNull() || tv.Kind() != signin.KindTime {
			continue
		}
		t := tv.Time().UnixNano()
		key := baseline.Fold(baseline.Text(row[ki]))
		vs := []string{baseline.Text(row[fi])}
		if row[fi].Kind() == signin.KindList {
			vs = row[fi].List()
		}
		for _, v := range vs {
			s := seen[[2]string{key, baseline.Fold(v)}]
			if s == nil {
				continue
			}
			if _, ok := slices.BinarySearch(s.times, t); !ok {
				continue
			}
			if x := baseline.Text(row[ipi]); r.col.ip < 0 && x != "" {
				s.ips[x] = true
			}
			if x := baseline.Text(row[appi]); r.col.app < 0 && x != "" {
				s.apps[x] = true
			}
		}
	}
	return nil
}

// subSat returns t - d, or the earliest time when that would overflow.
func subSat(t int64, d time.Duration) int64 {
	if t < math.MinInt64+int64(d) {
		return math.MinInt64
	}
	return t - int64(d)
}

// readParts reads the window's new values from the parts the list
// selects (plugins.Env.Selected), a part per goroutine, by dictionary
// id: a key's and a value's text is folded and looked up in the
// baseline once per part, not once per row, and a row costs two ids. It
// finds what readRows finds in the rows the list would stream: a pair's
// first time and spelling are those of its first sign-in in the
// stream's order (the parts in order, each by time).
func (r *newvalue) readParts(ctx context.Context, env *plugins.Env, base map[string]map[string]struct{}) (map[[2]string]*newPair, error) {
	// What a part found of a pair: where its first sign-in is in the
	// stream (part, row), to break ties of time as the stream would.
	type found struct {
		*newPair
		part int
		row  uint32
	}
	var mu sync.Mutex
	seen := map[[2]string]*found{}
	cols := []*engine.Column{engine.LookupColumn("time"), r.key, r.field}
	err := baseline.EachSelected(ctx, env, func(pi int, p *engine.Part, rows *roaring.Bitmap) error {
		var keyDict, valDict *index.Dict
		var err error
		if p.DictLen(r.key) > 0 {
			if keyDict, err = env.Snapshot.Dict(p, r.key); err != nil {
				return err
			}
		}
		if p.DictLen(r.field) > 0 {
			if valDict, err = env.Snapshot.Dict(p, r.field); err != nil {
				return err
			}
		}
		if keyDict == nil || valDict == nil {
			return nil // no key or no value: nothing to count
		}
		// Per dictionary id: the key's folded text and baseline, the
		// value's folded text; read on first use.
		type keyInfo struct {
			done, skip bool
			key        string
			known      map[string]struct{}
			// pairs are the key's values met in the part: a value's id,
			// and its index in locals, or -1 for a value to skip (the
			// key had it in the baseline, or it is none). Most keys have
			// a few, for which a short slice is faster than a map; many
			// go to a map.
			pairs []idIndex
			many  map[uint32]int32
		}
		keys := make([]keyInfo, keyDict.Len())
		vals := make([]*string, valDict.Len())
		valOf := func(id uint32) string {
			if v := vals[id]; v != nil {
				return *v
			}
			v := baseline.Fold(baseline.Text(r.field.DictValue(valDict, id)))
			vals[id] = &v
			return v
		}
		// The new pairs of key and value the part's rows hold.
		type local struct {
			ids   [2]uint32
			first int64
			row   uint32
			count int64
			times []int64
		}
		var locals []local
		err = baseline.EachRow(ctx, env.Snapshot, p, rows, cols, func(vecs []engine.Vector, row uint32) error {
			tv, kv, fv := &vecs[0], &vecs[1], &vecs[2]
			if tv.Absent || kv.Absent || fv.Absent {
				return nil
			}
			i := row & 0xffff
			t := tv.Ints[i]
			if t == signin.NoInt {
				return nil
			}
			kid := kv.IDs[i]
			k := &keys[kid]
			if !k.done {
				k.done = true
				k.key = baseline.Fold(baseline.Text(r.key.DictValue(keyDict, kid)))
				var present bool
				k.known, present = base[k.key]
				k.skip = k.key == "" || !present && !r.newKeys
			}
			if k.skip {
				return nil
			}
			add := func(vid uint32) {
				j, ok := int32(-1), false
				if k.many != nil {
					j, ok = k.many[vid]
				} else {
					for _, p := range k.pairs {
						if p.id == vid {
							j, ok = p.index, true
							break
						}
					}
				}
				if !ok {
					j = -1
					if v := valOf(vid); v != "" {
						if _, known := k.known[v]; !known {
							j = int32(len(locals))
							locals = append(locals, local{ids: [2]uint32{kid, vid}, first: t, row: row})
						}
					}
					if k.many != nil {
						k.many[vid] = j
					} else if k.pairs = append(k.pairs, idIndex{vid, j}); len(k.pairs) > fewPairs {
						k.many = make(map[uint32]int32, 2*len(k.pairs))
						for _, p := range k.pairs {
							k.many[p.id] = p.index
						}
						k.pairs = nil
					}
				}
				if j < 0 {
					return
				}
				l := &locals[j]
				l.count++
				if t < l.first {
					l.first, l.row = t, row
				}
				l.times = append(l.times, t)
			}
			if fv.Column.Enc == engine.EncList {
				for _, vid := range fv.Elems[fv.Offsets[i]:fv.Offsets[i+1]] {
					add(vid)
				}
			} else {
				add(fv.IDs[i])
			}
			return nil
		})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, l := range locals {
			ids := l.ids
			name := [2]string{keys[ids[0]].key, valOf(ids[1])}
			s := seen[name]
			if s == nil {
				s = &found{newPair: &newPair{first: l.first, ips: map[string]bool{}, apps: map[string]bool{}}, part: pi, row: l.row}
				s.key, s.value = r.key.DictValue(keyDict, ids[0]), r.field.DictValue(valDict, ids[1])
				seen[name] = s
			} else if l.first < s.first || l.first == s.first && (pi < s.part || pi == s.part && l.row < s.row) {
				s.first, s.part, s.row = l.first, pi, l.row
				s.key, s.value = r.key.DictValue(keyDict, ids[0]), r.field.DictValue(valDict, ids[1])
			}
			s.count += l.count
			s.times = append(s.times, l.times...)
			// The pair's address and app, when the key or the field is
			// one, as add reads them from the rows.
			for _, c := range []struct {
				col int
				set map[string]bool
			}{{r.col.ip, s.ips}, {r.col.app, s.apps}} {
				var x string
				switch c.col {
				case r.col.key:
					x = baseline.Text(r.key.DictValue(keyDict, ids[0]))
				case r.col.field:
					x = baseline.Text(r.field.DictValue(valDict, ids[1]))
				}
				if x != "" {
					c.set[x] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[[2]string]*newPair, len(seen))
	for name, s := range seen {
		out[name] = s.newPair
	}
	return out, nil
}

// idIndex is a dictionary id and an index.
type idIndex struct {
	id    uint32
	index int32
}

// fewPairs is how many values of a key readParts looks up in a slice
// before it makes a map of them. A variable for the tests.
var fewPairs = 16
