package query

import (
	"regexp"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The parse tree: participle's view of a query, lowered into the AST
// (ast.go) by parse.go. Nothing outside this file and parse.go sees it.

type pStatement struct {
	Pos      lexer.Position
	Define   *pDefine   `parser:"(  @@"`
	Undefine *pUndefine `parser:" | @@"`
	Explain  bool       `parser:" | ( @'explain'"`
	Analyze  bool       `parser:"    @'analyze'? )?"`
	Query    *pQuery    `parser:"  @@ )"`
}

// pDefine saves a query: its body is a query when it reads as one to
// its end, else stages. (The words define and undefine are keywords at
// the head of a statement only: lexer.go.)
type pDefine struct {
	Pos    lexer.Position
	Name   *pName    `parser:"'define' @@"`
	Params []*pName  `parser:"( '(' @@ ( ',' @@ )* ')' )?"`
	Query  *pQuery   `parser:"'=' ( @@ (?= EOF)"`
	Stages []*pStage `parser:"    | @@ ( '|' @@ )* )"`
}

type pName struct {
	Pos  lexer.Position
	Name string `parser:"@Word"`
}

type pUndefine struct {
	Pos  lexer.Position
	Name *pName `parser:"'undefine' @@"`
}

type pQuery struct {
	Pos     lexer.Position
	Heads   []*pHead   `parser:"(  @@ ( ',' @@ )*"`
	List    *pList     `parser:" | @@"`
	Top     *pTop      `parser:" | @@"`
	Show    *pShow     `parser:" | @@ )"`
	Clauses []*pClause `parser:"@@*"`
	Stages  []*pPipe   `parser:"( '|' @@ )*"`
}

// pPipe is what follows a | in a query: an operator of the language on
// the rows so far, or a stage. (join is a keyword right after a |:
// lexer.go.)
type pPipe struct {
	Pos     lexer.Position
	Where   *pCond    `parser:"(  'where' @@"`
	OrderBy []*pOrder `parser:" | 'order' 'by' @@ ( ',' @@ )*"`
	Limit   *pValue   `parser:" | 'limit' @@"`
	Join    *pJoin    `parser:" | @@"`
	Seq     *pSeq     `parser:" | @@"`
	Stage   *pStage   `parser:" | @@ )"`
}

// pSeq is sequence [by KEY, …] [within D] [gap D]: STEP then STEP …
// (sequence, within, gap and then are keywords there, : ends its head
// and N+ is a Repeat: lexer.go). Which bounds are given is checked by
// parse.go.
type pSeq struct {
	Pos    lexer.Position
	By     []*pName     `parser:"'sequence' ( 'by' @@ ( ',' @@ )* )?"`
	Bounds []*pSeqBound `parser:"@@* ':'"`
	Steps  []*pSeqStep  `parser:"@@ ( 'then' @@ )*"`
}

type pSeqBound struct {
	Pos  lexer.Position
	Kind string  `parser:"@( 'within' | 'gap' )"`
	D    *pValue `parser:"@@"`
}

type pSeqStep struct {
	Pos    lexer.Position
	Repeat string `parser:"@Repeat?"`
	Any    bool   `parser:"( @'*'"`
	Cond   *pCond `parser:"| @@ )"`
}

// pJoin is join [left|anti] (QUERY) on KEY, …: the words of its kind
// and on are checked by parse.go.
type pJoin struct {
	Pos   lexer.Position
	Kind  *pName  `parser:"'join' @@?"`
	Query *pQuery `parser:"'(' @@ ')'"`
	On    *pName  `parser:"@@"`
	Keys  []*pKey `parser:"@@ ( ',' @@ )*"`
}

// pKey is a join's key column: a name, or a quoted one for a column
// whose name is not a word ("hour(time)").
type pKey struct {
	Pos    lexer.Position
	Name   string `parser:"  @Word"`
	String string `parser:"| @String"`
}

type pShow struct {
	Pos lexer.Position
	ID  *pValue `parser:"'show' @@"`
}

type pList struct {
	Pos    lexer.Position
	All    bool     `parser:"'list' ( @'*'"`
	Fields []*pExpr `parser:"       | @@ ( ',' @@ )* )?"`
}

type pTop struct {
	Pos  lexer.Position
	N    *pValue  `parser:"'top' @@"`
	Keys []*pExpr `parser:"@@ ( ',' @@ )*"`
	By   *pExpr   `parser:"( 'by' @@ )?"`
}

type pHead struct {
	Pos   lexer.Position
	Expr  *pExpr  `parser:"@@"`
	Alias *pValue `parser:"( 'as' @@ )?"`
}

type pClause struct {
	Pos     lexer.Position
	Where   *pCond    `parser:"  'where' @@"`
	Since   *pValue   `parser:"| 'since' @@"`
	GroupBy []*pExpr  `parser:"| 'group' 'by' @@ ( ',' @@ )*"`
	GroupIn *pValue   `parser:"  ( 'in' @@ )?"`
	Having  *pCond    `parser:"| 'having' @@"`
	OrderBy []*pOrder `parser:"| 'order' 'by' @@ ( ',' @@ )*"`
	Limit   *pValue   `parser:"| 'limit' @@"`
	Between *pBetween `parser:"| 'between' @@"`
}

type pBetween struct {
	Pos  lexer.Position
	From *pValue `parser:"@@ 'and'"`
	To   *pValue `parser:"@@"`
}

type pOrder struct {
	Pos  lexer.Position
	Expr *pExpr `parser:"@@"`
	Dir  string `parser:"@( 'asc' | 'desc' )?"`
}

// pStage is a stage, or a saved series of stages used (name(args), or
// name alone).
type pStage struct {
	Pos   lexer.Position
	Name  string       `parser:"@Word"`
	Paren bool         `parser:"( @'('"`
	Given []*pCond     `parser:"  ( @@ ( ',' @@ )* )? ')' )?"`
	Args  []*pStageArg `parser:"@@*"`
}

// pStageArg is a stage's argument: a value, name=value, or the keyword
// by, which reads as a word there (newvalue country by user).
type pStageArg struct {
	Pos   lexer.Position
	Name  string  `parser:"( @( Word | 'by' ) '=' )?"`
	By    string  `parser:"( @'by'"`
	Value *pValue `parser:"| @@ )"`
}

// Conditions and arithmetic are flat lists of operands and operators:
// parse.go gives them their precedence (not, then and, then or; * and /
// before + and -). Few levels of structure make parsing fast.

type pCond struct {
	Pos  lexer.Position
	Left *pPred    `parser:"@@"`
	Rest []*pLogic `parser:"@@*"`
}

type pLogic struct {
	Pos  lexer.Position
	Op   string `parser:"@( 'and' | 'or' )"`
	Pred *pPred `parser:"@@"`
}

// pPred is a comparison, a match, an in-list, an in-subquery, or an
// expression alone (an aggregate's field, a function's argument,
// arithmetic), after any nots. In parentheses, a subquery is tried
// first: one that reads as a list of values, heads that are words or
// strings alone and nothing after them, is that list (parse.go), so
// that (count) is the value count as it always was.
type pPred struct {
	Pos   lexer.Position
	Nots  []*pNot   `parser:"@@*"`
	Left  *pExpr    `parser:"@@"`
	Op    string    `parser:"( @Cmp"`
	Right *pExpr    `parser:"  @@"`
	NotIn bool      `parser:"| @'not'? 'in'"`
	Sub   *pQuery   `parser:"  ( '(' @@ ')'"`
	List  []*pValue `parser:"    | '(' @@ ( ',' @@ )* ')' | @@ ) )?"`
}

type pNot struct {
	Pos lexer.Position
	Not bool `parser:"@'not'"`
}

type pExpr struct {
	Pos  lexer.Position
	Left *pFactor  `parser:"@@"`
	Rest []*pArith `parser:"@@*"`
}

type pArith struct {
	Pos    lexer.Position
	Op     string   `parser:"@Arith"`
	Factor *pFactor `parser:"@@"`
}

// pFactor is a parenthesized condition, a word (a name or a value) or a
// call of one, or a quoted string. Parentheses holding several
// operands (More) are a list of fields, (ip, user) in (QUERY): parse.go
// takes them there only.
type pFactor struct {
	Pos    lexer.Position
	Word   string   `parser:"  @Word"`
	Call   bool     `parser:"  ( @'('"`
	Args   []*pCond `parser:"    ( @@ ( ',' @@ )* )? ')' )?"`
	String string   `parser:"| @String"`
	Sub    *pCond   `parser:"| '(' @@"`
	More   []*pCond `parser:"  ( ',' @@ )* ')'"`
}

type pValue struct {
	Pos    lexer.Position
	Word   string `parser:"  @Word"`
	String string `parser:"| @String"`
}

// parser is the participle parser of statements. It is safe for
// concurrent use.
var parser = participle.MustBuild[pStatement](
	participle.Lexer(lexDef{}),
	participle.CaseInsensitive("Keyword"),
	participle.UseLookahead(3),
)

// Grammar returns the grammar in EBNF, as participle reads it from the
// parse tree's types (their names without the P): what
// docs/query-language.md shows.
func Grammar() string { return grammarName.ReplaceAllString(parser.String(), "$1") }

var grammarName = regexp.MustCompile(`\bP([A-Z][A-Za-z]*)\b`)
