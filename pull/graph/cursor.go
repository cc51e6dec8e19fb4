package graph

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
)

// Space is the store's metadata space of the cursors (engine.UpdateMeta).
const Space = "pull.graph"

// cursorVersion is the version of a cursor's value.
const cursorVersion = 1

// cursor is how far a type has been read, as the store keeps it: every
// sign-in created at or before Through that Graph listed when it was
// read is committed to the store. The value is JSON, versioned:
//
//	{"v":1,"through":"2026-11-26T10:00:00Z","saved":"2026-11-26T10:00:05Z"}
type cursor struct {
	V       int       `json:"v"`
	Through time.Time `json:"through"`
	Saved   time.Time `json:"saved"` // when the pull that wrote it ran (Options.Now)
}

// CursorName is the name of a type's cursor in Space: the Graph host,
// the tenant and the type, so that one store can pull several tenants
// and clouds.
func CursorName(graphURL, tenant, typ string) string {
	host := graphURL
	if u, err := url.Parse(graphURL); err == nil && u.Host != "" {
		host = u.Host
	}
	return strings.ToLower(host) + "/" + tenant + "/" + typ
}

// parseCursor reads a cursor's value; an error says what is wrong.
func parseCursor(b []byte) (cursor, error) {
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return cursor{}, fmt.Errorf("not a cursor: %v", err)
	}
	if c.V != cursorVersion {
		return cursor{}, fmt.Errorf("cursor version %d; this signinq reads version %d", c.V, cursorVersion)
	}
	if c.Through.IsZero() {
		return cursor{}, fmt.Errorf("cursor without a time")
	}
	return c, nil
}

// readCursor returns a type's cursor, zero if the store has none.
func readCursor(db *engine.DB, name string) (time.Time, error) {
	all, err := db.AllMeta(Space)
	if err != nil {
		return time.Time{}, err
	}
	b, ok := all[name]
	if !ok {
		return time.Time{}, nil
	}
	c, err := parseCursor(b)
	if err != nil {
		return time.Time{}, fmt.Errorf("graph: the store's cursor %s/%s: %w (a pull given a start time, --since, does not read it and writes it anew)", Space, name, err)
	}
	return c.Through, nil
}

// saveCursor moves a type's cursor to through once the sign-ins from
// from to through are committed: only forward, and only if the store
// holds no cursor (or one it cannot read) or one at or after from, so
// that a pull of a later window (--since) never jumps a gap it did not
// read, and a pull of an older window never moves the cursor back.
func saveCursor(db *engine.DB, name string, from, through, now time.Time) error {
	return db.UpdateMeta(Space, func(values map[string][]byte) (map[string][]byte, error) {
		if b, ok := values[name]; ok {
			if c, err := parseCursor(b); err == nil && (!c.Through.Before(through) || c.Through.Before(from)) {
				return nil, nil
			}
		}
		b, err := json.Marshal(cursor{V: cursorVersion, Through: through.UTC(), Saved: now.UTC()})
		if err != nil {
			return nil, err
		}
		return map[string][]byte{name: b}, nil
	})
}

// Cursors returns the cursors the store holds, by name (CursorName).
// A value that is not a cursor is an error.
func Cursors(db *engine.DB) (map[string]time.Time, error) {
	all, err := db.AllMeta(Space)
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(all))
	for name, b := range all {
		c, err := parseCursor(b)
		if err != nil {
			return nil, fmt.Errorf("graph: the store's cursor %s/%s: %w", Space, name, err)
		}
		out[name] = c.Through
	}
	return out, nil
}
