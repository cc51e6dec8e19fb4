package query

import (
	"errors"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/signinq/signinq/query/ast"
)

// Parse parses a statement: a query, explain [analyze] and a query, or
// the define or undefine of a saved query. Its errors are *Error (but
// for a bug of its own: a *PanicError, ErrInternal). It checks the
// syntax only; Check resolves the names against the catalog and a
// registry, and a Macros the uses of saved queries (Expand).
func Parse(text string) (st *ast.Statement, err error) {
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(lowerFailure); ok {
				st, err = nil, f.err // a subquery's (lowerSubquery)
				return
			}
			st, err = nil, recovered(r) // a bug, never the text's fault
		}
	}()
	if len(text) > maxQueryBytes {
		return nil, errorf(ast.Pos{Line: 1, Col: 1}, "the query is %d bytes long; a query is at most %d", len(text), maxQueryBytes)
	}
	depth, deepest := 0, 0
	for i, r := range text {
		switch r {
		case '(':
			depth++
			if depth > maxNesting && deepest == 0 {
				deepest = i
			}
		case ')':
			depth--
		}
	}
	if deepest > 0 {
		return nil, errorf(posAt(text, deepest), "parentheses nest more than %d deep", maxNesting)
	}
	pst, err := parser.ParseString("", text)
	if err != nil {
		return nil, definitionError(text, parseError(err, text))
	}
	switch {
	case pst.Define != nil:
		d, err := lowerDefine(pst.Define, text)
		if err != nil {
			return nil, err
		}
		return &ast.Statement{Define: d}, nil
	case pst.Undefine != nil:
		n := pst.Undefine.Name
		if !isName(n.Name) {
			return nil, errorf(posOf(n.Pos), "undefine takes the name of a saved query: undefine failures")
		}
		return &ast.Statement{Undefine: &ast.Undefine{Pos: posOf(pst.Undefine.Pos), Name: &ast.Name{Pos: posOf(n.Pos), Name: n.Name}}}, nil
	}
	q, err := lowerQuery(pst.Query)
	if err != nil {
		return nil, err
	}
	return &ast.Statement{Explain: pst.Explain || pst.Analyze, Analyze: pst.Analyze, Query: q}, nil
}

// ParseCondition parses a condition on sign-ins written apart from a
// query, as a where writes it (status=failure and app contains "Teams"):
// a Starlark stage's where (script.Options.ParseCondition). Its errors
// are *Error, positioned in text, as are the expression's nodes.
func ParseCondition(text string) (ast.Expr, error) {
	const head = "list where "
	st, err := Parse(head + text)
	var perr *Error
	switch {
	case errors.As(err, &perr):
		e := *perr
		if e.Pos.Line == 1 {
			e.Pos.Col, e.Pos.Offset = max(e.Pos.Col-len(head), 1), max(e.Pos.Offset-len(head), 0)
		}
		return nil, &e
	case err != nil:
		return nil, err
	}
	q := st.Query
	if hasSubquery(q.Where) {
		return nil, errorf(ast.Pos{Line: 1, Col: 1}, "%q holds a subquery (in (…)): a condition written apart from a query takes values only", text)
	}
	if q.Since != nil || q.Between[0] != nil || len(q.OrderBy) > 0 || q.Limit != nil || len(q.Stages) > 0 || st.Explain {
		return nil, errorf(ast.Pos{Line: 1, Col: 1}, "%q is a condition and more: write a condition alone (status=failure)", text)
	}
	shiftPositions(q.Where, len(head))
	return q.Where, nil
}

// shiftPositions moves the positions of an expression parsed after n
// bytes of its line 1 back to where they are without them.
func shiftPositions(e ast.Expr, n int) {
	move := func(p *ast.Pos) {
		p.Offset -= n
		if p.Line == 1 {
			p.Col -= n
		}
	}
	stack := []ast.Expr{e}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch e := e.(type) {
		case *ast.Name:
			move(&e.Pos)
		case *ast.Literal:
			move(&e.Pos)
		case *ast.Call:
			move(&e.Pos)
			stack = append(stack, e.Args...)
		case *ast.Binary:
			move(&e.Pos)
			stack = append(stack, e.L, e.R)
		case *ast.Not:
			move(&e.Pos)
			stack = append(stack, e.X)
		case *ast.Tuple:
			move(&e.Pos)
			for _, f := range e.Fields {
				move(&f.Pos)
			}
		case *ast.In:
			move(&e.Pos)
			stack = append(stack, e.X)
			for _, v := range e.Values {
				move(&v.Pos)
			}
		}
	}
}

// Limits on what Parse reads, so that no input can exhaust the stack.
const (
	maxQueryBytes = 64 << 10
	maxNesting    = 64
)

// posAt is the position of a byte offset in text.
func posAt(text string, off int) ast.Pos {
	p := ast.Pos{Offset: off, Line: 1, Col: 1}
	for _, r := range text[:off] {
		if r == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

func lowerQuery(p *pQuery) (*ast.Query, error) {
	q := &ast.Query{Pos: posOf(p.Pos)}
	switch {
	case p.Show != nil:
		q.Kind, q.ID = ast.Show, lowerValue(p.Show.ID)
	case p.List != nil:
		q.Kind, q.All = ast.List, p.List.All
		for _, f := range p.List.Fields {
			q.Fields = append(q.Fields, lowerExpr(f))
		}
	case p.Top != nil:
		q.Kind, q.TopN = ast.Top, lowerValue(p.Top.N)
		for _, k := range p.Top.Keys {
			q.TopKeys = append(q.TopKeys, lowerExpr(k))
		}
		if p.Top.By != nil {
			q.TopBy = lowerExpr(p.Top.By)
		}
	default:
		q.Kind = ast.Aggregate
		for _, h := range p.Heads {
			head := &ast.Head{Pos: posOf(h.Pos), Expr: lowerExpr(h.Expr)}
			if h.Alias != nil {
				head.Alias = lowerValue(h.Alias)
			}
			q.Heads = append(q.Heads, head)
		}
	}
	seen := map[string]bool{}
	for _, c := range p.Clauses {
		pos := posOf(c.Pos)
		name := clauseName(c)
		if seen[name] {
			return nil, errorf(pos, "%s is given twice", name)
		}
		seen[name] = true
		switch name {
		case "where":
			q.Where = lowerCond(c.Where)
		case "since":
			q.Since = lowerValue(c.Since)
		case "between":
			q.Between = [2]*ast.Literal{lowerValue(c.Between.From), lowerValue(c.Between.To)}
		case "group by":
			for _, e := range c.GroupBy {
				q.GroupBy = append(q.GroupBy, lowerExpr(e))
			}
			if c.GroupIn != nil {
				q.GroupIn = lowerValue(c.GroupIn)
			}
		case "having":
			q.Having = lowerCond(c.Having)
		case "order by":
			for _, o := range c.OrderBy {
				q.OrderBy = append(q.OrderBy, &ast.Order{Pos: posOf(o.Pos), Expr: lowerExpr(o.Expr), Desc: strings.EqualFold(o.Dir, "desc")})
			}
		case "limit":
			q.Limit = lowerValue(c.Limit)
		}
		if err := clauseAllowed(q, name, pos); err != nil {
			return nil, err
		}
	}
	if seen["since"] && seen["between"] {
		return nil, errorf(q.Pos, "since and between both give the time range: use one")
	}
	stages, err := lowerPipes(p.Stages)
	if err != nil {
		return nil, err
	}
	q.Stages = stages
	return q, nil
}

func lowerStages(ps []*pStage) []*ast.Stage {
	var out []*ast.Stage
	for _, s := range ps {
		st := &ast.Stage{Pos: posOf(s.Pos), Name: s.Name, Paren: s.Paren}
		for _, g := range s.Given {
			st.Given = append(st.Given, lowerCond(g))
		}
		for _, a := range s.Args {
			v := &ast.Literal{Pos: posOf(a.Pos), Text: strings.ToLower(a.By)}
			if a.Value != nil {
				v = lowerValue(a.Value)
			}
			st.Args = append(st.Args, &ast.StageArg{Pos: posOf(a.Pos), Name: strings.ToLower(a.Name), Value: v})
		}
		out = append(out, st)
	}
	return out
}

// lowerDefine lowers a definition: its name and parameters are names
// (letters, digits, _), the parameters different.
func lowerDefine(p *pDefine, text string) (*ast.Define, error) {
	d := &ast.Define{Pos: posOf(p.Pos), Name: &ast.Name{Pos: posOf(p.Name.Pos), Name: p.Name.Name}}
	if !isName(d.Name.Name) {
		return nil, errorf(d.Name.Pos, "define takes a name (letters, digits, _), then = and a query: define failures(D) = count where status=failure since D")
	}
	for _, pp := range p.Params {
		if !isName(pp.Name) {
			return nil, errorf(posOf(pp.Pos), "a parameter is a name (letters, digits, _)")
		}
		for _, q := range d.Params {
			if strings.EqualFold(q.Name, pp.Name) {
				return nil, errorf(posOf(pp.Pos), "parameter %s is named twice", pp.Name)
			}
		}
		d.Params = append(d.Params, &ast.Name{Pos: posOf(pp.Pos), Name: pp.Name})
	}
	var body lexer.Position
	if p.Query != nil {
		q, err := lowerQuery(p.Query)
		var qe *Error
		if errors.As(err, &qe) {
			return nil, errorf(qe.Pos, "define %s: %s", d.Name.Name, qe.Msg)
		}
		if err != nil {
			return nil, err
		}
		d.Query, body = q, p.Query.Pos
	} else {
		d.Stages, body = lowerStages(p.Stages), p.Stages[0].Pos
	}
	d.Body = strings.TrimSpace(text[body.Offset:])
	return d, nil
}

// isName reports whether s is a name: letters, digits and _, not
// beginning with a digit.
func isName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// definitionError words a syntax error in a define or undefine statement
// as the statement's: what its head lacks, or the error in its body with
// the name defined.
func definitionError(text string, perr *Error) *Error {
	toks, err := tokens(text)
	if err != nil || len(toks) == 0 || toks[0].Type != tokKeyword {
		return perr
	}
	at := func(i int) lexer.Token {
		if i < len(toks) {
			return toks[i]
		}
		e := posEnd(text)
		return lexer.EOFToken(lexer.Position{Offset: e.Offset, Line: e.Line, Column: e.Col})
	}
	switch strings.ToLower(toks[0].Value) {
	case "undefine":
		if at(1).Type != tokWord {
			return errorf(tokPos(at(1)), "undefine takes the name of a saved query: undefine failures")
		}
		if len(toks) > 2 {
			return errorf(tokPos(toks[2]), "undefine takes one name, then nothing")
		}
	case "define":
		name := at(1)
		if name.Type != tokWord {
			return errorf(tokPos(name), "define takes a name (letters, digits, _), then = and a query: define failures(D) = count where status=failure since D")
		}
		i := 2
		if at(i).Value == "(" && at(i).Type == tokPunct {
			for i++; ; i++ {
				p := at(i)
				if p.Type != tokWord {
					return errorf(tokPos(p), "a parameter is a name (letters, digits, _)")
				}
				i++
				if at(i).Value == ")" && at(i).Type == tokPunct {
					i++
					break
				}
				if at(i).Value != "," || at(i).Type != tokPunct {
					return errorf(tokPos(at(i)), "expected , or ) after parameter %s", p.Value)
				}
			}
		}
		if eq := at(i); eq.Value != "=" || eq.Type != tokCmp {
			return errorf(tokPos(eq), "expected = after define %s", name.Value)
		}
		if i+1 >= len(toks) {
			return errorf(posEnd(text), "define %s has no query after = (undefine %s removes a saved query)", name.Value, name.Value)
		}
		if perr.Pos.Offset >= toks[i+1].Pos.Offset {
			return errorf(perr.Pos, "define %s: %s", name.Value, perr.Msg)
		}
	}
	return perr
}

func clauseName(c *pClause) string {
	switch {
	case c.Where != nil:
		return "where"
	case c.Since != nil:
		return "since"
	case c.Between != nil:
		return "between"
	case c.GroupBy != nil:
		return "group by"
	case c.Having != nil:
		return "having"
	case c.OrderBy != nil:
		return "order by"
	}
	return "limit"
}

// clauseAllowed refuses the clauses a kind of query has no use for.
func clauseAllowed(q *ast.Query, name string, pos ast.Pos) error {
	switch {
	case q.Kind == ast.Show:
		return errorf(pos, "show takes a sign-in's id and nothing else")
	case q.Kind == ast.List && (name == "group by" || name == "having"):
		return errorf(pos, "list lists sign-ins and has no %s: use an aggregate (count, dcount(user)) to group", name)
	case q.Kind == ast.Top && name == "group by":
		return errorf(pos, "top groups by its keys already (top 10 app, country)")
	}
	return nil
}

func lowerValue(v *pValue) *ast.Literal {
	if v.String != "" {
		return &ast.Literal{Pos: posOf(v.Pos), Text: ast.Unquote(v.String), Quoted: true}
	}
	return &ast.Literal{Pos: posOf(v.Pos), Text: v.Word}
}

// lowerCond gives a condition its precedence: each run of operands
// joined by and is one operand of or.
func lowerCond(c *pCond) ast.Expr {
	var or ast.Expr
	and := lowerPred(c.Left)
	for _, r := range c.Rest {
		right := lowerPred(r.Pred)
		if strings.EqualFold(r.Op, "and") {
			and = &ast.Binary{Pos: right.Position(), Op: "and", L: and, R: right}
			continue
		}
		or = orOf(or, and)
		and = right
	}
	return orOf(or, and)
}

func orOf(left, right ast.Expr) ast.Expr {
	if left == nil {
		return right
	}
	return &ast.Binary{Pos: right.Position(), Op: "or", L: left, R: right}
}

// lowerPred lowers a predicate and the nots before it: not not X is X,
// so that however many nots a query writes, at most one is left (and
// neither the tree's depth nor the work of running it grows with them).
func lowerPred(p *pPred) ast.Expr {
	e := lowerComparison(p)
	for i := len(p.Nots) - 1; i >= 0; i-- {
		if n, ok := e.(*ast.Not); ok {
			e = n.X
			continue
		}
		e = &ast.Not{Pos: posOf(p.Nots[i].Pos), X: e}
	}
	return e
}

func lowerComparison(p *pPred) ast.Expr {
	if t := tupleFactor(p); t != nil {
		return lowerTupleIn(t, p) // (ip, user) in (QUERY): tuple.go
	}
	left := lowerExpr(p.Left)
	switch {
	case p.Op != "":
		return &ast.Binary{Pos: left.Position(), Op: strings.ToLower(p.Op), L: left, R: lowerExpr(p.Right)}
	case p.List != nil:
		in := &ast.In{Pos: left.Position(), X: left, Not: p.NotIn}
		for _, v := range p.List {
			in.Values = append(in.Values, lowerValue(v))
		}
		return in
	case p.Sub != nil:
		return lowerSubquery(left, p)
	}
	return left
}

// lowerExpr gives arithmetic its precedence: each run of factors joined
// by * or / is one term of + and -, all associating to the left.
func lowerExpr(p *pExpr) ast.Expr {
	var sum ast.Expr
	var sumOp *pArith
	term := lowerFactor(p.Left)
	for _, r := range p.Rest {
		right := lowerFactor(r.Factor)
		if r.Op == "*" || r.Op == "/" {
			term = &ast.Binary{Pos: posOf(r.Pos), Op: r.Op, L: term, R: right}
			continue
		}
		sum = addTerm(sum, sumOp, term)
		sumOp, term = r, right
	}
	return addTerm(sum, sumOp, term)
}

func addTerm(sum ast.Expr, op *pArith, term ast.Expr) ast.Expr {
	if sum == nil {
		return term
	}
	return &ast.Binary{Pos: posOf(op.Pos), Op: op.Op, L: sum, R: term}
}

func lowerFactor(f *pFactor) ast.Expr {
	switch {
	case len(f.More) > 0:
		panic(lowerFailure{errorf(posOf(f.Pos), "a list of fields is compared with in (QUERY): (ip, user) in (count group by ip, user)")})
	case f.Sub != nil:
		return lowerCond(f.Sub)
	case f.Call:
		c := &ast.Call{Pos: posOf(f.Pos), Name: f.Word}
		for _, a := range f.Args {
			c.Args = append(c.Args, lowerCond(a))
		}
		return c
	case f.Word == "":
		return &ast.Literal{Pos: posOf(f.Pos), Text: ast.Unquote(f.String), Quoted: true}
	}
	// A bare word: a name (field, alias, aggregate) or a value; Check
	// decides from where it stands.
	return &ast.Name{Pos: posOf(f.Pos), Name: f.Word}
}

// lowerSubquery lowers X [not] in (QUERY). An error in the subquery's
// clauses (one given twice) stops the lowering with a panic that Parse
// turns back into the error (lowerFailure): the lowering of conditions
// has no error of its own to return it by.
func lowerSubquery(left ast.Expr, p *pPred) ast.Expr {
	if vals := subqueryValues(p.Sub); vals != nil {
		return &ast.In{Pos: left.Position(), X: left, Values: vals, Not: p.NotIn}
	}
	q, err := lowerQuery(p.Sub)
	if err != nil {
		panic(lowerFailure{err})
	}
	return &ast.In{Pos: left.Position(), X: left, Query: q, Not: p.NotIn}
}

// lowerFailure carries an error of a subquery's lowering out of the
// lowering of the condition that holds it.
type lowerFailure struct{ err error }

// subqueryValues returns the values of a subquery that reads as a list
// of values: heads that are each a word or a quoted string, without
// alias, clause or stage ((alice, "bob smith")); nil for any other.
func subqueryValues(p *pQuery) []*ast.Literal {
	if len(p.Heads) == 0 || len(p.Clauses) > 0 || len(p.Stages) > 0 {
		return nil
	}
	var vals []*ast.Literal
	for _, h := range p.Heads {
		e := h.Expr
		if h.Alias != nil || len(e.Rest) > 0 || e.Left.Call || e.Left.Sub != nil {
			return nil
		}
		vals = append(vals, lowerValue(&pValue{Pos: e.Left.Pos, Word: e.Left.Word, String: e.Left.String}))
	}
	return vals
}

// lowerPipes lowers what follows the |s of a query: stages, and the
// operators where, order by, limit and join.
func lowerPipes(ps []*pPipe) ([]*ast.Stage, error) {
	var out []*ast.Stage
	for _, p := range ps {
		pos := posOf(p.Pos)
		switch {
		case p.Where != nil:
			out = append(out, &ast.Stage{Pos: pos, Name: "where", Where: lowerCond(p.Where)})
		case p.OrderBy != nil:
			s := &ast.Stage{Pos: pos, Name: "order by"}
			for _, o := range p.OrderBy {
				s.OrderBy = append(s.OrderBy, &ast.Order{Pos: posOf(o.Pos), Expr: lowerExpr(o.Expr), Desc: strings.EqualFold(o.Dir, "desc")})
			}
			out = append(out, s)
		case p.Limit != nil:
			out = append(out, &ast.Stage{Pos: pos, Name: "limit", Limit: lowerValue(p.Limit)})
		case p.Join != nil:
			j, err := lowerJoin(p.Join)
			if err != nil {
				return nil, err
			}
			out = append(out, &ast.Stage{Pos: pos, Name: "join", Join: j})
		case p.Seq != nil:
			q, err := lowerSeq(p.Seq)
			if err != nil {
				return nil, err
			}
			out = append(out, &ast.Stage{Pos: pos, Name: "sequence", Sequence: q})
		default:
			out = append(out, lowerStages([]*pStage{p.Stage})...)
		}
	}
	return out, nil
}

// lowerJoin lowers join [left|anti] (QUERY) on KEY, ….
func lowerJoin(p *pJoin) (*ast.Join, error) {
	j := &ast.Join{Pos: posOf(p.Pos)}
	if p.Kind != nil {
		switch k := strings.ToLower(p.Kind.Name); k {
		case "left", "anti":
			j.Kind = k
		case "inner":
		default:
			return nil, errorf(posOf(p.Kind.Pos), "join is join (QUERY), join left (QUERY) or join anti (QUERY), not join %s", p.Kind.Name)
		}
	}
	if !strings.EqualFold(p.On.Name, "on") {
		return nil, errorf(posOf(p.On.Pos), "expected on and the key columns after the joined query: join (QUERY) on user")
	}
	q, err := lowerQuery(p.Query)
	if err != nil {
		return nil, err
	}
	j.Query = q
	for _, k := range p.Keys {
		name := k.Name
		if k.String != "" {
			name = ast.Unquote(k.String)
		}
		j.On = append(j.On, &ast.Name{Pos: posOf(k.Pos), Name: name})
	}
	return j, nil
}

// lowerSeq lowers sequence [by KEY, …] within D | gap D: STEP then ….
func lowerSeq(p *pSeq) (*ast.Sequence, error) {
	s := &ast.Sequence{Pos: posOf(p.Pos)}
	for _, k := range p.By {
		s.By = append(s.By, &ast.Name{Pos: posOf(k.Pos), Name: k.Name})
	}
	for _, b := range p.Bounds {
		at := &s.Within
		if strings.EqualFold(b.Kind, "gap") {
			at = &s.Gap
		}
		if *at != nil {
			return nil, errorf(posOf(b.Pos), "a sequence has one %s", strings.ToLower(b.Kind))
		}
		*at = lowerValue(b.D)
	}
	if s.Within == nil && s.Gap == nil {
		return nil, errorf(s.Pos, "a sequence is bounded in time: within D (from its first event to its last) or gap D (between consecutive events of a key), before the : (sequence by user within 10m: …)")
	}
	for _, st := range p.Steps {
		step := &ast.SeqStep{Pos: posOf(st.Pos)}
		if !st.Any {
			step.Cond = lowerCond(st.Cond)
		}
		if st.Repeat != "" {
			n, err := strconv.Atoi(strings.TrimSuffix(st.Repeat, "+"))
			if err != nil || n < 1 {
				return nil, errorf(step.Pos, "%s: a step's count is a whole number of at least 1 and a + (10+: ten or more events)", st.Repeat)
			}
			step.Min = n
		}
		s.Steps = append(s.Steps, step)
	}
	return s, nil
}
