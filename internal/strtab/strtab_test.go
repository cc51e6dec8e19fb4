package strtab

import (
	"strings"
	"testing"
	"unsafe"
)

func TestCopy(t *testing.T) {
	var tab Table
	src := []byte("hello")
	s := tab.Copy(src)
	src[0] = 'j'
	if s != "hello" {
		t.Fatalf("Copy aliases its input: %q", s)
	}
	if tab.Copy(nil) != "" || tab.Clone("") != "" {
		t.Fatal("empty input must give the empty string")
	}
	// Strings share a block until it is full.
	a, b := tab.Clone("abc"), tab.Clone("def")
	if unsafe.StringData(b) != (*byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(a)), 3)) {
		t.Error("consecutive small strings are not laid out in one block")
	}
	// Long strings get their own allocation; filling a block starts another.
	long := strings.Repeat("x", BlockSize/8+1)
	if got := tab.Clone(long); got != long || unsafe.StringData(got) == unsafe.StringData(long) {
		t.Error("a long string is not copied")
	}
	var all []string
	for i := range 3 * BlockSize / 100 {
		v := strings.Repeat(string(rune('a'+i%26)), 100)
		all = append(all, tab.Clone(v))
	}
	for i, v := range all {
		if v != strings.Repeat(string(rune('a'+i%26)), 100) {
			t.Fatalf("string %d changed after later copies: %q", i, v[:10])
		}
	}
}

func BenchmarkClone(b *testing.B) {
	var tab Table
	s := "0f8fad5b-d9cb-469f-a165-70867728950e"
	b.ReportAllocs()
	for b.Loop() {
		_ = tab.Clone(s)
	}
}
