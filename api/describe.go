package api

import (
	"net/http"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/pull"
)

// Stats is GET /v1/stats: what signinq stats shows, in numbers.
type Stats struct {
	Rows  int64            `json:"rows"`
	Parts int              `json:"parts"`
	Types map[string]int64 `json:"types"` // sign-ins by type, every type named
	Days  []DayStats       `json:"days"`  // the days with sign-ins, oldest first
	// Bytes are the parts' sizes on disk by what they hold; directory is
	// the store's directory, Badger's overhead with them.
	Bytes   StatsBytes `json:"bytes"`
	RawSize int64      `json:"rawSize"` // the raw records' size before compression
	// Pulls are the sources the store is pulled from (signinq pull,
	// serve --pull): each one's last pull, its lag and its errors.
	Pulls []PullStatus `json:"pulls"`
}

// PullStatus is a source's pulls (pull.Status) and its lag at the time
// of the answer: how old the newest sign-in pulled is, in seconds.
type PullStatus struct {
	pull.Status
	LagSeconds float64 `json:"lagSeconds"`
}

// StatsBytes are a store's sizes on disk, in bytes.
type StatsBytes struct {
	Columns      int64 `json:"columns"`
	Dictionaries int64 `json:"dictionaries"`
	Bitmaps      int64 `json:"bitmaps"`
	IDIndex      int64 `json:"idIndex"`
	Raw          int64 `json:"raw"`
	Parts        int64 `json:"parts"`
	Directory    int64 `json:"directory"`
}

// DayStats is one day of a store.
type DayStats struct {
	Day   string           `json:"day"` // YYYY-MM-DD, UTC
	Rows  int64            `json:"rows"`
	Parts int              `json:"parts"`
	Types map[string]int64 `json:"types"`
	First time.Time        `json:"first"`
	Last  time.Time        `json:"last"`
}

// statsOf is a store's statistics as the API answers them.
func statsOf(st *engine.Stats) Stats {
	out := Stats{Rows: st.Rows, Parts: st.Parts, Types: map[string]int64{}, Days: []DayStats{}, RawSize: st.RawSize,
		Bytes: StatsBytes{Columns: st.ColumnBytes, Dictionaries: st.DictBytes, Bitmaps: st.BitmapBytes, IDIndex: st.IDBytes,
			Raw: st.RawBytes, Parts: st.PartBytes(), Directory: st.DiskBytes}}
	for _, t := range signin.Types {
		out.Types[t.String()] = st.TypeCount(t)
	}
	for _, d := range st.Days {
		ds := DayStats{Day: d.Day.UTC().Format(time.DateOnly), Rows: d.Rows, Parts: d.Parts, Types: map[string]int64{}, First: d.First, Last: d.Last}
		for _, t := range signin.Types {
			ds.Types[t.String()] = d.Types[t]
		}
		out.Days = append(out.Days, ds)
	}
	return out
}

func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	st, err := h.db.Stats()
	if err != nil {
		writeError(w, errorOf(err, ""))
		return
	}
	out := statsOf(&st)
	var pulls []pull.Status
	if h.opts.Pulls != nil {
		pulls = h.opts.Pulls()
	} else if pulls, err = pull.Statuses(h.db); err != nil {
		writeError(w, errorOf(err, ""))
		return
	}
	now := h.opts.Now()
	out.Pulls = make([]PullStatus, 0, len(pulls))
	for _, p := range pulls {
		out.Pulls = append(out.Pulls, PullStatus{Status: p, LagSeconds: p.Lag(now).Seconds()})
	}
	writeJSON(w, http.StatusOK, out)
}

// Field is one field of the catalog (GET /v1/fields; docs/fields.md).
type Field struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Doc     string   `json:"doc"`
	Values  []string `json:"values,omitempty"`  // an enumeration's known values
	Aliases []string `json:"aliases,omitempty"` // its names in the export formats, which queries take too
}

func (h *Handler) fields(w http.ResponseWriter, r *http.Request) {
	out := []Field{}
	for _, f := range signin.Fields() {
		out = append(out, Field{Name: f.Name, Kind: f.Kind.String(), Doc: f.Doc, Values: f.Values, Aliases: f.Aliases()})
	}
	writeJSON(w, http.StatusOK, out)
}

// Plugin is one plugin of the registry (GET /v1/plugins): what signinq
// plugins lists, and what signinq plugins NAME describes.
type Plugin struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"` // aggregate, stage, function, writer, reader
	Usage   string   `json:"usage"`
	Help    string   `json:"help"`
	Example string   `json:"example,omitempty"`
	Args    []Arg    `json:"args,omitempty"`
	Output  []string `json:"output,omitempty"`
	Streams bool     `json:"streams,omitempty"`
	Manual  string   `json:"manual"` // all of the above as signinq plugins NAME prints it
}

// Arg is one argument of a plugin.
type Arg struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Default string   `json:"default,omitempty"` // absent: required
	Min     string   `json:"min,omitempty"`
	Max     string   `json:"max,omitempty"`
	Words   []string `json:"words,omitempty"`
	Help    string   `json:"help,omitempty"`
}

func (h *Handler) plugins(w http.ResponseWriter, r *http.Request) {
	out := []Plugin{}
	for k := plugins.KindAggregate; k <= plugins.KindReader; k++ {
		for _, p := range h.reg.All(k) {
			d := p.Describe()
			pl := Plugin{Name: d.Name, Kind: d.Kind.String(), Usage: d.Usage(), Help: d.Help, Example: d.Example, Output: d.Output, Streams: d.Streams, Manual: d.Manual()}
			for _, a := range d.Args {
				pl.Args = append(pl.Args, Arg{Name: a.Name, Type: a.Type.String(), Default: a.Default, Min: a.Min, Max: a.Max, Words: a.Words, Help: a.Help})
			}
			out = append(out, pl)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// health answers {"status":"ok"} without a token: what a load balancer
// or a supervisor asks.
func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
