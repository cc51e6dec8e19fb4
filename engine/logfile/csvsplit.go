package logfile

import "bytes"

// csvEnds finds where CSV records end without parsing their fields, as
// encoding/csv (with its defaults: comma, no lazy quotes) reads them: a
// record ends at a line end outside a quoted field; a quote opens a
// quoted field only at a field's start; in a quoted field, "" is a quote
// and a quote followed by a comma or the line end closes it. A record
// encoding/csv finds malformed (a quote inside an unquoted field, text
// after a closing quote) ends at the end of that line, as it does there.
// A blank line is a record of its own (encoding/csv skips it).
//
// The splitter so cuts a CSV file into runs of whole records, bounding
// each record before it is read whole (encoding/csv holds a record
// whatever its size: an unclosed quote holds the rest of the file), and
// the workers parse each run with encoding/csv.
type csvEnds struct {
	state csvState
}

type csvState uint8

const (
	csvFieldStart csvState = iota // at a field's start (and a record's, after a record end)
	csvUnquoted                   // in an unquoted field
	csvQuoted                     // in a quoted field
	csvQuote                      // just after a quote in a quoted field: it closes it or starts ""
	csvQuoteCR                    // after a closing quote and a carriage return
	csvBadLine                    // in a malformed record, which ends with its line
)

// next looks at b, the input from where the last call stopped, and
// returns the index just past the end of the first record that ends in
// b (its line end), or -1 when the record goes on past b. The state
// carries over between calls, so that b may be cut anywhere.
func (c *csvEnds) next(b []byte) int {
	for i := 0; i < len(b); {
		switch c.state {
		case csvFieldStart:
			switch b[i] {
			case '"':
				c.state = csvQuoted
			case '\n':
				return i + 1
			case ',':
			default:
				c.state = csvUnquoted
			}
			i++
		case csvUnquoted:
			for i < len(b) && b[i] != ',' && b[i] != '"' && b[i] != '\n' {
				i++
			}
			if i == len(b) {
				return -1
			}
			switch b[i] {
			case ',':
				c.state = csvFieldStart
			case '"':
				c.state = csvBadLine // a quote in an unquoted field
			case '\n':
				c.state = csvFieldStart
				return i + 1
			}
			i++
		case csvQuoted:
			q := bytes.IndexByte(b[i:], '"')
			if q < 0 {
				return -1
			}
			i += q + 1
			c.state = csvQuote
		case csvQuote:
			switch b[i] {
			case '"':
				c.state = csvQuoted // "" is a quote
			case ',':
				c.state = csvFieldStart
			case '\n':
				c.state = csvFieldStart
				return i + 1
			case '\r':
				c.state = csvQuoteCR
			default:
				c.state = csvBadLine // text after a closing quote
			}
			i++
		case csvQuoteCR:
			if b[i] == '\n' {
				c.state = csvFieldStart
				return i + 1
			}
			c.state = csvBadLine // the byte is looked at again there
		case csvBadLine:
			n := bytes.IndexByte(b[i:], '\n')
			if n < 0 {
				return -1
			}
			c.state = csvFieldStart
			return i + n + 1
		}
	}
	return -1
}

// last returns the index just past the end of the last record that ends
// in b, or -1 when none does; the state is then that of the end of b.
func (c *csvEnds) last(b []byte) int {
	end := -1
	for off := 0; off < len(b); {
		n := c.next(b[off:])
		if n < 0 {
			break
		}
		off += n
		end = off
	}
	return end
}
