// Package stagetest is the stages' test helpers: input columns and rows
// (Cols, Row, SignIn, Prompts, At, Day, Start), running a stage over
// rows (Run, RunEnv, RunArgs, Check, BindMap), a fake store that answers
// the stages' questions (FakeStore) and readers of what they asked
// (WhereText, Format). Only tests import it.
package stagetest
