package engine

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
)

// Encoding is how a column's values are stored in a block.
type Encoding uint8

// The column encodings (docs/format.md, "Columns").
const (
	// EncDict stores a dictionary id per row; the part's dictionary of the
	// column maps ids to values (strings, integers or floats).
	EncDict Encoding = iota
	// EncList stores a list of dictionary ids per row: a multi-valued
	// field.
	EncList
	// EncInt stores a 64-bit integer per row: times (Unix nanoseconds)
	// and measures.
	EncInt
	// EncString stores a string per row, without a dictionary: the
	// near-unique identifiers.
	EncString
)

var encodingNames = [...]string{"dict", "list", "int", "string"}

func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return fmt.Sprintf("encoding(%d)", e)
}

// Column is one column of the store: a field of the sign-in catalog, or
// one of the two internal columns (the record's source format, and where
// its raw record is).
//
// Columns are fixed by the format version: their ids are on disk and never
// change meaning.
type Column struct {
	ID       uint16
	Name     string
	Field    *signin.Field // nil for the internal columns
	Enc      Encoding
	DictKind index.DictKind // for EncDict and EncList
	// Indexed columns have a roaring bitmap per dictionary value in every
	// part (any-element semantics for lists).
	Indexed bool
}

// HasDict reports whether the column is stored with a dictionary in each
// part (EncDict, EncList): its blocks hold ids of the entries of the
// part's dictionary (Snapshot.Dict), which Column.DictValue decodes, and
// Snapshot.Values lists its values.
func (c *Column) HasDict() bool { return c.Enc == EncDict || c.Enc == EncList }

// Internal column names. They are not catalog fields: queries cannot name
// them.
const (
	colFormat = "_format" // the signin.Format the record was read from
	colRaw    = "_raw"    // the raw record's slot: chunk sequence × slotsPerChunk + index; noRaw when none
)

// noRaw is the _raw value of a record stored without a raw record (a
// typed record given through the API without Raw): it is rebuilt from its
// columns.
const noRaw = math.MaxInt64

// columnIDs are the on-disk ids of the columns: the catalog's fields in
// catalog order as of format version 1, then the internal columns. New
// fields take new ids at the end, after the internal columns: stores hold
// these ids (testdata/columns.golden, checked by TestColumnIDsStable).
// This list is kept by hand, never derived from the catalog's order, so
// that no id moves; its encodings are derived from the field's kind
// below, and docs/format.md's table from the schema (go test ./engine
// -run TestColumnTableDocumented -update).
var columnIDs = []string{
	"time", "ingested", "id", "type", "status", "error", "reason", "details",
	"identity", "user", "userId", "userName", "userType",
	"app", "appId", "resource", "resourceId",
	"ip", "country", "state", "city", "latitude", "longitude", "asn",
	"client", "browser", "os", "userAgent", "device", "deviceId", "compliant", "managed", "trust",
	"protocol", "authRequirement", "authMethod", "ca", "policy",
	"risk", "riskAggregated", "riskState", "riskDetail", "riskEvents",
	"sp", "spId", "msiType", "tenant", "resourceTenant", "crossTenant", "tokenIssuer",
	"correlationId", "sessionId", "latency", "signInCount",
	colFormat, colRaw,
	// Added in format version 3 (parts written before lack them: absent).
	"isInteractive", "networkType", "networkName", "originalTransferMethod",
	"firstAuthMethod", "firstStepResult", "firstStepSucceeded", "stepResult",
	"policyResult", "policyFailed", "policyReportOnly", "logTenant",
	"place",
}

// unique fields are stored as strings without a dictionary or bitmaps:
// nearly every row has its own value.
var unique = map[string]bool{"id": true, "correlationId": true}

// measures are integer fields stored as plain integers (range filters scan
// them with per-block min/max); other integer fields are categories with
// a dictionary and bitmaps.
var measures = map[string]bool{"latency": true, "signInCount": true}

// unindexed dictionary columns have no bitmaps: nobody filters on an exact
// coordinate.
var unindexed = map[string]bool{"latitude": true, "longitude": true}

// columns is the schema, indexed by column id.
var columns, columnByName = func() ([]*Column, map[string]*Column) {
	cols := make([]*Column, len(columnIDs))
	byName := make(map[string]*Column, len(columnIDs))
	for i, name := range columnIDs {
		c := &Column{ID: uint16(i), Name: name}
		switch name {
		case colFormat:
			c.Enc, c.DictKind, c.Indexed = EncDict, index.DictInt, true
		case colRaw:
			c.Enc = EncInt
		default:
			f := signin.Lookup(name)
			if f == nil || f.Name != name {
				panic("BUG: engine: column " + name + " is not a catalog field")
			}
			c.Field = f
			switch f.Kind {
			case signin.KindString:
				if unique[name] {
					c.Enc = EncString
				} else {
					c.Enc, c.DictKind, c.Indexed = EncDict, index.DictString, true
				}
			case signin.KindInt:
				if measures[name] {
					c.Enc = EncInt
				} else {
					c.Enc, c.DictKind, c.Indexed = EncDict, index.DictInt, true
				}
			case signin.KindBool:
				c.Enc, c.DictKind, c.Indexed = EncDict, index.DictInt, true
			case signin.KindFloat:
				c.Enc, c.DictKind, c.Indexed = EncDict, index.DictFloat, !unindexed[name]
			case signin.KindTime:
				c.Enc = EncInt
			case signin.KindList:
				c.Enc, c.DictKind, c.Indexed = EncList, index.DictString, true
			}
		}
		cols[i] = c
		byName[strings.ToLower(name)] = c
	}
	for _, f := range signin.Fields() {
		if byName[strings.ToLower(f.Name)] == nil {
			panic("BUG: engine: catalog field " + f.Name + " has no column")
		}
	}
	return cols, byName
}()

// Columns returns the store's columns in id order: every catalog field,
// then the internal columns (whose names start with "_"). The slice and
// the columns must not be modified.
func Columns() []*Column { return columns }

// LookupColumn returns the column of a catalog field, by its name or an
// alias (signin.Lookup), matched without regard to case, or nil.
func LookupColumn(name string) *Column {
	c := columnByName[strings.ToLower(name)]
	if f := signin.Lookup(name); c == nil && f != nil {
		c = columnByName[strings.ToLower(f.Name)]
	}
	if c == nil || c.Field == nil {
		return nil
	}
	return c
}

// The fixed columns the engine itself reads.
var (
	colTime    = columnByName["time"]
	colType    = columnByName["type"]
	colID      = columnByName["id"]
	colFormatC = columnByName[strings.ToLower(colFormat)]
	colRawC    = columnByName[strings.ToLower(colRaw)]
)

// timeNanos is the int64 a time column stores: Unix nanoseconds, or
// signin.NoInt when the time is absent.
func timeNanos(t time.Time) int64 {
	if t.IsZero() {
		return signin.NoInt
	}
	return t.UnixNano()
}

// nanosTime is the inverse of timeNanos.
func nanosTime(v int64) time.Time {
	if v == signin.NoInt {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

// boolInt is a flag as a dictionary integer: 1, 0, or NoInt when absent.
func boolInt(b signin.Bool) int64 {
	switch b {
	case signin.BoolTrue:
		return 1
	case signin.BoolFalse:
		return 0
	}
	return signin.NoInt
}

func intBool(v int64) signin.Bool {
	switch v {
	case 1:
		return signin.BoolTrue
	case 0:
		return signin.BoolFalse
	}
	return signin.BoolUnknown
}
