// Package example is a complete example of signinq plugins, kept working
// by its tests and by the out-of-tree build recipe of docs/plugins.md: a
// program that blank-imports it has a stage and a function more.
//
//	list where status=failure since 24h | perkey user 3
//	count since 7d group by mailbox(user)
//
// Importing the package registers both in plugins.Default from init;
// Register adds them to a registry of one's own instead.
package example
