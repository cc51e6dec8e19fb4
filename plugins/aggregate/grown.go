package aggregate

// grown returns s with room for index g: an acc's per-group slice,
// grown to a new group.
func grown[T any](s []T, g uint32) []T {
	if int(g) < len(s) {
		return s
	}
	return append(s, make([]T, int(g)+1-len(s))...)
}

// kept keeps the elements at the given indices, in increasing order, as
// elements 0, 1, …: what a Table's Keep does to a slice by group.
func kept[T any](s []T, groups []uint32) []T {
	for i, g := range groups {
		s[i] = s[g]
	}
	clear(s[len(groups):])
	return s[:len(groups)]
}
