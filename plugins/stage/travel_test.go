package stage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/baseline"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// placeColumns are the columns of a list of placed sign-ins.
var placeColumns = []result.Column{
	{Name: "time", Kind: signin.KindTime, Field: "time"}, {Name: "user", Kind: signin.KindString, Field: "user"},
	{Name: "ip", Kind: signin.KindString, Field: "ip"}, {Name: "country", Kind: signin.KindString, Field: "country"},
	{Name: "city", Kind: signin.KindString, Field: "city"}, {Name: "latitude", Kind: signin.KindFloat, Field: "latitude"},
	{Name: "longitude", Kind: signin.KindFloat, Field: "longitude"}, {Name: "status", Kind: signin.KindString, Field: "status"},
}

// place is a place of the travel tests.
type place struct {
	city, country string
	lat, lon      float64
}

var (
	seattle   = place{"Seattle", "US", 47.6062, -122.3321}
	london    = place{"London", "GB", 51.5074, -0.1278}
	boston    = place{"Boston", "US", 42.3601, -71.0589}
	noCoord   = place{"Nowhere", "ZZ", math.NaN(), math.NaN()}
	zeroPlace = place{"", "", 0, 0}
	east      = place{"East", "FJ", 0, 179.5}
	west      = place{"West", "WS", 0, -179.5}
	zero      = place{"Zero", "EC", 0, 10}
)

// signInAt is a sign-in of the travel tests.
type signInAt struct {
	at     time.Duration
	user   string
	place  place
	status string
}

// placeRows are the sign-ins as rows of placeColumns.
func placeRows(sis []signInAt) [][]result.Value {
	var rows [][]result.Value
	for i, s := range sis {
		coord := func(x float64) result.Value {
			if math.IsNaN(x) {
				return result.Null(signin.KindFloat)
			}
			return result.FloatValue(x)
		}
		status := s.status
		if status == "" {
			status = "success"
		}
		rows = append(rows, []result.Value{result.TimeValue(stagetest.Start.Add(s.at)), result.StringValue(s.user),
			result.StringValue(fmt.Sprintf("10.0.0.%d", i)), result.StringValue(s.place.country), result.StringValue(s.place.city),
			coord(s.place.lat), coord(s.place.lon), result.StringValue(status)})
	}
	return rows
}

// TestTravel checks travel's thresholds, places without coordinates,
// the antimeridian, familiar places, statuses and input order.
func TestTravel(t *testing.T) {
	const h = time.Hour
	// eq is a point on the equator d km east of zero.
	eq := func(km float64) place {
		return place{"East of zero", "CO", 0, 10 + km/haversine(0, 0, 0, 1)}
	}
	exact := haversine(0, 10, 0, eq(1000).lon) // 1000 km, give or take rounding
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	cases := []struct {
		name string
		args string
		sis  []signInAt
		want []string // "user prevCity city km"
	}{
		{"too fast", "", []signInAt{{0, "a", seattle, ""}, {h, "a", london, ""}}, []string{"a Seattle London 7700"}},
		{"slow enough", "", []signInAt{{0, "a", seattle, ""}, {9 * h, "a", london, ""}}, nil},
		{"speed at the threshold", "speed=" + f(exact), []signInAt{{0, "a", zero, ""}, {h, "a", eq(1000), ""}}, nil},
		{"speed just above", "speed=" + f(exact-0.001), []signInAt{{0, "a", zero, ""}, {h, "a", eq(1000), ""}}, []string{"a Zero East of zero 1000"}},
		{"distance at the minimum", "speed=10 distance=" + f(exact), []signInAt{{0, "a", zero, ""}, {h, "a", eq(1000), ""}}, []string{"a Zero East of zero 1000"}},
		{"distance below the minimum", "speed=10 distance=" + f(exact+0.001), []signInAt{{0, "a", zero, ""}, {h, "a", eq(1000), ""}}, nil},
		{"same place", "distance=0", []signInAt{{0, "a", london, ""}, {0, "a", london, ""}, {time.Second, "a", london, ""}}, nil},
		{"same second", "", []signInAt{{0, "a", seattle, ""}, {0, "a", london, ""}}, []string{"a London Seattle 7700"}},
		{"missing coordinates", "", []signInAt{{0, "a", seattle, ""}, {h / 2, "a", noCoord, ""}, {h, "a", zeroPlace, ""}, {2 * h, "a", london, ""}},
			[]string{"a Seattle London 7700"}},
		{"antimeridian", "", []signInAt{{0, "a", east, ""}, {time.Minute, "a", west, ""}}, nil},
		{"antimeridian, short", "speed=10 distance=50", []signInAt{{0, "a", east, ""}, {time.Minute, "a", west, ""}}, []string{"a East West 111"}},
		{"users apart", "", []signInAt{{0, "a", seattle, ""}, {time.Minute, "b", london, ""}, {h, "a", seattle, ""}}, nil},
		{"failures left out", "", []signInAt{{0, "a", seattle, ""}, {h, "a", london, "failure"}}, nil},
		{"all statuses", "status=all", []signInAt{{0, "a", seattle, ""}, {h, "a", london, "failure"}}, []string{"a Seattle London 7700"}},
		{"places familiar from the day after", "familiar=1", []signInAt{
			{0, "a", seattle, ""}, {h, "a", london, ""}, {24 * h, "a", seattle, ""}, {25 * h, "a", london, ""}},
			[]string{"a Seattle London 7700"}},
		{"places familiar after two days", "", []signInAt{
			{0, "a", seattle, ""}, {h, "a", london, ""}, {24 * h, "a", seattle, ""}, {25 * h, "a", london, ""},
			{48 * h, "a", seattle, ""}, {49 * h, "a", london, ""}},
			[]string{"a Seattle London 7700", "a Seattle London 7700"}},
		{"two sign-ins on one day are one day", "", []signInAt{
			{0, "a", seattle, ""}, {h, "a", seattle, ""}, {2 * h, "a", london, ""}, {3 * h, "a", london, ""},
			{24 * h, "a", seattle, ""}, {25 * h, "a", london, ""}},
			[]string{"a Seattle London 7700", "a Seattle London 7700"}},
		{"one familiar place", "", []signInAt{
			{0, "a", seattle, ""}, {24 * h, "a", seattle, ""}, {48 * h, "a", seattle, ""}, {49 * h, "a", london, ""}},
			[]string{"a Seattle London 7700"}},
		{"an attacker back on later days is reported on the first", "", []signInAt{
			{0, "a", seattle, ""}, {24 * h, "a", seattle, ""},
			{48 * h, "a", seattle, ""}, {49 * h, "a", london, ""}, {50 * h, "a", seattle, ""},
			{72 * h, "a", seattle, ""}, {73 * h, "a", london, ""}, {74 * h, "a", seattle, ""},
			{96 * h, "a", seattle, ""}, {97 * h, "a", london, ""}, {98 * h, "a", seattle, ""}},
			[]string{"a Seattle London 7700", "a London Seattle 7700", "a Seattle London 7700", "a London Seattle 7700"}},
		{"one country", "", []signInAt{{0, "a", seattle, ""}, {h, "a", boston, ""}}, nil},
		{"one country, compared", "samecountry=true", []signInAt{{0, "a", seattle, ""}, {h, "a", boston, ""}}, []string{"a Seattle Boston 4000"}},
		{"one country in any case", "", []signInAt{{0, "a", seattle, ""}, {h, "a", place{"Boston", "us", boston.lat, boston.lon}, ""}}, nil},
		{"no country is another", "", []signInAt{{0, "a", seattle, ""}, {h, "a", place{"Boston", "", boston.lat, boston.lon}, ""}}, []string{"a Seattle Boston 4000"}},
		{"no place familiar", "familiar=0", []signInAt{
			{0, "a", seattle, ""}, {h, "a", london, ""}, {24 * h, "a", seattle, ""}, {25 * h, "a", london, ""}},
			[]string{"a Seattle London 7700", "a Seattle London 7700"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := placeRows(c.sis)
			for _, order := range []string{"as given", "newest first", "shuffled"} {
				in := slices.Clone(rows)
				switch order {
				case "newest first":
					slices.Reverse(in)
				case "shuffled":
					for i := range in {
						j := (i*7 + 3) % len(in)
						in[i], in[j] = in[j], in[i]
					}
				}
				cols, out, err := stagetest.RunArgs(t, travel{}, stagetest.Args(c.args), placeColumns, in, &plugins.Env{})
				if err != nil {
					t.Fatal(err)
				}
				if len(cols) != 11 || cols[9].Name != "km" || cols[10].Name != "kmh" {
					t.Fatalf("columns %v", cols)
				}
				var got []string
				for _, r := range out {
					got = append(got, fmt.Sprintf("%s %s %s %d", r[0], r[4], r[8], r[9].Int()))
					if r[10].Int() <= 0 || !r[1].Time().Before(r[5].Time()) && !r[1].Equal(r[5]) {
						t.Errorf("%s: row %v: speed or times wrong", order, r)
					}
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("%s: got %q, want %q", order, got, c.want)
				}
			}
		})
	}
}

// TestTravelSpeed checks the distance and speed reported.
func TestTravelSpeed(t *testing.T) {
	_, out, err := stagetest.RunArgs(t, travel{}, nil, placeColumns, placeRows([]signInAt{{0, "a", seattle, ""}, {30 * time.Minute, "a", london, ""}}), nil)
	if err != nil || len(out) != 1 {
		t.Fatalf("%v, %v", out, err)
	}
	// Seattle to London is 7,700 km or so (great circle).
	if km, kmh := out[0][9].Int(), out[0][10].Int(); km < 7650 || km > 7750 || kmh != int64(math.Round(haversine(seattle.lat, seattle.lon, london.lat, london.lon)*2)) {
		t.Errorf("km %d, km/h %d", km, kmh)
	}
	if d := haversine(0, 0, 0, 180); math.Abs(d-math.Pi*6371.0088) > 1e-6 {
		t.Errorf("half the zero is %v km", d)
	}
}

// TestTravelErrors: bad arguments and missing columns are errors.
func TestTravelErrors(t *testing.T) {
	for _, c := range []struct {
		args, want string
		in         []result.Column
	}{
		{"speed=fast", "speed", placeColumns},
		{"speed=-1", "speed", placeColumns},
		{"distance=NaN", "distance", placeColumns},
		{"status=sometimes", "status", placeColumns},
		{"familiar=x", "familiar", placeColumns},
		{"samecountry=true", "needs a latitude column", slices.Delete(slices.Clone(placeColumns), 5, 6)},
		{"", "needs the store", slices.Delete(slices.Clone(placeColumns), 5, 6)},
		{"", "needs the time and user", append([]result.Column{{Name: "user", Kind: signin.KindString}}, placeColumns[:1]...)},
		{"samecountry=maybe", "samecountry", placeColumns},
		{"shared=some", "shared", placeColumns},
		{"shared=-1", "shared", placeColumns},
		{"baseline=1y", "baseline", placeColumns},
		{"baseline=-1d", "baseline", placeColumns},
		{"", "not times", append([]result.Column{{Name: "time", Kind: signin.KindString}}, placeColumns[1:]...)},
	} {
		_, _, err := stagetest.RunArgs(t, travel{}, stagetest.Args(c.args), c.in, nil, &plugins.Env{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("travel %s: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	n, err := travel{}.Needs(stagetest.MustBindMap(t, travel{}, map[string]string{"speed": "1000", "distance": "500", "status": "all", "familiar": "2", "samecountry": "true", "shared": "5", "baseline": "30d"}))
	if err != nil || n.Where != nil || !slices.Contains(n.Fields, "latitude") || !n.Stream {
		t.Errorf("Needs = %+v, %v", n, err)
	}
	n, err = travel{}.Needs(stagetest.MustBindMap(t, travel{}, map[string]string{"speed": "1000", "distance": "500", "status": "success", "familiar": "2", "samecountry": "false", "shared": "0", "baseline": "0"}))
	if err != nil || stagetest.WhereText(n.Where) != "status = success" || !slices.Equal(n.Fields, []string{"time", "user"}) || !n.Stream {
		t.Errorf("Needs = %+v, %v", n, err)
	}
}

// TestTravelStore: by default, travel asks the store which users signed
// in from several countries in the window, skips the others' rows, and,
// when the rows are only times and users (what it Needs), reads the
// places of the sign-ins of those rows from the store; it asks the store
// for the users' history before the window, and who else signed in from
// the addresses of the pairs it would report.
func TestTravelStore(t *testing.T) {
	const h = time.Hour
	sis := []signInAt{
		{0, "A@x", seattle, ""}, {h, "a@x", london, ""}, // a travels
		{0, "b@x", seattle, ""}, {h, "b@x", london, ""}, // b too, but the store says b used one country
		{10 * h, "a@x", seattle, ""}, // a sign-in the list's condition left out
	}
	stored := placeRows(sis)
	in := []result.Column{placeColumns[0], placeColumns[1]}
	var rows [][]result.Value
	for _, r := range stored[:4] {
		rows = append(rows, []result.Value{r[0], r[1]})
	}
	var queries []string
	var hist, addrs [][]result.Value // what the store says of the history and the addresses
	day := func(d int) result.Value { return result.TimeValue(stagetest.Start.AddDate(0, 0, d)) }
	env := &plugins.Env{From: stagetest.Start.UnixNano(), To: stagetest.Start.Add(24 * h).UnixNano(), Query: func(_ context.Context, built *ast.Query) (*result.Result, error) {
		q := built.String()
		queries = append(queries, q)
		switch {
		case strings.HasSuffix(q, "group by user, country"):
			return &result.Result{Columns: []result.Column{{Name: "user"}, {Name: "country"}, {Name: "count"}},
				Rows: [][]result.Value{
					{result.StringValue("a@x"), result.StringValue("US"), result.IntValue(2)},
					{result.StringValue("A@X"), result.StringValue("gb"), result.IntValue(1)},
					{result.StringValue("b@x"), result.StringValue("US"), result.IntValue(2)},
					{result.StringValue(""), result.StringValue("FR"), result.IntValue(2)},
				}}, nil
		case strings.HasSuffix(q, "group by user, country, city, bin(1d)"):
			return &result.Result{Columns: []result.Column{{Name: "user"}, {Name: "country"}, {Name: "city"},
				{Name: "time", Kind: signin.KindTime}, {Name: "count"}}, Rows: hist}, nil
		case strings.HasSuffix(q, "group by ip, user, bin(1d)"):
			return &result.Result{Columns: []result.Column{{Name: "ip"}, {Name: "user"},
				{Name: "time", Kind: signin.KindTime}, {Name: "count"}}, Rows: addrs}, nil
		}
		var out [][]result.Value
		for _, r := range stored {
			if strings.EqualFold(r[1].Str(), "a@x") {
				out = append(out, r[:7])
			}
		}
		slices.Reverse(out)
		return &result.Result{Columns: placeColumns[:7], Rows: out}, nil
	}}
	run := func(in []result.Column, rows [][]result.Value) []string {
		t.Helper()
		queries = nil
		_, out, err := stagetest.RunArgs(t, travel{}, nil, in, rows, env)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range out {
			got = append(got, fmt.Sprintf("%s %s %s %s", r[0], r[4], r[8], r[6]))
		}
		return got
	}
	// a is judged from the first sign-in the store has of it: with no
	// history, every place is new.
	if got, want := run(in, rows), []string{"A@x Seattle London 10.0.0.1"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	want := []string{
		`count where status = success between 2026-10-20T00:00:00Z and 2026-10-21T00:00:00Z group by user, country`,
		`list time, user, ip, country, city, latitude, longitude where user in ("a@x") and status = success between 2026-10-20T00:00:00Z and 2026-10-21T00:00:00Z`,
		`count where status = success and user in ("a@x") between 2026-09-20T00:00:00Z and 2026-10-20T00:00:00Z group by user, country, city, bin(1d)`,
		`count where status = success and ip in ("10.0.0.0", "10.0.0.1") between 2026-09-20T00:00:00Z and 2026-10-21T00:00:00Z group by ip, user, bin(1d)`,
	}
	if !slices.Equal(queries, want) {
		t.Errorf("queries %q, want %q", queries, want)
	}
	// With every column, it reads the rows' places, for a's rows alone.
	if got := run(placeColumns, stored[:4]); len(got) != 1 || slices.ContainsFunc(queries, func(q string) bool { return strings.HasPrefix(q, "list") }) {
		t.Errorf("with places: %v, queries %q", got, queries)
	}
	// Both places used on two days of the history: familiar (in any
	// case; a row of another user, or without a place, counts not).
	hist = [][]result.Value{
		{result.StringValue("a@x"), result.StringValue("US"), result.StringValue("Seattle"), day(-3), result.IntValue(4)},
		{result.StringValue("A@x"), result.StringValue("us"), result.StringValue("seattle"), day(-2), result.IntValue(1)},
		{result.StringValue("a@x"), result.StringValue("GB"), result.StringValue("London"), day(-5), result.IntValue(1)},
		{result.StringValue("a@x"), result.StringValue("GB"), result.StringValue("London"), day(-4), result.IntValue(1)},
	}
	if got := run(in, rows); len(got) != 0 {
		t.Errorf("with both places familiar: %q", got)
	}
	hist = hist[:3] // London on one day
	hist = append(hist,
		[]result.Value{result.StringValue("b@x"), result.StringValue("GB"), result.StringValue("London"), day(-4), result.IntValue(1)},
		[]result.Value{result.StringValue("a@x"), result.StringValue(""), result.StringValue(""), day(-4), result.IntValue(1)})
	if got := run(in, rows); len(got) != 1 {
		t.Errorf("with London on one day: %q", got)
	}
	// London's address is the organization's when five other users
	// signed in from it before the day (the same user, or a user on the
	// day, counts not).
	addrs = nil
	for i, d := range []int{-1, -9, -2, -1, -30, 0, -1} {
		user := fmt.Sprintf("u%d@x", i)
		if i == 6 {
			user = "A@X"
		}
		addrs = append(addrs, []result.Value{result.StringValue("10.0.0.1"), result.StringValue(user), day(d), result.IntValue(1)})
	}
	if got := run(in, rows); len(got) != 0 {
		t.Errorf("with London's address the organization's: %q", got)
	}
	addrs = addrs[1:]
	if got := run(in, rows); len(got) != 1 {
		t.Errorf("with London's address used by four others: %q", got)
	}
	// A store's error is the stage's.
	env.Query = func(context.Context, *ast.Query) (*result.Result, error) { return nil, errors.New("no store") }
	if _, _, err := stagetest.RunArgs(t, travel{}, nil, in, rows, env); err == nil || !strings.Contains(err.Error(), "no store") {
		t.Errorf("a failing query: %v", err)
	}
}

// TestTravelShared: without a store, the rows say which addresses are
// the organization's: those at least shared other users signed in from
// on an earlier day.
func TestTravelShared(t *testing.T) {
	const h = time.Hour
	vpn := place{"Amsterdam", "NL", 52.37, 4.90}
	sis := []signInAt{{48 * h, "a", seattle, ""}, {48*h + 5*time.Minute, "a", vpn, ""}, {0, "a", seattle, ""}, {24 * h, "a", seattle, ""}}
	for i := range 6 {
		sis = append(sis, signInAt{time.Duration(i) * time.Minute, fmt.Sprintf("u%d", i), vpn, ""})
	}
	rows := placeRows(sis)
	for i, r := range rows {
		if i == 1 || i >= 4 {
			r[2] = result.StringValue("185.199.40.1") // the VPN's address
		}
	}
	for _, c := range []struct {
		args string
		want int
	}{{"", 0}, {"shared=6", 0}, {"shared=7", 1}, {"shared=0", 1}, {"familiar=0", 1}} {
		_, out, err := stagetest.RunArgs(t, travel{}, stagetest.Args(c.args), placeColumns, rows, &plugins.Env{})
		if err != nil || len(out) != c.want {
			t.Errorf("travel %s: %v, %v; want %d rows", c.args, out, err, c.want)
		}
	}
	// Others on the same day do not count.
	for _, r := range rows[4:] {
		r[0] = result.TimeValue(stagetest.Start.Add(48*h + time.Minute))
	}
	if _, out, err := stagetest.RunArgs(t, travel{}, nil, placeColumns, rows, &plugins.Env{}); err != nil || len(out) != 1 {
		t.Errorf("others on the same day: %v, %v", out, err)
	}
}

// FuzzTravel feeds random rows: travel must not panic.
func FuzzTravel(f *testing.F) {
	f.Add([]byte("\x04\x01\x01\x02\x01\x03\x01\x04\x03\x01\x03\x02\x01\x05\x04\x09\x01\x01\x01\x02\x01\x03\x01\x06\x03\x07\x03\x00\x01\x05"), "10", "0")
	f.Add([]byte("some other seed, longer, with more rows in it"), "1000", "500")
	f.Fuzz(func(t *testing.T, data []byte, speed, distance string) {
		in, rows := stagetest.FuzzRows(data, placeColumns)
		_, _, _ = stagetest.RunArgs(t, travel{}, []plugins.StageArg{{Value: speed}, {Value: distance}, {Value: "all"}}, in, rows, &plugins.Env{})
	})
}

// TestTravelFromParts checks what travel reads from the snapshot rather
// than from rows or queries (storeCandidates, readTimes) against a
// reading of the stored records one by one: random sign-ins over three
// days, stored in two batches (so that a day has two parts), of users
// spelt in two cases or without a name, in countries spelt in two cases
// or none, of every status, and of many users of one country; random
// windows. The seed is a fixed one,
// else $SIGNINQ_TRAVEL_SEED's, and logged.
func TestTravelFromParts(t *testing.T) {
	seed := uint64(20261206)
	if s := os.Getenv("SIGNINQ_TRAVEL_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("SIGNINQ_TRAVEL_SEED: %v", err)
		}
	}
	t.Logf("seed %d (replay with SIGNINQ_TRAVEL_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	users := []string{"", "alice@contoso.com", "Alice@Contoso.com", "bob@contoso.com", "carol@contoso.com", "dave@contoso.com"}
	countries := []string{"", "US", "us", "FR", "DE"}
	statuses := []signin.Status{signin.StatusSuccess, signin.StatusFailure, signin.StatusInterrupted}
	var recs []signin.Record
	for i := range 400 {
		r := signin.New()
		r.ID = fmt.Sprintf("id-%d", i)
		r.Time = stagetest.Start.Add(time.Duration(rng.Int64N(int64(3 * 24 * time.Hour))))
		r.User, r.Country, r.Status = users[rng.IntN(len(users))], countries[rng.IntN(len(countries))], statuses[rng.IntN(len(statuses))]
		if r.User == "carol@contoso.com" {
			r.Country = "FR" // one country only
		}
		r.IP = fmt.Sprintf("10.0.0.%d", rng.IntN(5))
		r.City = []string{"", "Paris", "Lyon"}[rng.IntN(3)]
		if rng.IntN(6) > 0 {
			r.Latitude, r.Longitude = float64(rng.IntN(3)), float64(rng.IntN(3))
		}
		if len(recs) > 0 && rng.IntN(3) == 0 {
			// Sign-ins at the same time as another: the list orders
			// them by id.
			r.Time = recs[rng.IntN(len(recs))].Time
		}
		if i%2 == 0 {
			// Many users of one country each, so that the candidates are
			// few of a part's users (whose rows it reads by bitmap).
			r.User, r.Country = fmt.Sprintf("user%d@contoso.com", rng.IntN(60)), "JP"
		}
		recs = append(recs, r)
	}
	snap := storedSnapshot(t, recs, 200)
	ctx := context.Background()
	placesSeen := 0
	for round := range 40 {
		status := []string{"success", "failure", ""}[rng.IntN(3)]
		from := stagetest.Start.Add(time.Duration(rng.Int64N(int64(48*time.Hour))) - 12*time.Hour)
		to := from.Add(time.Duration(1 + rng.Int64N(int64(60*time.Hour))))
		r := &travel{status: status}
		env := &plugins.Env{Snapshot: snap, From: from.UnixNano(), To: to.UnixNano(), Parts: snap.PartsBetween(from, to)}
		env.Selected = func(ctx context.Context, p *engine.Part) (*roaring.Bitmap, error) {
			lo, hi, err := snap.Rows(p, from, to)
			if err != nil {
				return nil, err
			}
			return baseline.StatusRows(snap, p, status, lo, hi)
		}
		in := func(rec signin.Record) bool {
			return !rec.Time.Before(from) && rec.Time.Before(to) && (status == "" || rec.Status.String() == status)
		}
		// The users of several countries, and their sign-ins' times.
		countriesOf := map[string]map[string]bool{}
		for _, rec := range recs {
			if u := baseline.Fold(rec.User); in(rec) && u != "" {
				if countriesOf[u] == nil {
					countriesOf[u] = map[string]bool{}
				}
				countriesOf[u][baseline.Fold(rec.Country)] = true
			}
		}
		wantCands := map[string]bool{}
		for u, cs := range countriesOf {
			if len(cs) > 1 {
				wantCands[u] = true
			}
		}
		wantTimes, wantNames := map[string]map[int64]int{}, map[string]userName{}
		for _, rec := range recs {
			if u := baseline.Fold(rec.User); in(rec) && wantCands[u] {
				if wantTimes[u] == nil {
					wantTimes[u] = map[int64]int{}
				}
				wantTimes[u][rec.Time.UnixNano()]++
				wantNames[rec.User] = userName{key: u}
			}
		}
		cands, err := r.storeCandidates(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(cands, wantCands) {
			t.Errorf("round %d (%s, %v..%v): candidates %v, want %v", round, status, from, to, cands, wantCands)
		}
		times, names, err := r.readTimes(ctx, env, wantCands)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.EqualFunc(times, wantTimes, maps.Equal) || !maps.Equal(names, wantNames) {
			t.Errorf("round %d (%s, %v..%v): times %v, names %v; want %v, %v", round, status, from, to, times, names, wantTimes, wantNames)
		}
		// Their places: every sign-in of the candidates with coordinates
		// (the rows are the store's), those of a time in the list's
		// order (by id).
		users := map[string][]signIn{}
		if err := r.storePlaces(ctx, env, times, users); err != nil {
			t.Fatal(err)
		}
		wantPlaces := map[string][]string{}
		for _, rec := range recs {
			u := baseline.Fold(rec.User)
			if !in(rec) || !wantCands[u] || math.IsNaN(rec.Latitude) || rec.Latitude == 0 && rec.Longitude == 0 {
				continue
			}
			place := where{city: rec.City, country: rec.Country}
			if place == (where{}) {
				place.coords = fmt.Sprintf("%.1f,%.1f", rec.Latitude, rec.Longitude)
			}
			wantPlaces[u] = append(wantPlaces[u], fmt.Sprintf("%d %s %v %v %v %s", rec.Time.UnixNano(), rec.ID, rec.Latitude, rec.Longitude, place, rec.IP))
		}
		gotPlaces := map[string][]string{}
		for u, sis := range users {
			slices.SortStableFunc(sis, func(a, b signIn) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.seq, b.seq)) })
			for _, si := range sis {
				gotPlaces[u] = append(gotPlaces[u], fmt.Sprintf("%d %v %v %v %s", si.t, si.lat, si.lon, si.place, si.ip))
			}
		}
		for _, ws := range wantPlaces {
			// By time, then id (the list's order of a time); the id is
			// not kept.
			slices.SortFunc(ws, func(a, b string) int {
				fa, fb := strings.Fields(a), strings.Fields(b)
				ta, _ := strconv.ParseInt(fa[0], 10, 64)
				tb, _ := strconv.ParseInt(fb[0], 10, 64)
				return cmp.Or(cmp.Compare(ta, tb), strings.Compare(fa[1], fb[1]))
			})
			for i, w := range ws {
				f := strings.SplitN(w, " ", 3)
				ws[i] = f[0] + " " + f[2]
			}
		}
		for _, ws := range wantPlaces {
			placesSeen += len(ws)
		}
		if !maps.EqualFunc(gotPlaces, wantPlaces, slices.Equal) {
			t.Errorf("round %d (%s, %v..%v): places\n%v\nwant\n%v", round, status, from, to, gotPlaces, wantPlaces)
		}
	}
	if placesSeen < 20 {
		t.Errorf("%d places read in all: the test shows little", placesSeen)
	}
}
