package script

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// loadSources writes scripts into a new directory and loads them into a
// new registry.
func loadSources(t *testing.T, opts Options, files map[string]string) (*plugins.Registry, error) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reg := plugins.NewRegistry()
	return reg, Load(dir, reg, opts)
}

func loadExamples(t *testing.T) *plugins.Registry {
	t.Helper()
	reg := plugins.NewRegistry()
	if err := Load("examples", reg, Options{}); err != nil {
		t.Fatal(err)
	}
	return reg
}

func lookupStage(t *testing.T, reg *plugins.Registry, name string) plugins.Stage {
	t.Helper()
	p, ok := reg.Lookup(name)
	if !ok {
		t.Fatalf("%s is not registered (have %v)", name, reg.Names(0))
	}
	s, ok := p.(plugins.Stage)
	if !ok {
		t.Fatalf("%s is a %v, not a stage", name, p.Describe().Kind)
	}
	return s
}

func lookupFunction(t *testing.T, reg *plugins.Registry, name string) plugins.Function {
	t.Helper()
	p, ok := reg.Lookup(name)
	if !ok {
		t.Fatalf("%s is not registered (have %v)", name, reg.Names(0))
	}
	f, ok := p.(plugins.Function)
	if !ok {
		t.Fatalf("%s is a %v, not a function", name, p.Describe().Kind)
	}
	return f
}

// runStage binds a stage with args (the others at their defaults) and
// runs it over rows.
func runStage(t *testing.T, s plugins.Stage, args []plugins.StageArg, cols []result.Column, rows [][]result.Value, env *plugins.Env) ([]result.Column, [][]result.Value, error) {
	t.Helper()
	bound, err := plugins.BindArgs(s.Describe(), args)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Bind(bound, cols)
	if err != nil {
		return nil, nil, err
	}
	if env == nil {
		env = &plugins.Env{Now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	}
	var out [][]result.Value
	err = r.Run(t.Context(), env, slices.Values(rows), func(row []result.Value) error {
		out = append(out, row)
		return nil
	})
	return r.Columns(), out, err
}

var vpnCols = []result.Column{
	{Name: "time", Kind: signin.KindTime, Field: "time"},
	{Name: "user", Kind: signin.KindString, Field: "user"},
	{Name: "ip", Kind: signin.KindString, Field: "ip"},
	{Name: "asn", Kind: signin.KindInt, Field: "asn"},
}

func vpnRow(asn result.Value) []result.Value {
	return []result.Value{result.TimeValue(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
		result.StringValue("ada@contoso.com"), result.StringValue("159.203.1.2"), asn}
}

// TestVPN runs the example stage on hand-built rows.
func TestVPN(t *testing.T) {
	reg := loadExamples(t)
	s := lookupStage(t, reg, "vpn")
	d := s.Describe()
	if d.Kind != plugins.KindStage || !d.Streams || d.Usage() != "vpn [asns]" || d.Example == "" || d.Help == "" {
		t.Errorf("descriptor %+v", d)
	}
	if got := strings.Join(d.Output, " "); got != "time user ip asn vpn" {
		t.Errorf("output %q", got)
	}
	n, ok := s.(plugins.Needer)
	if !ok {
		t.Fatal("vpn declares needs but is no Needer")
	}
	needs, err := n.Needs(nil)
	if err != nil || strings.Join(needs.Fields, " ") != "time user ip asn" || needs.Where != nil {
		t.Errorf("needs %+v, %v", needs, err)
	}

	rows := [][]result.Value{
		vpnRow(result.IntValue(14061)), // DigitalOcean
		vpnRow(result.IntValue(7922)),  // Comcast
		vpnRow(result.Null(signin.KindInt)),
	}
	cols, out, err := runStage(t, s, nil, vpnCols, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 5 || cols[4] != (result.Column{Name: "vpn", Kind: signin.KindBool}) || cols[3] != vpnCols[3] {
		t.Fatalf("columns %+v", cols)
	}
	want := []result.Value{result.BoolValue(true), result.BoolValue(false), result.Null(signin.KindBool)}
	if len(out) != len(rows) {
		t.Fatalf("%d rows out of %d", len(out), len(rows))
	}
	for i, row := range out {
		for j := range 4 {
			if !row[j].Equal(rows[i][j]) || row[j].Kind() != rows[i][j].Kind() || row[j].IsNull() != rows[i][j].IsNull() {
				t.Errorf("row %d column %s: %v, want it passed on as %v", i, cols[j].Name, row[j], rows[i][j])
			}
		}
		if !row[4].Equal(want[i]) || row[4].IsNull() != want[i].IsNull() {
			t.Errorf("row %d: vpn %v, want %v", i, row[4], want[i])
		}
	}

	// With the argument: AS prefixes, spaces.
	_, out, err = runStage(t, s, []plugins.StageArg{{Name: "asns", Value: "AS7922, 1"}}, vpnCols, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !out[0][4].Equal(result.BoolValue(false)) || !out[1][4].Equal(result.BoolValue(true)) {
		t.Errorf("asns=AS7922: vpn %v, %v", out[0][4], out[1][4])
	}

	// Without the asn column, Bind says so.
	asns1, err := plugins.BindArgs(s.Describe(), []plugins.StageArg{{Name: "asns", Value: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bind(asns1, vpnCols[:3]); err == nil || !strings.Contains(err.Error(), "needs the field asn") {
		t.Errorf("bind without asn: %v", err)
	}
	// An input with a vpn column already cannot take another.
	withVPN := append(slices.Clone(vpnCols), result.Column{Name: "vpn", Kind: signin.KindBool})
	if _, err := s.Bind(asns1, withVPN); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("bind with a vpn column: %v", err)
	}
}

// TestOffhours calls the example function through the plugins interface.
func TestOffhours(t *testing.T) {
	f := lookupFunction(t, loadExamples(t), "offhours")
	if d := f.Describe(); d.Kind != plugins.KindFunction || d.Usage() != "offhours(t)" {
		t.Errorf("descriptor %+v", d)
	}
	if k, err := f.Result([]signin.Kind{signin.KindTime}); err != nil || k != signin.KindBool {
		t.Errorf("Result(time): %v, %v", k, err)
	}
	if _, err := f.Result([]signin.Kind{signin.KindString}); err == nil || !strings.Contains(err.Error(), "offhours's t is time, not a string") {
		t.Errorf("Result(string): %v", err)
	}
	if _, err := f.Result(nil); err == nil || !strings.Contains(err.Error(), "takes 1 arguments") {
		t.Errorf("Result(): %v", err)
	}
	for _, tc := range []struct {
		t    string
		want bool
	}{
		{"2026-11-30T10:00:00Z", false}, // Monday
		{"2026-11-30T07:59:59Z", true},
		{"2026-11-30T08:00:00Z", false},
		{"2026-11-30T17:59:59.999Z", false},
		{"2026-11-30T18:00:00Z", true},
		{"2026-12-04T12:00:00Z", false}, // Friday
		{"2026-12-05T12:00:00Z", true},  // Saturday
		{"2026-12-06T12:00:00Z", true},  // Sunday
	} {
		tm, err := time.Parse(time.RFC3339Nano, tc.t)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Eval([]result.Value{result.TimeValue(tm)})
		if err != nil || got.Kind() != signin.KindBool || got.Bool() != tc.want {
			t.Errorf("offhours(%s) = %v, %v; want %v", tc.t, got, err, tc.want)
		}
	}
	got, err := f.Eval([]result.Value{result.Null(signin.KindTime)})
	if err != nil || !got.IsNull() || got.Kind() != signin.KindBool {
		t.Errorf("offhours(null) = %v (null %v), %v; want a null bool", got, got.IsNull(), err)
	}
}

// TestValues passes every kind of value through a script and back, and
// reads a time's attributes and a stage's ctx.
func TestValues(t *testing.T) {
	var printed strings.Builder
	reg, err := loadSources(t, Options{Print: &printed}, map[string]string{"echo.star": `
print("loading", 1)
def _run(rows, ctx):
    for row in rows:
        ctx.emit(row)
    ctx.emit([None] * len(ctx.output))
    ctx.emit({"info": "%s %s %s %s %r" % (ctx.now, ctx.since, ctx.until, ctx.columns, ctx.args)})

stage(name="echo", run=_run, output=[("info", "string")],
      args=[arg("n", "number", default=2), arg("w", "duration", default="90m"), arg("s", "string", default="x y"),
            arg("f", "field", default="s")])

def _attrs(t, d):
    return "%d-%d-%d %d:%d:%d.%d wd%d yd%d %d %d %s %s %r" % (t.year, t.month, t.day, t.hour, t.minute, t.second,
        t.nanosecond, t.weekday, t.yearday, t.unix, t.unix_nano, t, unix_time(t.unix) == unix_time(t.unix + 0.0), d)

function(name="attrs", args=[arg("t", "field"), arg("d", "duration", default="1500ms")], result="string", eval=_attrs)
`})
	if err != nil {
		t.Fatal(err)
	}
	if got := printed.String(); !strings.HasSuffix(got, "echo.star:2: loading 1\n") {
		t.Errorf("print wrote %q", got)
	}
	cols := []result.Column{
		{Name: "s", Kind: signin.KindString}, {Name: "i", Kind: signin.KindInt}, {Name: "f", Kind: signin.KindFloat},
		{Name: "t", Kind: signin.KindTime}, {Name: "b", Kind: signin.KindBool}, {Name: "l", Kind: signin.KindList},
	}
	tm := time.Date(2026, 2, 3, 4, 5, 6, 7, time.UTC)
	rows := [][]result.Value{
		{result.StringValue("é"), result.IntValue(-1 << 62), result.FloatValue(0.5), result.TimeValue(tm), result.BoolValue(true), result.ListValue([]string{"a", "b"})},
		{result.StringValue(""), result.IntValue(0), result.FloatValue(-3), result.TimeValue(time.Unix(0, 0)), result.BoolValue(false), result.ListValue(nil)},
	}
	var nulls []result.Value
	for _, c := range cols {
		nulls = append(nulls, result.Null(c.Kind))
	}
	rows = append(rows, nulls)
	env := &plugins.Env{Now: tm, From: tm.Add(-time.Hour).UnixNano(), To: 1 << 62}
	outCols, out, err := runStage(t, lookupStage(t, reg, "echo"), nil, cols, rows, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(rows)+2 {
		t.Fatalf("%d rows, want %d", len(out), len(rows)+2)
	}
	for i, row := range rows {
		for j, v := range row {
			got := out[i][j]
			if !got.Equal(v) || got.IsNull() != v.IsNull() || got.Kind() != v.Kind() {
				t.Errorf("row %d column %s: %v (%v, null %v) came back as %v (%v, null %v)", i, cols[j].Name, v, v.Kind(), v.IsNull(), got, got.Kind(), got.IsNull())
			}
		}
	}
	for j, v := range out[len(rows)] {
		if !v.IsNull() || v.Kind() != outCols[j].Kind {
			t.Errorf("a row of None: column %s is %v", outCols[j].Name, v)
		}
	}
	info := out[len(rows)+1][6].Str()
	if want := `2026-02-03T04:05:06.000000007Z 2026-02-03T03:05:06.000000007Z 2116-02-20T23:53:38.427387904Z ("s", "i", "f", "t", "b", "l") {"n": 2, "w": 5400, "s": "x y", "f": "s"}`; info != want {
		t.Errorf("ctx:\n%s\nwant\n%s", info, want)
	}

	f := lookupFunction(t, reg, "attrs")
	got, err := f.Eval([]result.Value{result.TimeValue(tm)})
	if want := "2026-2-3 4:5:6.7 wd1 yd34 1770091506 1770091506000000007 2026-02-03T04:05:06.000000007Z True 1.5"; err != nil || got.Str() != want {
		t.Errorf("attrs = %q, %v; want %q", got.Str(), err, want)
	}
	// The query gives durations in nanoseconds; scripts see seconds.
	got, err = f.Eval([]result.Value{result.TimeValue(tm), result.IntValue(int64(2 * time.Hour))})
	if err != nil || !strings.HasSuffix(got.Str(), " 7200") {
		t.Errorf("attrs with 2h = %q, %v", got.Str(), err)
	}
}

// TestStageArgs checks the arguments a script's stage sees, bound by
// their declared types: a number written whole as an int, else a float;
// a duration in seconds, 0 included; a string or a field as written; and
// the errors of values that are not of their types, at the argument.
func TestStageArgs(t *testing.T) {
	reg, err := loadSources(t, Options{}, map[string]string{"args.star": `
def _run(rows, ctx):
    ctx.emit({"info": "%r" % ctx.args})

stage(name="a", run=_run, output=[("info", "string")],
      args=[arg("n", "number", default=2), arg("w", "duration", default="90m"), arg("s", "string", default="x"),
            arg("f", "field", default="s")])
`})
	if err != nil {
		t.Fatal(err)
	}
	s := lookupStage(t, reg, "a")
	cols := []result.Column{{Name: "s", Kind: signin.KindString}, {Name: "t", Kind: signin.KindString}}
	for _, tc := range []struct {
		args []plugins.StageArg
		want string
	}{
		{nil, `{"n": 2, "w": 5400, "s": "x", "f": "s"}`},
		{[]plugins.StageArg{{Value: "1e3"}, {Value: "0h"}, {Value: " A b "}, {Value: "t"}}, `{"n": 1000.0, "w": 0, "s": " A b ", "f": "t"}`},
		{[]plugins.StageArg{{Value: "-7"}, {Value: "1500ms"}}, `{"n": -7, "w": 1.5, "s": "x", "f": "s"}`},
		{[]plugins.StageArg{{Value: "0.25"}, {Value: "1W"}}, `{"n": 0.25, "w": 604800, "s": "x", "f": "s"}`},
	} {
		_, out, err := runStage(t, s, tc.args, cols, nil, nil)
		if err != nil || len(out) != 1 || out[0][2].Str() != tc.want {
			t.Errorf("%v: %v, %v; want ctx.args %s", tc.args, out, err, tc.want)
		}
	}
	for _, tc := range []struct {
		args []plugins.StageArg
		want string
	}{
		{[]plugins.StageArg{{Value: "many"}}, `a's n: "many" is not a number`},
		{[]plugins.StageArg{{Value: "1"}, {Value: "soon"}}, `a's w: "soon" is not a duration like 1h`},
		{[]plugins.StageArg{{Name: "f", Value: "nosuch"}}, `a's f: "nosuch" is not a column of the rows before a`},
	} {
		bound, err := plugins.BindArgs(s.Describe(), tc.args)
		if err == nil {
			_, err = s.Bind(bound, cols)
		}
		if ae := (*plugins.ArgError)(nil); !errors.As(err, &ae) || err.Error() != tc.want {
			t.Errorf("%v: %v, want %s", tc.args, err, tc.want)
		}
	}
}

// TestLoadDirectory loads the scripts that load and reports those that
// fail; a failing script registers none of its plugins.
func TestLoadDirectory(t *testing.T) {
	reg, err := loadSources(t, Options{}, map[string]string{
		"a.star":     `stage(name="a", run=lambda rows, ctx: None)`,
		"b.star":     `stage(name="b", run=lambda rows, ctx: None)` + "\n" + `stage(name="a", run=lambda rows, ctx: None)`,
		"c.star":     "def f(:\n",
		"d.txt":      "not a script",
		"e.star":     `function(name="e", args=[arg("x", "field")], result="int", eval=lambda x: 1)`,
		"empty.star": "# nothing",
	})
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("Load: %v, want script errors", err)
	}
	msg := err.Error()
	for _, want := range []string{"b.star:2:6: \"a\" is registered twice", "c.star:1:8: got ':'", "empty.star: declares no stage or function"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Load: %v\nwant …%s…", msg, want)
		}
	}
	if got := strings.Join(reg.Names(0), " "); got != "a e" {
		t.Errorf("registered %q, want a e (b's stages all or none)", got)
	}

	_, err = loadSources(t, Options{}, nil)
	if err != nil {
		t.Errorf("empty directory: %v", err)
	}
	if err := Load(filepath.Join(t.TempDir(), "none"), plugins.NewRegistry(), Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: %v, want fs.ErrNotExist", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/cfg")
	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(cfg, "signinq", "plugins")
	if runtime.GOOS == "linux" {
		want = "/cfg/signinq/plugins"
	}
	if d, err := DefaultDir(); err != nil || d != want {
		t.Errorf("DefaultDir() = %q, %v; want %q", d, err, want)
	}
}

// TestConcurrentEval calls a function from many goroutines at once (run
// with -race): each call has its own thread; the globals are frozen.
func TestConcurrentEval(t *testing.T) {
	reg, err := loadSources(t, Options{}, map[string]string{"c.star": `
TABLE = {h: h * h for h in range(24)}
def _sq(t):
    return TABLE[t.hour] + len([1 for _ in range(t.minute)])
function(name="sq", args=[arg("t", "field", kinds=["time"])], result="int", eval=_sq)
`})
	if err != nil {
		t.Fatal(err)
	}
	f := lookupFunction(t, reg, "sq")
	base := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				tm := base.Add(time.Duration(g*500+i) * 7 * time.Minute)
				v, err := f.Eval([]result.Value{result.TimeValue(tm)})
				if want := int64(tm.Hour()*tm.Hour() + tm.Minute()); err != nil || v.Int() != want {
					errs <- errors.New("sq(" + tm.String() + ") = " + v.String() + ", want " + result.IntValue(want).String())
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestStageStops checks that a stage stops when what follows fails, with
// that error, and when its query is cancelled, with the context's.
func TestStageStops(t *testing.T) {
	reg := loadExamples(t)
	s := lookupStage(t, reg, "vpn")
	bound, _ := plugins.BindArgs(s.Describe(), nil)
	rows := make([][]result.Value, 100)
	for i := range rows {
		rows[i] = vpnRow(result.IntValue(int64(i)))
	}
	stop := errors.New("enough")
	r, err := s.Bind(bound, vpnCols)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = r.Run(t.Context(), &plugins.Env{}, slices.Values(rows), func([]result.Value) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("emit failing at the 3rd row: %v after %d rows, want %v after 3", err, n, stop)
	}

	ctx, cancel := context.WithCancel(t.Context())
	r, _ = s.Bind(bound, vpnCols)
	n = 0
	err = r.Run(ctx, &plugins.Env{}, slices.Values(rows), func([]result.Value) error {
		if n++; n == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n > 6 {
		t.Errorf("cancelled at the 5th row: %v after %d rows, want context.Canceled", err, n)
	}
}

// printFunc is an io.Writer that calls f at each write.
type printFunc func()

func (f printFunc) Write(p []byte) (int, error) { f(); return len(p), nil }

// TestFunctionStops checks that a function's call stops as soon as its
// context is done, with the context's error, though it has neither step
// nor time limit: a query's end reaches it while it runs. A stage that
// loops in a row is stopped the same way.
func TestFunctionStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	reg, err := loadSources(t, Options{MaxSteps: 1 << 62, MaxCallSteps: 1 << 62, TimeLimit: time.Hour, Print: printFunc(cancel)}, map[string]string{"spin.star": `
def _eval(a):
    print("started")
    while True:
        pass

function(name="spin", args=[arg("a", "field")], result="int", eval=_eval)
`})
	if err != nil {
		t.Fatal(err)
	}
	f := lookupFunction(t, reg, "spin").(plugins.ContextFunction)
	_, err = f.EvalContext(ctx, []result.Value{result.StringValue("x")})
	var se *Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &se) || !strings.Contains(err.Error(), "spin.star:") || !strings.HasSuffix(err.Error(), "spin: the query was cancelled") {
		t.Errorf("a call cancelled as it loops: %v, want the query was cancelled, at its line", err)
	}
	if _, err := f.EvalContext(ctx, []result.Value{result.StringValue("x")}); !errors.Is(err, context.Canceled) {
		t.Errorf("a call after the context is done: %v, want context.Canceled", err)
	}

	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	reg2, err := loadSources(t, Options{MaxSteps: 1 << 62, MaxCallSteps: 1 << 62, TimeLimit: time.Hour, Print: printFunc(cancel)}, map[string]string{"spin.star": `
def _run(rows, ctx):
    for row in rows:
        print("started")
        while True:
            pass

stage(name="spins", run=_run, output=[("n", "int")])
`})
	if err != nil {
		t.Fatal(err)
	}
	s := lookupStage(t, reg2, "spins")
	none, err := plugins.BindArgs(s.Describe(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Bind(none, []result.Column{{Name: "a", Kind: signin.KindString}})
	if err != nil {
		t.Fatal(err)
	}
	err = r.Run(ctx, &plugins.Env{}, slices.Values([][]result.Value{{result.StringValue("a")}}), func([]result.Value) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a stage cancelled as it loops: %v, want context.Canceled", err)
	}
}
