package aggregate

// grown returns s with room for index g: an acc's per-group slice,
// grown to a new group.
func grown[T any](s []T, g uint32) []T {
	if int(g) < len(s) {
		return s
	}
	return append(s, make([]T, int(g)+1-len(s))...)
}
