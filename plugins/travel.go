package plugins

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

func init() { Register(travel{}) }

// travel finds impossible travel: two consecutive sign-ins of a user
// from places too far apart for the time between them.
//
// Arguments, positional in this order or named:
//
//	speed     the speed, in km/h, above which travel is impossible:
//	          1000 by default, a little faster than an airliner
//	distance  the least distance, in km, that counts: 500 by default,
//	          so that geolocation jitter (an address placed in a nearby
//	          city, a mobile carrier's gateway a region away) is not
//	          travel
//	status    the sign-ins compared: success (the default: an attacker
//	          who fails has not travelled), failure, interrupted or all
//	familiar  the days, 2 by default, on which a user must have signed
//	          in from a place (its city and country, else its
//	          coordinates to a tenth of a degree) among the rows it reads
//	          for the place to be familiar; 0 makes no place familiar
//
// People who sign in from several places (home in one city, the office
// in another, a phone whose carrier places it a region away) go back and
// forth between them faster than anyone travels: a pair of sign-ins
// between two places familiar to the user is not reported. Travel to or
// from a place the user rarely uses is. Familiarity is learnt from the
// rows the stage reads, so it needs a window of several days ("since
// 30d"); over a day every place is new.
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
// Each row is one pair: the user; the time, address, country and city of
// the sign-in before and of the one after; the distance in km and the
// speed in km/h, rounded to whole numbers. Rows are ordered by the
// second sign-in's time, then user.
type travel struct{}

var _ Needer = travel{}

func (travel) Describe() Descriptor {
	return Descriptor{Name: "travel", Kind: KindStage,
		Args: []Arg{
			{Name: "speed", Type: ArgNumber, Default: "1000", Help: "the speed in km/h above which travel is impossible"},
			{Name: "distance", Type: ArgNumber, Default: "500", Help: "the least distance in km that counts"},
			{Name: "status", Type: ArgString, Default: "success", Help: "the sign-ins compared: success, failure, interrupted or all"},
			{Name: "familiar", Type: ArgNumber, Default: "2", Help: "the days of sign-ins from a place that make it familiar to a user; 0 for none"},
		},
		Help:    "consecutive sign-ins of a user from places too far apart for the time between them",
		Example: "list since 7d | travel",
		Output:  []string{"user", "prev_time", "prev_ip", "prev_country", "prev_city", "time", "ip", "country", "city", "km", "kmh"},
	}
}

type trArgs struct {
	speed, distance float64
	status          string
	familiar        int
}

func trParse(args map[string]string) (*trArgs, error) {
	var a trArgs
	var err error
	if a.speed, err = detNumber("speed", args["speed"], 0); err != nil {
		return nil, err
	}
	if a.distance, err = detNumber("distance", args["distance"], 0); err != nil {
		return nil, err
	}
	if a.status, err = detStatus(args["status"]); err != nil {
		return nil, err
	}
	f, err := detNumber("familiar", args["familiar"], 0)
	if err != nil {
		return nil, err
	}
	a.familiar = int(min(f, 1e6))
	return &a, nil
}

// trFields are the fields travel reads, in its Needs' order.
var trFields = []string{"time", "user", "ip", "country", "city", "latitude", "longitude", "status"}

func (travel) Needs(args map[string]string) (Needs, error) {
	a, err := trParse(args)
	if err != nil {
		return Needs{}, err
	}
	return Needs{Fields: slices.Clone(trFields), Where: detStatusWhere(a.status), Stream: true}, nil
}

func (travel) Bind(args map[string]string, in []engine.ResultColumn) (Runner, error) {
	a, err := trParse(args)
	if err != nil {
		return nil, err
	}
	r := &trRunner{args: a}
	for i, f := range trFields {
		r.idx[i] = detColumn(in, f)
		if r.idx[i] < 0 && f != "status" {
			return nil, fmt.Errorf("needs a %s column: put it right after a list without fields, or list %s", f, f)
		}
	}
	if k := in[r.idx[trTime]].Kind; k != signin.KindTime {
		return nil, fmt.Errorf("its time column holds %s values, not times", k)
	}
	col := func(name string, i int) engine.ResultColumn {
		c := in[r.idx[i]]
		c.Name = name
		return c
	}
	r.cols = []engine.ResultColumn{col("user", trUser),
		col("prev_time", trTime), col("prev_ip", trIP), col("prev_country", trCountry), col("prev_city", trCity),
		col("time", trTime), col("ip", trIP), col("country", trCountry), col("city", trCity),
		{Name: "km", Kind: signin.KindInt}, {Name: "kmh", Kind: signin.KindInt}}
	return r, nil
}

// The indexes of trFields.
const (
	trTime = iota
	trUser
	trIP
	trCountry
	trCity
	trLat
	trLon
	trStatus
)

type trRunner struct {
	args *trArgs
	idx  [8]int // input column of each of trFields; -1 when absent
	cols []engine.ResultColumn
}

func (r *trRunner) Columns() []engine.ResultColumn { return r.cols }

// trSignin is a sign-in with coordinates: what travel keeps of a row.
type trSignin struct {
	t        int64
	lat, lon float64
	place    trWhere
	ip       string
	seq      int // input order, for a stable order among equal times and places
}

// trWhere is where a sign-in was: city and country as written, and when
// neither is, the coordinates rounded to a tenth of a degree.
type trWhere struct{ city, country, coords string }

func (p trWhere) less(o trWhere) int {
	if c := strings.Compare(detFold(p.city), detFold(o.city)); c != 0 {
		return c
	}
	if c := strings.Compare(detFold(p.country), detFold(o.country)); c != 0 {
		return c
	}
	return strings.Compare(p.coords, o.coords)
}

func (r *trRunner) Run(ctx context.Context, env *Env, in iter.Seq[[]engine.Value], emit func([]engine.Value) error) error {
	// Each user's sign-ins, under the user's name as first met.
	users := map[string][]trSignin{}
	names := map[string]string{}
	n := 0
	for row := range in {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if i := r.idx[trStatus]; r.args.status != "" && i >= 0 && !strings.EqualFold(detText(row[i]), r.args.status) {
			continue
		}
		tv := row[r.idx[trTime]]
		user := detText(row[r.idx[trUser]])
		if tv.IsNull() || tv.Kind() != signin.KindTime || user == "" {
			continue
		}
		lat, ok1 := trCoord(row[r.idx[trLat]], 90)
		lon, ok2 := trCoord(row[r.idx[trLon]], 180)
		if !ok1 || !ok2 || lat == 0 && lon == 0 {
			continue
		}
		place := trWhere{city: detText(row[r.idx[trCity]]), country: detText(row[r.idx[trCountry]])}
		if place == (trWhere{}) {
			place.coords = fmt.Sprintf("%.1f,%.1f", lat, lon)
		}
		key, ok := names[user]
		if !ok {
			key = detFold(user)
			names[user] = key
		}
		users[key] = append(users[key], trSignin{t: tv.Time().UnixNano(), lat: lat, lon: lon, place: place, ip: detText(row[r.idx[trIP]]), seq: n})
	}
	display := map[string]string{} // folded user → the name first met
	for name, key := range names {
		if d, ok := display[key]; !ok || name < d {
			display[key] = name
		}
	}
	var out [][]engine.Value
	for key, all := range users {
		out = r.pairs(key, display[key], all, out)
	}
	slices.SortStableFunc(out, func(x, y []engine.Value) int {
		if c := engine.Compare(x[5], y[5]); c != 0 {
			return c
		}
		return strings.Compare(detText(x[0]), detText(y[0]))
	})
	for _, row := range out {
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// trDay is the UTC day of a time in Unix nanoseconds.
func trDay(t int64) int64 {
	d := t / int64(24*time.Hour)
	if t < 0 && t%int64(24*time.Hour) != 0 {
		d--
	}
	return d
}

// trCoord reads a coordinate: a number within ±limit degrees.
func trCoord(v engine.Value, limit float64) (float64, bool) {
	if v.IsNull() || v.Kind() != signin.KindFloat && v.Kind() != signin.KindInt {
		return 0, false
	}
	x := v.Float()
	if math.IsNaN(x) || x < -limit || x > limit {
		return 0, false
	}
	return x, true
}

// trHaversine is the great-circle distance in km between two points
// given in degrees, on a sphere of the Earth's mean radius.
func trHaversine(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * 6371.0088 * math.Asin(math.Sqrt(min(1, h)))
}

// pairs appends the impossible travels of one user's sign-ins.
func (r *trRunner) pairs(key, name string, all []trSignin, out [][]engine.Value) [][]engine.Value {
	// The days on which the user signed in from each place (in any case).
	days := map[trWhere]map[int64]bool{}
	fold := func(p trWhere) trWhere { return trWhere{detFold(p.city), detFold(p.country), p.coords} }
	if r.args.familiar > 0 {
		for _, s := range all {
			p := fold(s.place)
			if days[p] == nil {
				days[p] = map[int64]bool{}
			}
			if len(days[p]) < r.args.familiar {
				days[p][trDay(s.t)] = true
			}
		}
	}
	familiar := func(s *trSignin) bool {
		return r.args.familiar > 0 && len(days[fold(s.place)]) >= r.args.familiar
	}
	slices.SortFunc(all, func(a, b trSignin) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		if c := a.place.less(b.place); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	for i := 1; i < len(all); i++ {
		a, b := &all[i-1], &all[i]
		if familiar(a) && familiar(b) {
			continue
		}
		km := trHaversine(a.lat, a.lon, b.lat, b.lon)
		if km < r.args.distance {
			continue
		}
		hours := max(float64(b.t-a.t), float64(time.Second)) / float64(time.Hour)
		kmh := km / hours
		if kmh <= r.args.speed {
			continue
		}
		out = append(out, []engine.Value{engine.StringValue(name),
			engine.TimeValue(time.Unix(0, a.t).UTC()), engine.StringValue(a.ip), engine.StringValue(a.place.country), engine.StringValue(a.place.city),
			engine.TimeValue(time.Unix(0, b.t).UTC()), engine.StringValue(b.ip), engine.StringValue(b.place.country), engine.StringValue(b.place.city),
			engine.IntValue(int64(math.Round(km))), engine.IntValue(int64(math.Round(min(kmh, 1e15))))})
	}
	return out
}
