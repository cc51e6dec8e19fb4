// Package clock is the time tests run the command under.
//
// The command reads the time only through the clock it is given
// (cli.Main's now): cmd/signinq's main passes the machine's clock, and
// tests pass [Test], which starts at a fixed instant, or at
// $SIGNINQ_TEST_NOW when set, and moves on with the elapsed time. So the
// suite gives the same answers on any day, and
//
//	SIGNINQ_TEST_NOW=2026-12-31T23:59:30Z go test ./...
//
// runs it as if on another one. Only tests import this package.
package clock
