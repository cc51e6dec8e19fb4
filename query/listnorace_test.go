//go:build !race

package query

const listRace = false
