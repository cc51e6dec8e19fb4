package gen

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"
)

// chunkSize is the number of background events of a chunk, the unit of
// parallel generation. Each chunk draws from its own random stream.
const chunkSize = 4096

// Generator makes the sign-ins of a Config. It is immutable after New:
// its methods may be called concurrently, and each call generates the
// same events.
type Generator struct {
	cfg       Config
	t         *tenant
	rhythm    *rhythm
	nb        int64   // background events: Count less the incidents'
	chunks    int64   // chunks of background events
	incEvents []Event // the incidents' events, in time order
	incSplit  []int   // chunk c merges incEvents[incSplit[c]:incSplit[c+1]]
	incidents []Incident
}

// New validates cfg, applies its defaults and builds the tenant and the
// incidents. It never reads the clock.
func New(cfg Config) (*Generator, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	g := &Generator{cfg: cfg, t: buildTenant(cfg)}
	g.rhythm = newRhythm(cfg.start(), cfg.End, g.t.groups, g.t.spec.machineShare, g.t.spec.userShare)
	if !cfg.NoIncidents && cfg.Count >= incidentMinCount && cfg.Users >= incidentMinUsers {
		g.buildIncidents()
	}
	g.nb = cfg.Count - int64(len(g.incEvents))
	g.chunks = (g.nb + chunkSize - 1) / chunkSize
	g.incSplit = make([]int, g.chunks+1)
	for c := int64(1); c < g.chunks; c++ {
		b, _ := g.rhythm.at(float64(c*chunkSize) / float64(g.nb))
		g.incSplit[c] = sort.Search(len(g.incEvents), func(i int) bool { return !g.incEvents[i].Record.Time.Before(b) })
	}
	g.incSplit[g.chunks] = len(g.incEvents)
	return g, nil
}

// Config returns the configuration with its defaults applied.
func (g *Generator) Config() Config { return g.cfg }

// TenantID returns the generated tenant's id.
func (g *Generator) TenantID() string { return g.t.id }

// Incidents returns the injected incidents in the order of their first
// sign-in. The slice is the caller's.
func (g *Generator) Incidents() []Incident {
	out := slices.Clone(g.incidents)
	for i := range out {
		out[i].Users = slices.Clone(out[i].Users)
		out[i].IPs = slices.Clone(out[i].IPs)
	}
	return out
}

// chunk is a run of consecutive events and, when writing, their encoding.
type chunk struct {
	idx    int64
	events []Event
	out    [4][]byte // encoded output; the portal CSV uses one per type
}

// Generate calls fn with every event, Count in all, in non-decreasing
// time order, in batches of about chunkSize. The events are made on
// Config.Workers goroutines, but fn is called from the calling goroutine,
// one batch at a time, in order; the batches are the same whatever the
// number of workers. A batch and its events are valid until fn returns
// (the records' strings and slices may be kept).
//
// Generate stops and returns the error when fn returns one or ctx is
// done.
func (g *Generator) Generate(ctx context.Context, fn func(batch []Event) error) error {
	return g.run(ctx, nil, func(c *chunk) error { return fn(c.events) })
}

// run generates the chunks on workers, encodes each with encode (when not
// nil) on the worker, and delivers them in order on the calling
// goroutine.
func (g *Generator) run(ctx context.Context, encode func(e *encoder, c *chunk), deliver func(c *chunk) error) error {
	n := g.chunks
	workers := g.cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = int(max(1, min(int64(workers), n)))
	// At most ring chunks are in flight; chunk i+ring is started only
	// after chunk i is delivered, so each slot holds one chunk at a time.
	ring := int64(2*workers + 2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan *chunk, ring)
	slots := make([]chan *chunk, ring)
	for i := range slots {
		free <- &chunk{}
		slots[i] = make(chan *chunk, 1)
	}
	jobs := make(chan *chunk)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		for i := range n {
			var c *chunk
			select {
			case c = <-free:
			case <-ctx.Done():
				return
			}
			c.idx = i
			select {
			case jobs <- c:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			e := newEncoder(g)
			for c := range jobs {
				g.fill(c)
				if encode != nil {
					encode(e, c)
				}
				slots[c.idx%ring] <- c
			}
		})
	}
	var err error
	for i := range n {
		var c *chunk
		select {
		case c = <-slots[i%ring]:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err == nil {
			err = deliver(c)
		}
		if err != nil {
			break
		}
		free <- c
	}
	cancel()
	wg.Wait()
	return err
}

// fill generates chunk c: its background events, with the incident
// events that fall in its time range merged in.
func (g *Generator) fill(c *chunk) {
	r := newRand(g.cfg.Seed, streamChunk+uint64(c.idx))
	k0 := c.idx * chunkSize
	k1 := min(k0+chunkSize, g.nb)
	inc := g.incEvents[g.incSplit[c.idx]:g.incSplit[c.idx+1]]
	n := int(k1-k0) + len(inc)
	c.events = slices.Grow(c.events[:0], n)[:n]
	e, j := 0, 0
	below1 := math.Nextafter(1, 0)
	for k := k0; k < k1; k++ {
		p := min((float64(k)+r.Float64())/float64(g.nb), below1)
		at, bin := g.rhythm.at(p)
		for j < len(inc) && inc[j].Record.Time.Before(at) {
			c.events[e] = inc[j]
			e, j = e+1, j+1
		}
		g.background(r, &c.events[e], at, bin)
		e++
	}
	for ; j < len(inc); j++ {
		c.events[e] = inc[j]
		e++
	}
	g.name(c.events)
	for i := range c.events {
		setLists(&c.events[i])
	}
}

// name makes the id strings of the events that have none: request id,
// correlation id and, for users, session id. One string holds them all.
func (g *Generator) name(evs []Event) {
	n := 0
	for i := range evs {
		if evs[i].Record.ID == "" {
			n++
		}
	}
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n*3*36)
	for i := range evs {
		ev := &evs[i]
		if ev.Record.ID != "" {
			continue
		}
		buf = ev.x.id.appendText(buf)
		buf = ev.x.corr.appendText(buf)
		if ev.x.user != nil {
			if !ev.x.fixedSess {
				ev.x.sess = g.session(ev)
			}
			buf = ev.x.sess.appendText(buf)
		}
	}
	s := string(buf)
	next := func() string {
		v := s[:36]
		s = s[36:]
		return v
	}
	for i := range evs {
		rec := &evs[i].Record
		if rec.ID != "" {
			continue
		}
		rec.ID, rec.CorrelationID = next(), next()
		if evs[i].x.user != nil {
			rec.SessionID = next()
		}
	}
}

// session returns the session id of a user sign-in: one per user, device
// and day of the window.
func (g *Generator) session(ev *Event) guid {
	day := uint64((ev.Record.Time.UnixNano()/int64(tick) - g.rhythm.start) / (24 * ticksPerHour))
	a := splitmix(g.cfg.Seed ^ (uint64(ev.x.user.idx)+1)*0x9e3779b97f4a7c15)
	b := splitmix(a ^ uint64(ev.x.devIdx)<<48 ^ day)
	return makeGUID(splitmix(b^0x632be59bd9b4e019), b)
}

// window returns the window's start and end.
func (g *Generator) window() (time.Time, time.Time) { return g.cfg.start(), g.cfg.End }
