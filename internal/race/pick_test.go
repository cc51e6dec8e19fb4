package race

import "testing"

func TestPick(t *testing.T) {
	want := 1
	if Enabled {
		want = 2
	}
	if got := Pick(1, 2); got != want {
		t.Errorf("Pick(1, 2) = %d with Enabled %v, want %d", got, Enabled, want)
	}
}

func TestQuick(t *testing.T) {
	want := 1
	if Enabled || testing.Short() {
		want = 2
	}
	if got := Quick(1, 2); got != want {
		t.Errorf("Quick(1, 2) = %d with Enabled %v and -short %v, want %d", got, Enabled, testing.Short(), want)
	}
}
