package ast

import "strings"

// Tuple is a list of fields compared together, (ip, user): it stands
// only as the X of an In with a Query, (ip, user) in (QUERY), which
// holds when the fields' values, together, are among the rows of the
// subquery's first columns.
type Tuple struct {
	Pos    Pos // of the (
	Fields []*Name
}

func (*Tuple) expr() {}

func (e *Tuple) Position() Pos { return e.Pos }

// String is (F1, F2, …).
func (e *Tuple) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		if f != nil { // a built tuple may lack one: Check says so
			b.WriteString(f.Name)
		}
	}
	b.WriteByte(')')
	return b.String()
}
