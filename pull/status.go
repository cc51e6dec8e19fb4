package pull

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/signinq/signinq/engine"
)

// statusSpace is the metadata space where each source's last pull is
// kept, one value per source, named after it.
const statusSpace = "pull.status"

// statusVersion is the version of a stored Status; a value of another
// version is reported, never guessed at.
const statusVersion = 1

// Result is what one pull of a source did.
type Result struct {
	Read       int64     // sign-ins read
	Stored     int64     // new sign-ins committed
	Duplicates int64     // sign-ins already stored, skipped
	Rejected   int64     // records the readers refused
	Newest     time.Time // the newest sign-in read; zero when none was
}

// Status is a source's pulls as the store records them: the last one,
// and counts since the first. It is kept in the store's metadata, so
// that signinq stats shows it from any process, and the API from a
// scheduled serve (where Running and Next are live).
type Status struct {
	Source string `json:"source"` // graph, storage

	Started time.Time `json:"started"`          // the last pull's start
	Ended   time.Time `json:"ended,omitzero"`   // its end; zero while it runs
	Running bool      `json:"running,omitzero"` // a pull is under way (live only)
	Next    time.Time `json:"next,omitzero"`    // the next pull due (live only, scheduled)
	Error   string    `json:"error,omitzero"`   // the last pull's error; empty when it went well

	// The last pull's counts.
	Read       int64 `json:"read"`
	Stored     int64 `json:"stored"`
	Duplicates int64 `json:"duplicates"`
	Rejected   int64 `json:"rejected"`

	// Newest is the newest sign-in any pull of the source read: how far
	// behind the store is (Lag) when the tenant signs in all the time.
	Newest time.Time `json:"newest,omitzero"`
	// LastSuccess is when the last pull that ended without an error
	// ended.
	LastSuccess time.Time `json:"lastSuccess,omitzero"`

	Pulls       int64 `json:"pulls"`       // pulls ended
	Failures    int64 `json:"failures"`    // pulls ended in an error
	Failing     int64 `json:"failing"`     // pulls in a row ended in an error, up to the last
	TotalStored int64 `json:"totalStored"` // sign-ins stored by every pull
}

// Lag is how old, at now, the newest sign-in pulled is; 0 when none was.
func (s *Status) Lag(now time.Time) time.Duration {
	if s.Newest.IsZero() {
		return 0
	}
	return max(now.Sub(s.Newest), 0)
}

// ended returns the status after a pull that began at start, ended at
// end with res and err.
func (s Status) ended(start, end time.Time, res Result, err error) Status {
	s.Started, s.Ended, s.Running, s.Next = start, end, false, time.Time{}
	s.Read, s.Stored, s.Duplicates, s.Rejected = res.Read, res.Stored, res.Duplicates, res.Rejected
	if res.Newest.After(s.Newest) {
		s.Newest = res.Newest
	}
	s.Pulls++
	s.TotalStored += res.Stored
	s.Error = ""
	switch {
	case err != nil && errors.Is(err, engine.ErrInterrupted):
		// Stopped (the process is stopping): what it read is committed,
		// and the next pull goes on from there.
		s.Error = err.Error()
	case err != nil:
		s.Error = err.Error()
		s.Failures++
		s.Failing++
	default:
		s.Failing = 0
		s.LastSuccess = end
	}
	return s
}

// stored is the form a Status takes in the store.
type stored struct {
	Version int `json:"version"`
	Status
}

// Record keeps a source's status in the store, in place of the one kept.
// Running and Next, which are true only of a live process, are not kept.
func Record(db *engine.DB, st Status) error {
	st.Running, st.Next = false, time.Time{}
	v, err := json.Marshal(stored{Version: statusVersion, Status: st})
	if err != nil {
		return err
	}
	return db.UpdateMeta(statusSpace, func(map[string][]byte) (map[string][]byte, error) {
		return map[string][]byte{st.Source: v}, nil
	})
}

// Statuses returns the statuses the store keeps, by source name.
func Statuses(db *engine.DB) ([]Status, error) {
	values, err := db.AllMeta(statusSpace)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(values))
	for name, v := range values {
		st, err := decodeStatus(name, v)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	sortStatuses(out)
	return out, nil
}

// sortStatuses orders statuses by source name.
func sortStatuses(sts []Status) {
	slices.SortFunc(sts, func(a, b Status) int { return cmp.Compare(a.Source, b.Source) })
}

// decodeStatus decodes the status kept under name.
func decodeStatus(name string, v []byte) (Status, error) {
	var s stored
	if err := json.Unmarshal(v, &s); err != nil {
		return Status{}, fmt.Errorf("pull: the status of source %q in the store: %w", name, err)
	}
	if s.Version != statusVersion {
		return Status{}, fmt.Errorf("pull: the status of source %q in the store is of version %d; this signinq reads version %d", name, s.Version, statusVersion)
	}
	if s.Source != name {
		return Status{}, fmt.Errorf("pull: the status kept as %q names source %q", name, s.Source)
	}
	return s.Status, nil
}
