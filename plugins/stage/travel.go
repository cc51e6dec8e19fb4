package stage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/netip"
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

// travel finds impossible travel: two consecutive sign-ins of a user
// from places too far apart for the time between them.
//
// Arguments, positional in this order or named:
//
//	speed     the speed, in km/h, above which travel is impossible:
//	          1000 by default, above an airliner's cruising speed
//	          (about 900 km/h)
//	distance  the least distance, in km, that counts: 500 by default,
//	          so that geolocation jitter (an address placed in a nearby
//	          city, a mobile carrier's gateway a region away) is not
//	          travel
//	status    the sign-ins compared: success (the default: an attacker
//	          who fails has not travelled), failure, interrupted or all
//	familiar  the days, 2 by default, on which a user must have signed
//	          in from a place (its city and country, else its
//	          coordinates to a tenth of a degree) before the day of a
//	          sign-in for the place to be familiar at that sign-in; 0
//	          makes no place familiar
//	samecountry  false by default: only pairs in different countries
//	          count, since within a country geolocation by IP address is
//	          unreliable (a mobile carrier's addresses are placed in a
//	          city far from where the phone is), as Microsoft Defender
//	          for Cloud Apps' impossible travel compares countries; true
//	          compares pairs within a country too. Sign-ins without a
//	          country count as a country of their own; countries are
//	          compared without regard to case.
//	shared    the other users, 5 by default, who must have signed in
//	          from an address before the day of a sign-in for the
//	          address to be the organization's (a corporate VPN's
//	          egress, an office's NAT): a sign-in from it is familiar
//	          to every user; 0 makes no address the organization's
//	baseline  how far back before the query's start the history goes:
//	          30d by default, the month of activity Defender for Cloud
//	          Apps compares a session with
//
// People who sign in from several places (home in one city, the office
// in another, a phone whose carrier places it a region away, a
// corporate VPN that leaves in another country) go back and forth
// between them faster than anyone travels: a pair of sign-ins between
// two places familiar to the user is not reported. Travel to or from a
// place the user had not used on familiar days before is. A place is
// learnt from the past only, as Microsoft's detections learn a user's
// places before they judge them, so that an attacker who comes back on
// later days is still reported on the first ones. The history is the
// user's sign-ins (of the status asked for) in the baseline period
// before the query's start, counted from the store by day, city and
// country, and the rows the stage reads before the sign-in's day. With
// no store, no start or baseline=0, the rows alone are the history.
// Either way, over the first days of what the stage knows of a user,
// every place of theirs is new: a store that begins with the window
// reports the places its users go between on its first days. A user is
// judged from their first sign-in: one who signs in rarely is judged as
// soon as one who signs in every day, and an attacker on the day of a
// user's first sign-in in the store is reported.
//
// An address many users of the tenant sign in from is the
// organization's (its VPN's egress, an office's NAT), as Microsoft's
// detections ignore "locations regularly used by other users in the
// organization": a sign-in from an address at least shared other users
// signed in from (with the status asked for) on a day before its day,
// in the baseline or the window, is familiar to its user too. The
// addresses of the pairs that would be reported are looked up in the
// store (in the rows when there is none), so that the first users of a
// corporate VPN are not reported, while an attacker's address is new on
// the first day it is used, however many accounts it is used for then.
//
// Per user, the sign-ins with coordinates are taken in time order (those
// at the same time in the order of their places), and
// each is compared with the one before it: the pair is reported when the
// great-circle (haversine) distance between them is at least distance
// and the speed it takes is above speed. The speed is the distance over
// the time between them, that time taken as at least one second (two
// sign-ins in the same second from 5,000 km apart are impossible, not
// infinitely fast). Sign-ins without coordinates, or at 0,0 (what the
// service records for an address it cannot place, managed identities
// inside Azure), or without a user are left out.
//
// With samecountry false (the default), a user who signed in from one
// country only cannot travel: the stage first asks the store which users
// had sign-ins (of the status asked for) in at least two countries in the
// query's window (from the snapshot's parts by dictionary id, else an
// aggregate over the indexes), and skips the rows of the others with a
// lookup. Right after a list without fields it then reads only the time
// and user of the sign-ins (from the parts the list selects, by the
// users' bitmaps, when the list streams them: plugins.Env.Selected), and
// reads the places of those of the users that remain from the store, the
// window's sign-ins of those users in the order a list gives them, of
// which it keeps those at a time one of its rows of that user had: its
// rows' sign-ins, found by user and time.
//
// Each row is one pair: the user; the time, address, country and city of
// the sign-in before and of the one after; the distance in km and the
// speed in km/h, rounded to whole numbers. Rows are ordered by the
// second sign-in's time, then user.
//
// Its zero value is the stage; Bind returns a *travel holding the
// arguments and the input's columns, which runs.
type travel struct {
	speed, distance float64
	status          string
	familiar        int
	sameCountry     bool
	shared          int
	baseline        time.Duration
	idx             [8]int // input column of each of placeFields; -1 when absent
	cols            []result.Column
	// fetch: the rows lack places, which are read from the store.
	fetch bool
	// stored: the rows' time, user (and country) columns are the
	// catalog's, so that the store's sign-ins in the window can stand for
	// them.
	stored bool
	// byPart: the rows are the catalog's time and user and no more, as
	// Needs asks, so that the stage may read them from the parts
	// (plugins.Env.Selected) when the list streams them.
	byPart bool
}

var (
	_ plugins.Needer = travel{}
	_ plugins.Runner = (*travel)(nil)
)

func (travel) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "travel", Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "speed", Type: plugins.ArgNumber, Default: "1000", Min: "0",
				Help: "the speed in km/h above which travel is impossible; 1000: above an airliner's cruising speed (about 900 km/h); Microsoft publishes no figure for its own travel detections"},
			{Name: "distance", Type: plugins.ArgNumber, Default: "500", Min: "0",
				Help: "the least distance in km that counts; 500: geolocation by address places a carrier's or ISP's gateway a region away, and Microsoft Defender for Cloud Apps' impossible travel ignores bordering countries"},
			{Name: "status", Type: plugins.ArgString, Default: "success", Words: baseline.Statuses, Help: "the sign-ins compared: success, failure, interrupted or all; success: an attacker who failed has not signed in"},
			{Name: "familiar", Type: plugins.ArgNumber, Default: "2", Min: "0",
				Help: "the days before a sign-in's day on which the user signed in from a place that make it familiar then (pairs between familiar places are not reported); 0 for none; 2: learnt from the past, as Entra ID Protection's atypical travel learns a user's places (its first 14 days or 10 sign-ins) and ignores places used regularly, so that home, office, phone carriers and a corporate VPN are familiar while an attacker's place is new on the first days it is used"},
			{Name: "samecountry", Type: plugins.ArgBool, Default: "false",
				Help: "also compare sign-ins within one country; false: geolocation by address places mobile carriers' addresses in far cities of the country, and Defender for Cloud Apps' impossible travel compares countries"},
			{Name: "shared", Type: plugins.ArgNumber, Default: "5", Min: "0",
				Help: "the other users who must have signed in from an address before a sign-in's day for the address to be the organization's (a corporate VPN's egress, an office's NAT), whose sign-ins are familiar to everyone; 0 for none; 5: Entra ID Protection and Defender for Cloud Apps ignore VPNs and locations regularly used by other users in the organization, while an attacker's address is new to the tenant on the first day it is used"},
			{Name: "baseline", Type: plugins.ArgDuration, Default: "30d", Words: []string{"0"},
				Help: "the user's history before the query's start from which places are familiar, read from the store; 30d: the month of activity Defender for Cloud Apps compares a session with; 0 for the rows alone"},
		},
		Help:    "consecutive sign-ins of a user from places too far apart for the time between them, one of them new to the user (impossible travel)",
		Example: "list since 7d | travel",
		Output:  []string{"user", "prev_time", "prev_ip", "prev_country", "prev_city", "time", "ip", "country", "city", "km", "kmh"},
	}
}

// read returns the stage bound to its arguments. The baseline is a
// duration, or the word 0 for none (its Duration).
func (travel) read(args *plugins.Args) *travel {
	return &travel{speed: args.Float("speed"), distance: args.Float("distance"), status: baseline.Status(args),
		familiar: int(min(args.Float("familiar"), 1e6)), sameCountry: args.Bool("samecountry"),
		shared: int(min(args.Float("shared"), 1e9)), baseline: args.Duration("baseline")}
}

// placeFields are the fields travel reads, in its Needs' order: a
// sign-in's time, user and place, and its status.
var placeFields = []string{"time", "user", "ip", "country", "city", "latitude", "longitude", "status"}

// Needs reads the time and user of the sign-ins of the status asked for
// when only pairs in different countries count (their places are read
// for the users who signed in from several countries, see Run), else
// their places too.
func (r travel) Needs(args *plugins.Args) (plugins.Needs, error) {
	b := r.read(args)
	fields := placeFields[:placeStatus]
	if !b.sameCountry {
		fields = placeFields[:placeIP]
	}
	return plugins.Needs{Fields: slices.Clone(fields), Where: baseline.StatusWhere(b.status), Stream: true}, nil
}

func (r travel) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	b := r.read(args)
	for i, f := range placeFields {
		b.idx[i] = baseline.Column(in, f)
		if b.idx[i] < 0 && i >= placeIP && i < placeStatus && !b.sameCountry {
			b.fetch = true // the places are read from the store
		} else if b.idx[i] < 0 && f != "status" {
			return nil, fmt.Errorf("needs a %s column: put it right after a list without fields, or list %s", f, f)
		}
	}
	if k := in[b.idx[placeTime]].Kind; k != signin.KindTime {
		return nil, fmt.Errorf("its time column holds %s values, not times", k)
	}
	// The store's sign-ins are the rows' when their time and user are the
	// catalog's.
	b.stored = strings.EqualFold(in[b.idx[placeTime]].Field, "time") && strings.EqualFold(in[b.idx[placeUser]].Field, "user")
	if b.fetch && !b.stored {
		return nil, errors.New("needs the time and user of sign-ins, and their ip, country, city, latitude and longitude columns unless it comes right after a list without fields")
	}
	if !b.fetch && !b.stored || b.idx[placeCountry] >= 0 && !strings.EqualFold(in[b.idx[placeCountry]].Field, "country") {
		b.stored = false
	}
	b.byPart = b.fetch && b.stored && len(in) == 2 && b.idx[placeStatus] < 0
	col := func(name string, i int) result.Column {
		if b.idx[i] < 0 {
			return result.Column{Name: name, Kind: signin.Lookup(placeFields[i]).Kind, Field: placeFields[i]}
		}
		c := in[b.idx[i]]
		c.Name = name
		return c
	}
	b.cols = []result.Column{col("user", placeUser),
		col("prev_time", placeTime), col("prev_ip", placeIP), col("prev_country", placeCountry), col("prev_city", placeCity),
		col("time", placeTime), col("ip", placeIP), col("country", placeCountry), col("city", placeCity),
		{Name: "km", Kind: signin.KindInt}, {Name: "kmh", Kind: signin.KindInt}}
	return b, nil
}

// The indexes of placeFields.
const (
	placeTime = iota
	placeUser
	placeIP
	placeCountry
	placeCity
	placeLat
	placeLon
	placeStatus
)

func (r *travel) Columns() []result.Column { return r.cols }

// signIn is a sign-in with coordinates: what travel keeps of a row.
type signIn struct {
	t        int64
	lat, lon float64
	place    where
	ip       string
	seq      int // input order, for a stable order among equal times and places
}

// where is where a sign-in was: city and country as written, and when
// neither is, the coordinates rounded to a tenth of a degree.
type where struct{ city, country, coords string }

func (p where) less(o where) int {
	if c := strings.Compare(baseline.Fold(p.city), baseline.Fold(o.city)); c != 0 {
		return c
	}
	if c := strings.Compare(baseline.Fold(p.country), baseline.Fold(o.country)); c != 0 {
		return c
	}
	return strings.Compare(p.coords, o.coords)
}

func (r *travel) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	// cands are the users (folded) who signed in from two countries or
	// more; nil when every user is compared.
	var cands map[string]bool
	if !r.sameCountry && r.stored && env != nil && env.Query != nil {
		var err error
		if env.Snapshot != nil {
			cands, err = r.storeCandidates(ctx, env)
		} else {
			cands, err = r.candidates(ctx, env)
		}
		if err != nil {
			return err
		}
	}
	if r.fetch && cands == nil {
		return errors.New("needs the store to read the sign-ins' places from, or the rows' ip, country, city, latitude and longitude")
	}
	// Each user's sign-ins, by folded name; when the rows lack places,
	// the times of their sign-ins (how many at each).
	users := map[string][]signIn{}
	times := map[string]map[int64]int{}
	names := map[string]userName{}
	// When the store cannot say who signed in from an address, the rows
	// do: per address, the first day of each (folded) user's sign-ins.
	rowsShare := r.shared > 0 && !(r.stored && env != nil && env.Query != nil) && r.idx[placeIP] >= 0
	ipFirst := map[string]map[string]int64{}
	if r.byPart && env.Selected != nil && cands != nil {
		var err error
		if times, names, err = r.readTimes(ctx, env, cands); err != nil {
			return err
		}
		in = func(func([]result.Value) bool) {} // read from the parts instead
	}
	n := 0
	for row := range in {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if i := r.idx[placeStatus]; r.status != "" && i >= 0 && !strings.EqualFold(baseline.Text(row[i]), r.status) {
			continue
		}
		tv := row[r.idx[placeTime]]
		user := baseline.Text(row[r.idx[placeUser]])
		if tv.IsNull() || tv.Kind() != signin.KindTime || user == "" {
			continue
		}
		nm, ok := names[user]
		if !ok {
			nm.key = baseline.Fold(user)
			nm.skip = cands != nil && !cands[nm.key]
			names[user] = nm
		}
		if nm.skip {
			continue
		}
		if rowsShare {
			if ip := baseline.Text(row[r.idx[placeIP]]); ip != "" {
				noteFirstDay(ipFirst, events.SameKey(ip), nm.key, dayOf(tv.Time().UnixNano()))
			}
		}
		if r.fetch {
			if times[nm.key] == nil {
				times[nm.key] = map[int64]int{}
			}
			times[nm.key][tv.Time().UnixNano()]++
			continue
		}
		if s, ok := r.signin(row, &r.idx, n); ok {
			users[nm.key] = append(users[nm.key], s)
		}
	}
	if r.fetch && len(times) > 0 {
		var err error
		if env.Snapshot != nil {
			err = r.storePlaces(ctx, env, times, users)
		} else {
			err = r.places(ctx, env, times, users)
		}
		if err != nil {
			return err
		}
	}
	// Each user's history before the window: the days on which they
	// signed in from each place.
	var hist map[string]map[where]int
	if len(users) > 0 && r.familiar > 0 && r.baseline > 0 && r.stored && env != nil && env.Query != nil && env.From != math.MinInt64 {
		var err error
		if hist, err = r.history(ctx, env, cands, users); err != nil {
			return err
		}
	}
	display := map[string]string{} // folded user → the name first met
	for name, nm := range names {
		if d, ok := display[nm.key]; !nm.skip && (!ok || name < d) {
			display[nm.key] = name
		}
	}
	var pairs []pair
	for key, all := range users {
		pairs = r.pairs(key, all, hist[key], pairs)
	}
	// The organization's addresses among those of the pairs' sign-ins
	// that are not familiar to their users.
	if r.shared > 0 && len(pairs) > 0 {
		if !rowsShare {
			ips := map[string]bool{}
			for _, p := range pairs {
				for i, s := range p.s {
					if !p.familiar[i] && s.ip != "" {
						ips[s.ip] = true
					}
				}
			}
			var err error
			if ipFirst, err = r.addressUsers(ctx, env, ips); err != nil {
				return err
			}
		}
		for k := range pairs {
			p := &pairs[k]
			for i, s := range p.s {
				if !p.familiar[i] && s.ip != "" {
					p.familiar[i] = usedByOthers(ipFirst[events.SameKey(s.ip)], p.user, dayOf(s.t), r.shared)
				}
			}
		}
	}
	var out [][]result.Value
	for _, p := range pairs {
		if p.familiar[0] && p.familiar[1] {
			continue
		}
		a, b := p.s[0], p.s[1]
		out = append(out, []result.Value{result.StringValue(display[p.user]),
			result.TimeValue(time.Unix(0, a.t).UTC()), result.StringValue(a.ip), result.StringValue(a.place.country), result.StringValue(a.place.city),
			result.TimeValue(time.Unix(0, b.t).UTC()), result.StringValue(b.ip), result.StringValue(b.place.country), result.StringValue(b.place.city),
			result.IntValue(int64(math.Round(p.km))), result.IntValue(int64(math.Round(min(p.kmh, 1e15))))})
	}
	slices.SortStableFunc(out, func(x, y []result.Value) int {
		if c := result.Compare(x[5], y[5]); c != 0 {
			return c
		}
		return strings.Compare(baseline.Text(x[0]), baseline.Text(y[0]))
	})
	for _, row := range out {
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// history asks the store on how many days each of the users signed in
// (with the status asked for) from each city and country in the
// baseline period before the query's window: the users of cands when
// there are, else every user. Users and places are folded; sign-ins
// without a city and a country are not counted.
func (r *travel) history(ctx context.Context, env *plugins.Env, cands map[string]bool, users map[string][]signIn) (map[string]map[where]int, error) {
	from := env.From - int64(r.baseline)
	if from > env.From { // overflow
		from = math.MinInt64
	}
	conds := []ast.Expr{baseline.StatusWhere(r.status)}
	if cands != nil {
		lits := map[string]*ast.Literal{}
		for key := range users {
			baseline.Add(lits, ast.Str(key))
		}
		conds = append(conds, baseline.In("user", lits))
	}
	q := baseline.Query(ast.AggregateOf(ast.NewHead(ast.Fn("count"), "")), from, env.From, conds...)
	q.GroupBy = append(baseline.Fields("user", "country", "city"), ast.Fn("bin", ast.Word("1d")))
	res, err := env.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reading the users' history: %w", err)
	}
	ui, ci, ti, di := baseline.Column(res.Columns, "user"), baseline.Column(res.Columns, "country"), baseline.Column(res.Columns, "city"), baseline.Column(res.Columns, "time")
	if ui < 0 || ci < 0 || ti < 0 || di < 0 {
		return nil, fmt.Errorf("reading the users' history: its query gave columns %v", res.Columns)
	}
	type key struct {
		user  string
		place where
		day   int64
	}
	seen := map[key]bool{} // a place spelt in two cases is one place
	hist := map[string]map[where]int{}
	for _, row := range res.Rows {
		tv := row[di]
		u := baseline.Fold(baseline.Text(row[ui]))
		p := where{city: baseline.Fold(baseline.Text(row[ti])), country: baseline.Fold(baseline.Text(row[ci]))}
		if _, ok := users[u]; !ok || p == (where{}) || tv.IsNull() || tv.Kind() != signin.KindTime {
			continue
		}
		k := key{u, p, dayOf(tv.Time().UnixNano())}
		if seen[k] {
			continue
		}
		seen[k] = true
		if hist[u] == nil {
			hist[u] = map[where]int{}
		}
		hist[u][p]++
	}
	return hist, nil
}

// addressUsers asks the store which users signed in (with the status
// asked for) from each of the addresses, from the baseline's start to
// the query's end, in one query however many addresses there are: per
// address (events.SameKey), the first day of each (folded) user's sign-ins
// from it.
func (r *travel) addressUsers(ctx context.Context, env *plugins.Env, ips map[string]bool) (map[string]map[string]int64, error) {
	from := env.From
	if from != math.MinInt64 {
		if from -= int64(r.baseline); from > env.From { // overflow
			from = math.MinInt64
		}
	}
	first := map[string]map[string]int64{}
	if len(ips) == 0 {
		return first, nil
	}
	lits := map[string]*ast.Literal{}
	for ip := range ips {
		baseline.Add(lits, ast.Str(ip))
	}
	q := baseline.Query(ast.AggregateOf(ast.NewHead(ast.Fn("count"), "")), from, env.To, baseline.StatusWhere(r.status), baseline.In("ip", lits))
	q.GroupBy = append(baseline.Fields("ip", "user"), ast.Fn("bin", ast.Word("1d")))
	res, err := env.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("finding the organization's addresses: %w", err)
	}
	ii, ui, di := baseline.Column(res.Columns, "ip"), baseline.Column(res.Columns, "user"), baseline.Column(res.Columns, "time")
	if ii < 0 || ui < 0 || di < 0 {
		return nil, fmt.Errorf("finding the organization's addresses: its query gave columns %v", res.Columns)
	}
	for _, row := range res.Rows {
		ip, u, tv := baseline.Text(row[ii]), baseline.Fold(baseline.Text(row[ui])), row[di]
		if ip == "" || u == "" || tv.IsNull() || tv.Kind() != signin.KindTime {
			continue
		}
		noteFirstDay(first, events.SameKey(ip), u, dayOf(tv.Time().UnixNano()))
	}
	return first, nil
}

// noteFirstDay notes that a user signed in from an address on a day.
func noteFirstDay(first map[string]map[string]int64, ip, user string, day int64) {
	m := first[ip]
	if m == nil {
		m = map[string]int64{}
		first[ip] = m
	}
	if d, ok := m[user]; !ok || day < d {
		m[user] = day
	}
}

// usedByOthers reports whether at least n users other than user signed in
// from an address (its users' first days) before day.
func usedByOthers(users map[string]int64, user string, day int64, n int) bool {
	c := 0
	for u, d := range users {
		if d < day && u != user {
			if c++; c >= n {
				return true
			}
		}
	}
	return false
}

// userName is a user's name as a row spells it: folded, and whether its
// sign-ins are left out.
type userName struct {
	key  string
	skip bool
}

// signin reads the sign-in of a row whose columns idx gives: false when
// it has no coordinates, or is at 0,0.
func (r *travel) signin(row []result.Value, idx *[8]int, seq int) (signIn, bool) {
	lat, ok1 := readCoord(row[idx[placeLat]], 90)
	lon, ok2 := readCoord(row[idx[placeLon]], 180)
	if !ok1 || !ok2 || lat == 0 && lon == 0 {
		return signIn{}, false
	}
	place := where{city: baseline.Text(row[idx[placeCity]]), country: baseline.Text(row[idx[placeCountry]])}
	if place == (where{}) {
		place.coords = fmt.Sprintf("%.1f,%.1f", lat, lon)
	}
	return signIn{t: row[idx[placeTime]].Time().UnixNano(), lat: lat, lon: lon, place: place, ip: baseline.Text(row[idx[placeIP]]), seq: seq}, true
}

// candidates asks the store which users signed in (with the status asked
// for) from two countries or more in the query's window: a user who did
// not cannot have travelled between countries in the rows either, which
// are sign-ins of that window. Users and countries are folded; a sign-in
// without a country counts as one more country.
func (r *travel) candidates(ctx context.Context, env *plugins.Env) (map[string]bool, error) {
	q := baseline.Query(ast.AggregateOf(ast.NewHead(ast.Fn("count"), "")), env.From, env.To, baseline.StatusWhere(r.status))
	q.GroupBy = baseline.Fields("user", "country")
	res, err := env.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("finding the users of several countries: %w", err)
	}
	ui, ci := baseline.Column(res.Columns, "user"), baseline.Column(res.Columns, "country")
	if ui < 0 || ci < 0 {
		return nil, fmt.Errorf("finding the users of several countries: its query gave columns %v", res.Columns)
	}
	first := map[string]string{}
	cands := map[string]bool{}
	for _, row := range res.Rows {
		u := baseline.Fold(baseline.Text(row[ui]))
		if u == "" {
			continue
		}
		c := baseline.Fold(baseline.Text(row[ci]))
		if f, ok := first[u]; !ok {
			first[u] = c
		} else if f != c {
			cands[u] = true
		}
	}
	return cands, nil
}

// places reads the places of the rows' sign-ins from the store: one list
// of the window's sign-ins of the users in times (with the status asked
// for), of which it keeps, per user, as many at each time as the rows
// had.
func (r *travel) places(ctx context.Context, env *plugins.Env, times map[string]map[int64]int, users map[string][]signIn) error {
	lits := map[string]*ast.Literal{}
	for key := range times {
		baseline.Add(lits, ast.Str(key))
	}
	q := baseline.Query(ast.ListOf(baseline.Fields(placeFields[:placeStatus]...)...), env.From, env.To, baseline.In("user", lits), baseline.StatusWhere(r.status))
	res, err := env.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("reading the sign-ins' places: %w", err)
	}
	var idx [8]int
	for i, f := range placeFields[:placeStatus] {
		if idx[i] = baseline.Column(res.Columns, f); idx[i] < 0 {
			return fmt.Errorf("reading the sign-ins' places: its query gave columns %v", res.Columns)
		}
	}
	for i, row := range res.Rows {
		tv := row[idx[placeTime]]
		if tv.IsNull() || tv.Kind() != signin.KindTime {
			continue
		}
		key := baseline.Fold(baseline.Text(row[idx[placeUser]]))
		t := tv.Time().UnixNano()
		if times[key][t] == 0 {
			continue // not a sign-in of the rows
		}
		times[key][t]--
		if s, ok := r.signin(row, &idx, i); ok {
			users[key] = append(users[key], s)
		}
	}
	return nil
}

// dayOf is the UTC day of a time in Unix nanoseconds.
func dayOf(t int64) int64 {
	d := t / int64(24*time.Hour)
	if t < 0 && t%int64(24*time.Hour) != 0 {
		d--
	}
	return d
}

// readCoord reads a coordinate: a number within ±limit degrees.
func readCoord(v result.Value, limit float64) (float64, bool) {
	if v.IsNull() || v.Kind() != signin.KindFloat && v.Kind() != signin.KindInt {
		return 0, false
	}
	x := v.Float()
	if math.IsNaN(x) || x < -limit || x > limit {
		return 0, false
	}
	return x, true
}

// haversine is the great-circle distance in km between two points
// given in degrees, on a sphere of the Earth's mean radius.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * 6371.0088 * math.Asin(math.Sqrt(min(1, h)))
}

// pair is two consecutive sign-ins of a user too far apart for the
// time between them, and whether each one's place (then its address) is
// familiar.
type pair struct {
	user     string // folded
	s        [2]signIn
	familiar [2]bool
	km, kmh  float64
}

// pairs appends the impossible travels of one user's sign-ins but those
// between two places familiar to the user; hist is the user's days by
// (folded) place before them.
func (r *travel) pairs(user string, all []signIn, hist map[where]int, out []pair) []pair {
	slices.SortFunc(all, func(a, b signIn) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		if c := a.place.less(b.place); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	// Whether each sign-in's place was familiar then: used on familiar
	// days before its day, in the history and the sign-ins before it.
	fold := func(p where) where { return where{baseline.Fold(p.city), baseline.Fold(p.country), p.coords} }
	type seen struct {
		last int64 // the last day of a sign-in from the place
		days int   // the days of sign-ins from it, the last included
	}
	// before counts a day of sign-ins from a place, and returns the days
	// before it.
	before := func(sp *seen, d int64) int {
		n := sp.days
		if sp.last == d {
			n--
		} else {
			sp.last, sp.days = d, sp.days+1
		}
		return n
	}
	places := map[where]*seen{}
	familiar := make([]bool, len(all))
	for i := range all {
		if r.familiar == 0 {
			break
		}
		p, d := fold(all[i].place), dayOf(all[i].t)
		sp := places[p]
		if sp == nil {
			sp = &seen{last: math.MinInt64}
			places[p] = sp
		}
		familiar[i] = hist[p]+before(sp, d) >= r.familiar
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if familiar[i-1] && familiar[i] {
			continue
		}
		if !r.sameCountry && baseline.Fold(a.place.country) == baseline.Fold(b.place.country) {
			continue
		}
		km := haversine(a.lat, a.lon, b.lat, b.lon)
		if km < r.distance {
			continue
		}
		hours := max(float64(b.t-a.t), float64(time.Second)) / float64(time.Hour)
		kmh := km / hours
		if kmh <= r.speed {
			continue
		}
		out = append(out, pair{user: user, s: [2]signIn{a, b}, familiar: [2]bool{familiar[i-1], familiar[i]}, km: km, kmh: kmh})
	}
	return out
}

// readTimes reads, from the parts the list selects (plugins.Env.Selected)
// by dictionary id and a part per goroutine, what Run's loop over rows
// lacking places gathers from them: the times of the sign-ins of the
// users of cands (folded), how many at each, and the names the rows
// spell those users with.
func (r *travel) readTimes(ctx context.Context, env *plugins.Env, cands map[string]bool) (map[string]map[int64]int, map[string]userName, error) {
	var mu sync.Mutex
	times := map[string]map[int64]int{}
	names := map[string]userName{}
	cols := []*engine.Column{engine.LookupColumn("time"), engine.LookupColumn("user")}
	err := baseline.EachSelected(ctx, env, func(_ int, p *engine.Part, rows *roaring.Bitmap) error {
		if p.DictLen(cols[1]) == 0 {
			return nil // no users
		}
		dict, err := env.Snapshot.Dict(p, cols[1])
		if err != nil {
			return err
		}
		// The candidates' user ids; when they are few, only their rows
		// are read.
		keep := make([]bool, dict.Len())
		var ids []uint32
		for id := range keep {
			if u := baseline.Text(cols[1].DictValue(dict, uint32(id))); u != "" && cands[baseline.Fold(u)] {
				keep[id] = true
				ids = append(ids, uint32(id))
			}
		}
		if len(ids) == 0 {
			return nil
		}
		if len(ids) <= len(keep)/8 {
			theirs, err := env.Snapshot.Bitmap(p, cols[1], ids...)
			if err != nil {
				return err
			}
			rows.And(theirs)
		}
		// The times of each candidate's sign-ins.
		at := map[uint32][]int64{}
		err = baseline.EachRow(ctx, env.Snapshot, p, rows, cols, func(vecs []engine.Vector, row uint32) error {
			tv, uv := &vecs[0], &vecs[1]
			if tv.Absent || uv.Absent {
				return nil
			}
			i := row & 0xffff
			t, id := tv.Ints[i], uv.IDs[i]
			if t == signin.NoInt {
				return nil
			}
			if keep[id] {
				at[id] = append(at[id], t)
			}
			return nil
		})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for id, ts := range at {
			u := baseline.Text(cols[1].DictValue(dict, id))
			key := baseline.Fold(u)
			names[u] = userName{key: key}
			m := times[key]
			if m == nil {
				m = map[int64]int{}
				times[key] = m
			}
			for _, t := range ts {
				m[t]++
			}
		}
		return nil
	})
	return times, names, err
}

// storeCandidates finds the users candidates finds, reading the
// snapshot rather than asking a query: a part per goroutine, the user
// and country of each sign-in of the status asked for in the query's
// window by dictionary id, each user's and country's text folded once
// per part.
func (r *travel) storeCandidates(ctx context.Context, env *plugins.Env) (map[string]bool, error) {
	const many = -2 // a user's countries in a part: several
	userCol, countryCol := engine.LookupColumn("user"), engine.LookupColumn("country")
	cols := []*engine.Column{userCol, countryCol}
	from, to := baseline.Times(env.From, env.To)
	var mu sync.Mutex
	first := map[string]string{} // folded user → the folded country first met
	cands := map[string]bool{}
	err := r.eachUserPart(ctx, env, from, to, func(ctx context.Context, p *engine.Part, rows *roaring.Bitmap, users *index.Dict) error {
		// The countries' ids, numbered by folded text: countries spelt
		// in two cases are one.
		var country []int32
		var folded []string
		if p.DictLen(countryCol) > 0 {
			d, err := env.Snapshot.Dict(p, countryCol)
			if err != nil {
				return err
			}
			num := map[string]int32{}
			country = make([]int32, d.Len())
			for id := range country {
				c := baseline.Fold(baseline.Text(countryCol.DictValue(d, uint32(id))))
				n, ok := num[c]
				if !ok {
					n = int32(len(folded))
					num[c] = n
					folded = append(folded, c)
				}
				country[id] = n
			}
		}
		absent := int32(-1) // the number of "" when the part lacks countries
		seen := make([]int32, users.Len())
		for i := range seen {
			seen[i] = -1
		}
		err := baseline.EachRow(ctx, env.Snapshot, p, rows, cols, func(vecs []engine.Vector, row uint32) error {
			uv, cv := &vecs[0], &vecs[1]
			if uv.Absent {
				return nil
			}
			i := row & 0xffff
			c := absent
			if !cv.Absent {
				c = country[cv.IDs[i]]
			} else if c < 0 {
				absent = int32(len(folded))
				folded = append(folded, "")
				c = absent
			}
			switch u := &seen[uv.IDs[i]]; *u {
			case -1:
				*u = c
			case c, many:
			default:
				*u = many
			}
			return nil
		})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for id, c := range seen {
			if c == -1 {
				continue
			}
			u := baseline.Fold(baseline.Text(userCol.DictValue(users, uint32(id))))
			switch f, ok := first[u]; {
			case u == "" || cands[u]:
			case c == many:
				cands[u] = true
			case !ok:
				first[u] = folded[c]
			case f != folded[c]:
				cands[u] = true
			}
		}
		return nil
	})
	return cands, err
}

// storePlaces reads what places reads, from the snapshot rather than
// with a query: a part per goroutine, the sign-ins in the query's window
// of the status asked for whose user is one of those of times (as "user
// in (...)" matches it: without regard to case, or the same address),
// read by the user's bitmap, then taken in the order the list would give
// them (newest first, then by id and type), keeping as places does as
// many of a user at a time as the rows had.
func (r *travel) storePlaces(ctx context.Context, env *plugins.Env, times map[string]map[int64]int, users map[string][]signIn) error {
	from, to := baseline.Times(env.From, env.To)
	cols := make([]*engine.Column, 0, placeStatus+2)
	for _, f := range placeFields[:placeStatus] {
		cols = append(cols, engine.LookupColumn(f))
	}
	userCol := cols[placeUser]
	// A sign-in read: its fields (placeFields' order), where it is, and
	// its id and type, read only for sign-ins of the same time.
	type read struct {
		row     []result.Value
		t       int64
		part    *engine.Part
		at      uint32
		id, typ string
	}
	var mu sync.Mutex
	var all []read
	err := r.eachUserPart(ctx, env, from, to, func(ctx context.Context, p *engine.Part, rows *roaring.Bitmap, dict *index.Dict) error {
		var ids []uint32
		for id := range dict.Len() {
			if u := baseline.Text(userCol.DictValue(dict, uint32(id))); times[baseline.Fold(u)] != nil && userIn(u, times) {
				ids = append(ids, uint32(id))
			}
		}
		if len(ids) == 0 {
			return nil
		}
		theirs, err := env.Snapshot.Bitmap(p, userCol, ids...)
		if err != nil {
			return err
		}
		rows.And(theirs)
		dicts := make([]*index.Dict, len(cols))
		for j, c := range cols {
			if c.HasDict() && p.DictLen(c) > 0 {
				if dicts[j], err = env.Snapshot.Dict(p, c); err != nil {
					return err
				}
			}
		}
		var got []read
		err = baseline.EachRow(ctx, env.Snapshot, p, rows, cols, func(vecs []engine.Vector, row uint32) error {
			vals := engine.RowValues(nil, vecs, dicts, row&0xffff)
			tv := vals[placeTime]
			if tv.IsNull() || tv.Kind() != signin.KindTime {
				return nil
			}
			got = append(got, read{row: vals, t: tv.Time().UnixNano(), part: p, at: row})
			return nil
		})
		if err != nil {
			return err
		}
		mu.Lock()
		all = append(all, got...)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b read) int { return cmp.Compare(b.t, a.t) })
	// Sign-ins of one time by id, then type, as the list orders them.
	idCols := []*engine.Column{engine.LookupColumn("id"), engine.LookupColumn("type")}
	for lo := 0; lo < len(all); {
		hi := lo + 1
		for hi < len(all) && all[hi].t == all[lo].t {
			hi++
		}
		if hi-lo > 1 {
			for i := lo; i < hi; i++ {
				s := &all[i]
				vecs, err := env.Snapshot.ReadBlock(s.part, int(s.at>>16), idCols, nil)
				if err != nil {
					return err
				}
				var typ *index.Dict
				if s.part.DictLen(idCols[1]) > 0 {
					if typ, err = env.Snapshot.Dict(s.part, idCols[1]); err != nil {
						return err
					}
				}
				s.id, s.typ = vecs[0].Value(nil, s.at&0xffff).String(), vecs[1].Value(typ, s.at&0xffff).String()
			}
			slices.SortFunc(all[lo:hi], func(a, b read) int { return cmp.Or(strings.Compare(a.id, b.id), strings.Compare(a.typ, b.typ)) })
		}
		lo = hi
	}
	idx := [8]int{0, 1, 2, 3, 4, 5, 6, -1}
	for i, s := range all {
		key := baseline.Fold(baseline.Text(s.row[placeUser]))
		if times[key][s.t] == 0 {
			continue // not a sign-in of the rows
		}
		times[key][s.t]--
		if si, ok := r.signin(s.row, &idx, i); ok {
			users[key] = append(users[key], si)
		}
	}
	return nil
}

// userIn reports whether "user in (keys)", keys those of times, matches
// a user: its text is one of them without regard to case, or it is an
// address one of them is too.
func userIn(u string, times map[string]map[int64]int) bool {
	if k := baseline.Fold(u); strings.EqualFold(u, k) {
		return true // the key Fold makes of it is one
	}
	a, aErr := netip.ParseAddr(u)
	for k := range times {
		if strings.EqualFold(u, k) {
			return true
		}
		if b, err := netip.ParseAddr(k); aErr == nil && err == nil && a.Unmap() == b.Unmap() {
			return true
		}
	}
	return false
}

// eachUserPart calls work, as baseline.EachPart does, with each part of
// the store holding users between from and to, its rows of that range
// of the stage's status (skipping parts with none) and its dictionary
// of users.
func (r *travel) eachUserPart(ctx context.Context, env *plugins.Env, from, to time.Time, work func(ctx context.Context, p *engine.Part, rows *roaring.Bitmap, users *index.Dict) error) error {
	userCol := engine.LookupColumn("user")
	return baseline.EachPart(ctx, env.Snapshot.PartsBetween(from, to), func(ctx context.Context, _ int, p *engine.Part) error {
		if p.DictLen(userCol) == 0 {
			return nil // no users
		}
		lo, hi, err := env.Snapshot.Rows(p, from, to)
		if err != nil {
			return err
		}
		rows, err := baseline.StatusRows(env.Snapshot, p, r.status, lo, hi)
		if err != nil || rows.IsEmpty() {
			return err
		}
		users, err := env.Snapshot.Dict(p, userCol)
		if err != nil {
			return err
		}
		return work(ctx, p, rows, users)
	})
}
