package clickhouse

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Subqueries (F in (QUERY), F not in (QUERY)) run in two steps, each
// SQL run by ClickHouse: the subquery, compiled as any query is (its
// having, order and limit applied by signinq as for any query), runs
// first; the values of its answer's first column then make the set the
// outer statement tests, written into it as constants (text folded by
// lowerUTF8, addresses as 16 bytes). The set is the engine's: nulls and
// empty text are in no subquery, each element of a multi-valued value is
// a value, an address of the ip field matches however it is written. A
// list subquery without limit or stage runs as the distinct values of
// its first field (count … group by F), as the engine runs it.

// subquery is a compiled subquery of in, run before the statement that
// holds it.
type subquery struct {
	cp     *Compiled
	field  *signin.Field // F
	not    bool
	marker string    // stands for the condition in the holder's SQL until Run
	n      int       // 1, 2, … in the holder
	tuple  *tupleSub // (F1, F2, …) in: the fields; field is then only their names
}

// maxSetValues bounds the values a subquery may give: beyond, they are
// too many to write into a statement (Run's error wraps ErrNotExpressible,
// and Query runs the query in signinq).
const maxSetValues = 200_000

// subMarker is the placeholder of subquery n's condition; NUL never
// occurs in the SQL the compiler writes otherwise (quote escapes it).
func subMarker(n int) string { return "\x00sub" + strconv.Itoa(n) + "\x00" }

// inSubquery compiles F [not] in (QUERY).
func (c *compiler) inSubquery(e *ast.In) (string, error) {
	f, err := c.field(e.X)
	if err != nil {
		return "", err
	}
	q := e.Query
	if d := distinctValues(q); d != nil {
		q = d
	}
	cp, err := c.subCompile(q, e.Pos, "a subquery ("+e.Query.String()+")")
	if err != nil {
		return "", err
	}
	if len(cp.Columns) == 0 {
		return "", refuse(e.Query.Pos, "a subquery without columns", "in compares with its first column")
	}
	n := len(c.subs) + 1
	s := &subquery{cp: cp, field: f, not: e.Not, marker: subMarker(n), n: n}
	c.subs = append(c.subs, s)
	return s.marker, nil
}

// subCompile checks and compiles a query another holds (a subquery, a
// join's right side), at the same now.
func (c *compiler) subCompile(q *ast.Query, pos ast.Pos, what string) (*Compiled, error) {
	plan, err := query.CheckLists(&ast.Statement{Query: q}, c.reg, c.plan.Now, c.given)
	if err != nil {
		return nil, refuse(pos, what, err.Error())
	}
	sc := &compiler{plan: plan, database: c.database, lists: c.lists, given: c.given, reg: c.reg}
	return sc.compile()
}

// distinctValues is, for a list subquery without limit or stage (list
// F where …), the query of the same values: count … group by F.
func distinctValues(q *ast.Query) *ast.Query {
	if q.Kind != ast.List || q.All || len(q.Fields) == 0 || q.Limit != nil || len(q.Stages) > 0 {
		return nil
	}
	return &ast.Query{Pos: q.Pos, Kind: ast.Aggregate, Heads: []*ast.Head{{Pos: q.Pos, Expr: &ast.Name{Pos: q.Pos, Name: "count"}}},
		Where: q.Where, Since: q.Since, Between: q.Between, GroupBy: q.Fields[:1]}
}

// statement is cp's SQL with its subqueries run and their sets written in.
func (cp *Compiled) statement(ctx context.Context, conn driver.Conn) (string, error) {
	sql := cp.sql
	for _, s := range cp.subs {
		res, err := s.cp.Run(ctx, conn)
		if err != nil {
			return "", err
		}
		var cond string
		if s.tuple != nil {
			cond, err = s.tuple.cond(s.not, res.Rows)
		} else {
			var vals []result.Value
			for _, r := range res.Rows {
				vals = append(vals, r[0])
			}
			cond, err = setCond(s.field, s.not, vals)
		}
		if err != nil {
			return "", err
		}
		sql = strings.Replace(sql, s.marker, cond, 1)
	}
	return sql, nil
}

// display is the SQL as explain shows it: each subquery's statement
// first, and the condition on its values named in the statement.
func (cp *Compiled) display() string {
	var b strings.Builder
	sql := cp.sql
	for _, s := range cp.subs {
		fmt.Fprintf(&b, "-- subquery %d, run first; its first column's values make the set of %s %s:\n%s\n", s.n, s.field.Name, map[bool]string{false: "in", true: "not in"}[s.not], indentSub(s.cp.display()))
		sql = strings.Replace(sql, s.marker, "{"+s.field.Name+map[bool]string{false: " in", true: " not in"}[s.not]+" subquery "+strconv.Itoa(s.n)+"}", 1)
	}
	b.WriteString(sql)
	for i, op := range cp.post {
		fmt.Fprintf(&b, "\n-- then signinq applies to the rows: | %s", strings.ReplaceAll(cp.postText[i], "\n", " "))
		if j, ok := op.(*pipeJoin); ok {
			fmt.Fprintf(&b, "\n-- joining them with those of:\n%s", indentSub(j.right.display()))
		}
	}
	return b.String()
}

func indentSub(s string) string { return "--   " + strings.ReplaceAll(s, "\n", "\n--   ") }

// setCond is the condition that f's value is [not] in a set of values,
// as the engine's subquery sets hold them.
func setCond(f *signin.Field, negate bool, vals []result.Value) (string, error) {
	var texts, addrs []string
	var ints []int64
	var flts []float64
	seenT, seenA, seenI, seenF := map[string]bool{}, map[string]bool{}, map[int64]bool{}, map[float64]bool{}
	isIP := f.Name == "ip"
	addText := func(s string) error {
		if s == "" {
			return nil
		}
		if isIP {
			if a, err := netip.ParseAddr(s); err == nil {
				if a.Zone() != "" {
					return refuse(ast.Pos{}, "a subquery's address with a zone ("+s+")", "the engine compares it with its zone, which the table does not keep apart")
				}
				b := a.Unmap().As16()
				if k := "'" + hex.EncodeToString(b[:]) + "'"; !seenA[k] {
					seenA[k] = true
					addrs = append(addrs, k)
				}
				return nil
			}
		}
		if !seenT[s] {
			seenT[s] = true
			texts = append(texts, quote(s))
		}
		return nil
	}
	addInt := func(x int64) {
		if !seenI[x] {
			seenI[x] = true
			ints = append(ints, x)
		}
	}
	addFloat := func(x float64) {
		if !seenF[x] {
			seenF[x] = true
			flts = append(flts, x)
		}
	}
	for _, v := range vals {
		switch {
		case v.IsNull():
		case v.Kind() == signin.KindList:
			for _, s := range v.List() {
				if err := addText(s); err != nil {
					return "", err
				}
			}
		case v.Kind() == signin.KindString:
			if err := addText(v.Str()); err != nil {
				return "", err
			}
		case v.Kind() == signin.KindFloat:
			x := v.Float()
			if math.IsNaN(x) {
				continue
			}
			if math.IsInf(x, 0) {
				return "", refuse(ast.Pos{}, "a subquery's infinite number", "not written as an SQL constant")
			}
			addFloat(x)
			if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
				addInt(int64(x))
			}
		default: // whole numbers, times, flags
			addInt(v.Int())
			addFloat(float64(v.Int()))
		}
		if len(texts)+len(addrs)+len(ints) > maxSetValues {
			return "", refuse(ast.Pos{}, "a subquery of more than "+strconv.Itoa(maxSetValues)+" values", "too many to write into a statement")
		}
	}
	switch f.Kind {
	case signin.KindString, signin.KindList:
		x := strExpr(f)
		if f.Kind == signin.KindList {
			x = "x"
		}
		in := "0"
		if len(texts) > 0 {
			in = textSet(x, texts)
		}
		if len(addrs) > 0 {
			// An address (without a zone) is compared as an address,
			// anything else as text.
			isAddr := "(isNotNull(" + ident(colIP16) + ") AND position(" + x + ", '%') = 0)"
			in = "if(" + isAddr + ", " + addrSet(addrs) + ", " + in + ")"
		}
		if f.Kind == signin.KindList {
			col := ident(f.Name)
			in = "arrayExists(x -> " + in + ", " + col + ")"
		}
		if negate {
			return not("(" + in + ")"), nil
		}
		return "(" + in + ")", nil
	}
	var nums []string
	switch f.Kind {
	case signin.KindFloat:
		for _, x := range flts {
			nums = append(nums, floatLit(x))
		}
	default:
		for _, x := range ints {
			nums = append(nums, strconv.FormatInt(x, 10))
		}
	}
	col := ident(f.Name)
	switch {
	case len(nums) == 0 && negate:
		return "isNotNull(" + col + ")", nil
	case len(nums) == 0:
		return "0", nil
	}
	op := " IN ("
	if negate {
		op = " NOT IN ("
	}
	return "(isNotNull(" + col + ") AND ifNull(" + col + op + strings.Join(nums, ", ") + "), 0))", nil
}

// textSet is "text x, folded, is one of the quoted texts, folded": a
// set ClickHouse folds once, of an array literal (one element of the
// statement, however many texts).
func textSet(x string, quoted []string) string {
	return fold(x) + " IN (SELECT " + fold("arrayJoin(["+strings.Join(quoted, ", ")+"])") + ")"
}

// addrSet is "the address of ip is one of these", each 16 bytes in
// quoted hex.
func addrSet(hexes []string) string {
	return "ifNull(" + ident(colIP16) + " IN (SELECT toFixedString(unhex(arrayJoin([" + strings.Join(hexes, ", ") + "])), 16)), 0)"
}
