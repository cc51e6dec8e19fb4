package logfile

import (
	"encoding/binary"
	"slices"
)

// maxLists bounds a decoder's interned lists (see intern): beyond it they
// are forgotten and interning starts again.
const maxLists = 4096

// listKey appends to dst a key that only an equal list has: each
// element's length, then its bytes.
func listKey(dst []byte, list []string) []byte {
	for _, s := range list {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

// intern returns a list equal to list, shared with the records before it
// that had an equal one: a tenant's records repeat their lists (the same
// policies with the same results, the same steps), and a shared list
// costs no allocation. The list returned has no spare capacity, so that
// appending to it copies it; list itself is scratch the caller may reuse.
func (d *decoder) intern(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	d.listKey = listKey(append(d.listKey[:0], 'l'), list)
	return d.internKey(func() []string { return slices.Clip(slices.Clone(list)) })
}

// internKey returns the list interned under d.listKey, making it with
// newList when there is none.
func (d *decoder) internKey(newList func() []string) []string {
	if l, ok := d.lists[string(d.listKey)]; ok {
		return l
	}
	if d.lists == nil || len(d.lists) >= maxLists {
		d.lists = make(map[string][]string, 64)
	}
	l := newList()
	d.lists[string(d.listKey)] = l
	return l
}

// without returns list less the elements equal to s: list itself when it
// has none, else a new list (lists may be shared, see intern); nil when
// none is left.
func without(list []string, s string) []string {
	if !slices.Contains(list, s) {
		return list
	}
	out := make([]string, 0, len(list)-1)
	for _, e := range list {
		if e != s {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// listScratch is a decoder's room for the lists of one record while they
// are gathered, before they are interned.
type listScratch struct {
	applied, failed, reportOnly []string // policy, policyFailed, policyReportOnly
	names, results              []string // the policies with a result, for policyResult
	steps                       []string // stepResult
	netTypes, netNames          []string // networkType, networkName
}
