package script

import (
	"math/big"
	"strconv"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/syntax"
)

// Starlark bounds a script's steps, not what one step does: a single
// operation can make gigabytes ([0] * (1 << 29), a string doubled thirty
// times, an integer squared thirty times) or run for minutes, and the
// library has no memory limit of its own. So before a script is
// compiled, every operation that can make a value in proportion to its
// operands is routed through a checked builtin of checkedOps
// (memory.go), which charges the run what the operation is about to make
// and refuses it over the limit, before it allocates:
//
//	x op y        → ·op(x, y)            arithmetic operators (not comparisons)
//	op x          → ·uop(x)              -, + and ~
//	x[lo:hi:st]   → ·slice(x, lo, hi, st)
//	f(args)       → ·call(f, args)       every call: builtins are checked by name
//	x op= y       → x = ·op=(x, y)
//	a[i] op= y    → ·set(·op=(·index(a, i), y)), and a.f op= y so
//
// The checked builtins' names start with "·", which no script can write,
// and their frames are left out of positions and backtraces, so errors
// point at the script's own line and column, as before. Even i + 1 is
// checked: it copies i, which may be a large integer, as often as a
// script likes. And an integer literal is at most maxIntBits, as the
// integers operations make.

// hidden starts the names of the checked builtins.
const hidden = "·"

// rewriteFile routes the operations of a parsed and resolved script
// through the checked builtins; it is resolved again as it is compiled.
// It refuses an integer literal over maxIntBits.
func rewriteFile(f *syntax.File) error {
	var err error
	syntax.Walk(f, func(n syntax.Node) bool {
		if l, ok := n.(*syntax.Literal); ok && err == nil {
			if b, ok := l.Value.(*big.Int); ok && b.BitLen() > maxIntBits {
				err = errorAt(l.TokenPos, "integer limit exceeded: a literal of %d bits (at most %d)", b.BitLen(), maxIntBits).wrap(ErrLimit)
			}
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	rewriteStmts(f.Stmts)
	return nil
}

func rewriteStmts(ss []syntax.Stmt) {
	for i, s := range ss {
		ss[i] = rewriteStmt(s)
	}
}

func rewriteStmt(s syntax.Stmt) syntax.Stmt {
	switch s := s.(type) {
	case *syntax.AssignStmt:
		s.RHS = rewriteExpr(s.RHS)
		if s.Op == syntax.EQ {
			s.LHS = rewriteTarget(s.LHS)
			return s
		}
		return rewriteAugmented(s)
	case *syntax.DefStmt:
		rewriteParams(s.Params)
		rewriteStmts(s.Body)
	case *syntax.ExprStmt:
		s.X = rewriteExpr(s.X)
	case *syntax.IfStmt:
		s.Cond = rewriteExpr(s.Cond)
		rewriteStmts(s.True)
		rewriteStmts(s.False)
	case *syntax.ForStmt:
		s.Vars = rewriteTarget(s.Vars)
		s.X = rewriteExpr(s.X)
		rewriteStmts(s.Body)
	case *syntax.WhileStmt:
		s.Cond = rewriteExpr(s.Cond)
		rewriteStmts(s.Body)
	case *syntax.ReturnStmt:
		if s.Result != nil {
			s.Result = rewriteExpr(s.Result)
		}
	}
	return s
}

// rewriteTarget rewrites what an assignment assigns to: the operands of
// its index and dot expressions, never the target itself.
func rewriteTarget(e syntax.Expr) syntax.Expr {
	switch e := e.(type) {
	case *syntax.ParenExpr:
		e.X = rewriteTarget(e.X)
	case *syntax.TupleExpr:
		for i, x := range e.List {
			e.List[i] = rewriteTarget(x)
		}
	case *syntax.ListExpr:
		for i, x := range e.List {
			e.List[i] = rewriteTarget(x)
		}
	case *syntax.IndexExpr:
		e.X, e.Y = rewriteExpr(e.X), rewriteExpr(e.Y)
	case *syntax.DotExpr:
		e.X = rewriteExpr(e.X)
	}
	return e
}

// rewriteAugmented rewrites x op= y, whose RHS is rewritten already.
func rewriteAugmented(s *syntax.AssignStmt) syntax.Stmt {
	lhs := s.LHS
	for {
		p, ok := lhs.(*syntax.ParenExpr)
		if !ok {
			break
		}
		lhs = p.X
	}
	op := s.Op.String()
	switch l := lhs.(type) {
	case *syntax.Ident:
		read := &syntax.Ident{NamePos: l.NamePos, Name: l.Name}
		return &syntax.AssignStmt{OpPos: s.OpPos, Op: syntax.EQ, LHS: l, RHS: checkedCall(hidden+op, s.OpPos, read, s.RHS)}
	case *syntax.IndexExpr: // ·set(·op=(·index(a, i), y)): a slot (memory.go) holds a and i
		get := checkedCall(hidden+"index", l.Lbrack, rewriteExpr(l.X), rewriteExpr(l.Y))
		return &syntax.ExprStmt{X: checkedCall(hidden+"set", l.Lbrack, checkedCall(hidden+op, s.OpPos, get, s.RHS))}
	case *syntax.DotExpr:
		name := &syntax.Literal{Token: syntax.STRING, TokenPos: l.NamePos, Raw: strconv.Quote(l.Name.Name), Value: l.Name.Name}
		get := checkedCall(hidden+"field", l.Dot, rewriteExpr(l.X), name)
		return &syntax.ExprStmt{X: checkedCall(hidden+"set", l.Dot, checkedCall(hidden+op, s.OpPos, get, s.RHS))}
	}
	s.LHS = rewriteTarget(s.LHS) // the resolver refuses anything else
	return s
}

// rewriteParams rewrites the default values of a function's parameters.
func rewriteParams(params []syntax.Expr) {
	for _, p := range params {
		if b, ok := p.(*syntax.BinaryExpr); ok && b.Op == syntax.EQ {
			b.Y = rewriteExpr(b.Y)
		}
	}
}

// checkedOps are the operators routed through checked builtins: the
// arithmetic ones (comparisons, in, and, or make nothing).
var checkedOps = map[syntax.Token]bool{
	syntax.PLUS: true, syntax.MINUS: true, syntax.STAR: true, syntax.SLASH: true, syntax.SLASHSLASH: true,
	syntax.PERCENT: true, syntax.AMP: true, syntax.PIPE: true, syntax.CIRCUMFLEX: true, syntax.LTLT: true, syntax.GTGT: true,
}

func rewriteExpr(e syntax.Expr) syntax.Expr {
	switch e := e.(type) {
	case *syntax.BinaryExpr:
		e.X, e.Y = rewriteExpr(e.X), rewriteExpr(e.Y)
		if !checkedOps[e.Op] {
			return e
		}
		return checkedCall(hidden+e.Op.String(), e.OpPos, e.X, e.Y)
	case *syntax.UnaryExpr:
		if e.X == nil {
			return e
		}
		e.X = rewriteExpr(e.X)
		if _, lit := e.X.(*syntax.Literal); lit || e.Op != syntax.MINUS && e.Op != syntax.PLUS && e.Op != syntax.TILDE {
			return e
		}
		return checkedCall(hidden+"unary"+e.Op.String(), e.OpPos, e.X)
	case *syntax.CallExpr:
		args := []syntax.Expr{rewriteExpr(e.Fn)}
		for _, a := range e.Args {
			switch a := a.(type) {
			case *syntax.BinaryExpr: // name=value
				if a.Op == syntax.EQ {
					a.Y = rewriteExpr(a.Y)
					args = append(args, a)
					continue
				}
			case *syntax.UnaryExpr: // *args, **kwargs
				if a.Op == syntax.STAR || a.Op == syntax.STARSTAR {
					a.X = rewriteExpr(a.X)
					args = append(args, a)
					continue
				}
			}
			args = append(args, rewriteExpr(a))
		}
		return checkedCall(hidden+"call", e.Lparen, args...)
	case *syntax.SliceExpr:
		part := func(x syntax.Expr) syntax.Expr {
			if x == nil {
				return &syntax.Ident{NamePos: e.Lbrack, Name: hidden + "none"}
			}
			return rewriteExpr(x)
		}
		c := checkedCall(hidden+"slice", e.Lbrack, rewriteExpr(e.X), part(e.Lo), part(e.Hi), part(e.Step))
		if _, ok := firstPos(c.Args[0]); !ok { // Starlark marks the [ before it computes x
			c.Fn = &syntax.Ident{Name: hidden + "slice@", NamePos: e.Lbrack}
		}
		return c
	case *syntax.IndexExpr:
		e.X, e.Y = rewriteExpr(e.X), rewriteExpr(e.Y)
	case *syntax.DotExpr:
		e.X = rewriteExpr(e.X)
	case *syntax.ParenExpr:
		e.X = rewriteExpr(e.X)
	case *syntax.ListExpr:
		for i, x := range e.List {
			e.List[i] = rewriteExpr(x)
		}
	case *syntax.TupleExpr:
		for i, x := range e.List {
			e.List[i] = rewriteExpr(x)
		}
	case *syntax.DictExpr:
		for i, x := range e.List {
			e.List[i] = rewriteExpr(x)
		}
	case *syntax.DictEntry:
		e.Key, e.Value = rewriteExpr(e.Key), rewriteExpr(e.Value)
	case *syntax.CondExpr:
		e.Cond, e.True, e.False = rewriteExpr(e.Cond), rewriteExpr(e.True), rewriteExpr(e.False)
	case *syntax.Comprehension:
		e.Body = rewriteExpr(e.Body)
		for _, c := range e.Clauses {
			switch c := c.(type) {
			case *syntax.ForClause:
				c.Vars = rewriteTarget(c.Vars)
				c.X = rewriteExpr(c.X)
			case *syntax.IfClause:
				c.Cond = rewriteExpr(c.Cond)
			}
		}
	case *syntax.LambdaExpr:
		rewriteParams(e.Params)
		e.Body = rewriteExpr(e.Body)
	}
	return e
}

// checkedCall is a call of the checked builtin name at pos (where the
// operation's errors are).
//
// The code of the call starts by loading the builtin, where Starlark's
// starts with the first operand's; the position of a function's first
// instruction is where a call of it that fails before it runs is
// reported (function f called recursively). So the builtin is loaded
// under a name that marks the position the first operand's code marks
// first, if it marks one: a predeclared name at that position (name+"@"),
// else the universal name, which marks none (see firstPos).
func checkedCall(name string, pos syntax.Position, args ...syntax.Expr) *syntax.CallExpr {
	start, _ := args[0].Span() // where the statement starts, when it is its first
	fn := &syntax.Ident{Name: name, NamePos: start}
	if first, ok := firstPos(args[0]); ok {
		fn.Name, fn.NamePos = name+"@", first
	}
	return &syntax.CallExpr{Fn: fn, Lparen: pos, Args: args, Rparen: pos}
}

// firstPos returns the position Starlark's compiler marks for the first
// instruction of e's code, if it marks one: a name that is not
// universal, which may be undefined, marks its own; a literal, a dict
// or a comprehension none. e is resolved (but for the checked builtins'
// names).
func firstPos(e syntax.Expr) (syntax.Position, bool) {
	switch e := e.(type) {
	case *syntax.Ident:
		if strings.HasPrefix(e.Name, hidden) {
			return e.NamePos, strings.HasSuffix(e.Name, "@")
		}
		if b, ok := e.Binding.(*resolve.Binding); ok && b.Scope == resolve.Universal {
			return syntax.Position{}, false
		}
		return e.NamePos, true
	case *syntax.ParenExpr:
		return firstPos(e.X)
	case *syntax.BinaryExpr:
		return firstPos(e.X)
	case *syntax.UnaryExpr:
		return firstPos(e.X)
	case *syntax.CallExpr:
		return firstPos(e.Fn)
	case *syntax.DotExpr:
		return firstPos(e.X)
	case *syntax.IndexExpr:
		return firstPos(e.X)
	case *syntax.SliceExpr:
		if p, ok := firstPos(e.X); ok {
			return p, true
		}
		return e.Lbrack, true
	case *syntax.CondExpr:
		return firstPos(e.Cond)
	case *syntax.ListExpr:
		if len(e.List) > 0 {
			return firstPos(e.List[0])
		}
	case *syntax.TupleExpr:
		if len(e.List) > 0 {
			return firstPos(e.List[0])
		}
	case *syntax.LambdaExpr:
		return e.Lambda, true
	}
	return syntax.Position{}, false
}
