package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MetaSpace is the space of the store's metadata where a pull keeps, per
// blob, how far it has read it. A value's name is account/container/blob,
// the account by its name (myaccount of myaccount.blob.core.windows.net,
// devstoreaccount1 for Azurite); its value is a cursor, JSON with a
// version.
const MetaSpace = "pull.storage"

// cursorVersion is the version of the cursors written. A cursor of
// another version is not understood: its blob is read again whole
// (deduplication makes that safe), with a warning.
const cursorVersion = 1

// cursor is how far a blob has been read: Offset is the end of its last
// whole line read, Lines the number of lines before it; Size, ETag,
// Created and Modified are the blob's as listed when it was read, to tell
// a blob that grew (read on from Offset) from one that did not (not read)
// and from one deleted and created again (read again whole).
type cursor struct {
	V        int       `json:"v"`
	Offset   int64     `json:"offset"`
	Lines    int64     `json:"lines"`
	Size     int64     `json:"size"`
	ETag     string    `json:"etag,omitempty"`
	Created  time.Time `json:"created,omitzero"`
	Modified time.Time `json:"modified,omitzero"`
	// Last is the end of what was read (the last line, or its last
	// maxCheck bytes): the next pull reads from Offset-len(Last) and
	// checks the blob still holds it there; a blob that does not was
	// replaced, and is read again whole.
	Last []byte `json:"last,omitempty"`
}

// errCursor is what decodeCursor returns for a value it cannot take.
var errCursor = errors.New("not a storage pull cursor")

func (c cursor) encode() []byte {
	c.V = cursorVersion
	b, _ := json.Marshal(c) // a struct of plain fields: it cannot fail
	return b
}

// decodeCursor reads a cursor, checking it: of this version, with 0 ≤
// Lines ≤ Offset ≤ Size, len(Last) ≤ min(Offset, maxCheck). Unknown fields are refused too.
func decodeCursor(v []byte) (cursor, error) {
	var c cursor
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return cursor{}, fmt.Errorf("%w: %v", errCursor, err)
	}
	if dec.More() {
		return cursor{}, fmt.Errorf("%w: text after the value", errCursor)
	}
	switch {
	case c.V != cursorVersion:
		return cursor{}, fmt.Errorf("%w: version %d (this signinq writes %d)", errCursor, c.V, cursorVersion)
	case c.Offset < 0 || c.Lines < 0 || c.Size < 0 || c.Lines > c.Offset || c.Offset > c.Size ||
		len(c.Last) > maxCheck || int64(len(c.Last)) > c.Offset:
		return cursor{}, fmt.Errorf("%w: offset %d, lines %d, size %d", errCursor, c.Offset, c.Lines, c.Size)
	}
	return c, nil
}
