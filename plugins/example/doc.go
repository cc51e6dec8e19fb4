// Package example is a complete example of signinq plugins, kept working
// by its tests and by the out-of-tree build recipe of docs/plugins.md: a
// program that registers them (Register) has a stage and a function more.
//
//	list where status=failure since 24h | perkey user 3
//	count since 7d group by mailbox(user)
//
// Register adds both to a registry: one's own (from standard.New), or
// the shared standard.Registry that the command queries with.
package example
