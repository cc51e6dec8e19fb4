package api

// ColumnsOf is columnsOf, for the tests of the package api_test.
var ColumnsOf = columnsOf

// SetOwnUID makes the user a socket's peer must be uid, until the
// returned function restores it.
func SetOwnUID(uid int) (restore func()) {
	old := ownUID
	ownUID = func() int { return uid }
	return func() { ownUID = old }
}
