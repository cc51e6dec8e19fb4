package clock

import (
	"testing"
	"time"
)

func TestStart(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want time.Time
		bad  bool
	}{
		{"", Default, false},
		{"2026-12-31T23:59:30Z", time.Date(2026, 12, 31, 23, 59, 30, 0, time.UTC), false},
		{"2027-03-01T01:00:00+02:00", time.Date(2027, 2, 28, 23, 0, 0, 0, time.UTC), false},
		{"2028-02-29", time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), false},
		{"tomorrow", time.Time{}, true},
	} {
		t.Setenv(Env, tc.env)
		got, err := Start()
		if tc.bad != (err != nil) || !got.Equal(tc.want) {
			t.Errorf("%s=%q: Start() = %v, %v; want %v (error: %v)", Env, tc.env, got, err, tc.want, tc.bad)
		}
	}
}

func TestMoves(t *testing.T) {
	a := Test()
	time.Sleep(time.Millisecond)
	if b := Test(); !b.After(a) {
		t.Errorf("Test() did not move: %v then %v", a, b)
	}
}
