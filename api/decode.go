package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// ErrDecode is the error of an answer that is not what the API writes:
// a row, a column or a note a client cannot read back.
var ErrDecode = errors.New("api: undecodable answer")

// ResultColumns reads back the columns of an answer (the Signinq-Columns
// header, the json form's columns) as the result's own: for every
// result's columns cols, ResultColumns(columnsOf(cols)) is cols.
func ResultColumns(cols []Column) ([]result.Column, error) {
	out := make([]result.Column, len(cols))
	for i, c := range cols {
		k, ok := kindOf(c.Kind)
		if !ok {
			return nil, fmt.Errorf("%w: column %q has kind %q", ErrDecode, c.Name, c.Kind)
		}
		out[i] = result.Column{Name: c.Name, Kind: k, Field: c.Field, Key: c.Key}
		if c.Bin != "" {
			d, err := time.ParseDuration(c.Bin)
			if err != nil {
				return nil, fmt.Errorf("%w: column %q has bin %q", ErrDecode, c.Name, c.Bin)
			}
			out[i].Bin = d
		}
	}
	return out, nil
}

func kindOf(name string) (signin.Kind, bool) {
	for k := signin.KindString; k <= signin.KindDuration; k++ {
		if k.String() == name {
			return k, true
		}
	}
	return 0, false
}

// ResultNotes reads back an answer's notes (the Signinq-Notes trailer,
// the json form's notes) as the result's: a nodata or listlimit note as
// result.NoDataNote or result.ListLimitNote, whose String is the note's
// text; another kind as a note whose String is its text.
func ResultNotes(notes []Note) []result.Note {
	out := make([]result.Note, 0, len(notes))
	for _, n := range notes {
		switch {
		case n.Kind == "nodata" && n.From != nil && n.Now != nil:
			nd := result.NoDataNote{From: *n.From, Now: *n.Now}
			if n.First != nil && n.Last != nil {
				nd.First, nd.Last = *n.First, *n.Last
			}
			out = append(out, nd)
		case n.Kind == "listlimit" && n.Shown != nil && n.Total != nil:
			out = append(out, result.ListLimitNote{Shown: *n.Shown, Total: *n.Total})
		default:
			out = append(out, textNote(n.Text))
		}
	}
	return out
}

// textNote is a note of a kind the API does not describe: its text.
type textNote string

func (n textNote) String() string { return string(n) }

// DecodeRow reads back a row the json writer wrote (an ndjson line, or
// an element of the json form's rows) as the values it wrote, given the
// answer's columns: for every row of values of the columns' kinds,
// DecodeRow of what the json writer writes of it is that row. Strings
// round-trip as the writer writes them: invalid UTF-8 as U+FFFD.
func DecodeRow(cols []result.Column, line []byte) ([]result.Value, error) {
	p := rowParser{b: line}
	row := make([]result.Value, len(cols))
	p.space()
	if !p.byte('{') {
		return nil, p.fail("a row is a JSON object")
	}
	for i, c := range cols {
		p.space()
		if i > 0 && !p.byte(',') {
			return nil, p.fail("a comma between members")
		}
		p.space()
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if key != c.Name {
			return nil, p.fail(fmt.Sprintf("member %q where column %q was", key, c.Name))
		}
		p.space()
		if !p.byte(':') {
			return nil, p.fail("a colon after a member's name")
		}
		p.space()
		if row[i], err = p.value(c.Kind); err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
	}
	p.space()
	if !p.byte('}') {
		return nil, p.fail("the row's end after its columns")
	}
	p.space()
	if p.i != len(p.b) {
		return nil, p.fail("nothing after the row")
	}
	return row, nil
}

// rowParser reads a row as the json writer writes it. It is JSON, but
// for a decimal number, which the writer writes as Go's shortest form:
// NaN, +Inf and -Inf too.
type rowParser struct {
	b []byte
	i int
}

func (p *rowParser) fail(want string) error {
	return fmt.Errorf("%w: at byte %d of a row: want %s", ErrDecode, p.i, want)
}

func (p *rowParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *rowParser) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *rowParser) literal(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// str reads a JSON string.
func (p *rowParser) str() (string, error) {
	start := p.i
	if !p.byte('"') {
		return "", p.fail("a string")
	}
	for p.i < len(p.b) && p.b[p.i] != '"' {
		if p.b[p.i] == '\\' {
			p.i++
		}
		p.i++
	}
	if !p.byte('"') {
		return "", p.fail("the string's end")
	}
	var s string
	if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
		return "", fmt.Errorf("%w: %v", ErrDecode, err)
	}
	return s, nil
}

// token reads a bare number (or NaN, +Inf, -Inf).
func (p *rowParser) token() string {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] != ',' && p.b[p.i] != '}' && p.b[p.i] != ' ' {
		p.i++
	}
	return string(p.b[start:p.i])
}

// value reads a value of kind k.
func (p *rowParser) value(k signin.Kind) (result.Value, error) {
	if p.literal("null") {
		return result.Null(k), nil
	}
	switch k {
	case signin.KindInt:
		s := p.token()
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return result.Value{}, p.fail(fmt.Sprintf("an integer, not %q", s))
		}
		return result.IntValue(n), nil
	case signin.KindFloat:
		s := p.token()
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !(errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0)) {
			return result.Value{}, p.fail(fmt.Sprintf("a number, not %q", s))
		}
		return result.FloatValue(f), nil
	case signin.KindBool:
		switch {
		case p.literal("true"):
			return result.BoolValue(true), nil
		case p.literal("false"):
			return result.BoolValue(false), nil
		}
		return result.Value{}, p.fail("true or false")
	case signin.KindList:
		if !p.byte('[') {
			return result.Value{}, p.fail("a list")
		}
		l := []string{}
		for p.space(); !p.byte(']'); p.space() {
			if len(l) > 0 && !p.byte(',') {
				return result.Value{}, p.fail("a comma between a list's strings")
			}
			p.space()
			s, err := p.str()
			if err != nil {
				return result.Value{}, err
			}
			l = append(l, s)
		}
		return result.ListValue(l), nil
	}
	s, err := p.str()
	if err != nil {
		return result.Value{}, err
	}
	switch k {
	case signin.KindTime:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return result.Value{}, p.fail(fmt.Sprintf("an RFC 3339 time, not %q", s))
		}
		return result.TimeValue(t), nil
	case signin.KindDuration:
		d, err := result.ParseDuration(s)
		if err != nil {
			return result.Value{}, fmt.Errorf("%w: %v", ErrDecode, err)
		}
		return result.DurationValue(d), nil
	}
	return result.StringValue(s), nil
}
