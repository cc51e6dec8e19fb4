package result

import (
	"testing"
	"time"
)

func TestNoteString(t *testing.T) {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	for _, tc := range []struct {
		note Note
		want string
	}{
		{NoDataNote{From: at("2026-05-02T00:00:00Z"), Now: at("2026-05-03T00:00:00.5Z"), First: at("2022-01-01T00:00:00Z"), Last: at("2022-01-28T10:31:00Z")},
			"the store's sign-ins end at 2022-01-28T10:31:00Z, 4 years before now (2026-05-03T00:00:00Z)"},
		{NoDataNote{From: at("2022-01-27T10:00:00Z"), Now: at("2022-01-28T10:00:00Z"), First: at("2022-01-01T00:00:00Z"), Last: at("2022-01-27T09:59:59.25Z")},
			"the store's sign-ins end at 2022-01-27T09:59:59.25Z, 1 day before now (2022-01-28T10:00:00Z)"},
		{NoDataNote{From: at("2021-12-01T00:00:00Z"), Now: at("2021-12-02T00:00:00Z"), First: at("2022-01-01T00:00:00Z"), Last: at("2022-01-28T10:31:00Z")},
			"the store's sign-ins begin at 2022-01-01T00:00:00Z, 1 month after now (2021-12-02T00:00:00Z)"},
		{NoDataNote{From: at("2024-01-01T00:00:00Z"), Now: at("2024-01-02T00:00:00Z"), First: at("2022-01-01T00:00:00Z"), Last: at("2026-01-28T10:31:00Z")},
			"the store holds no sign-in from 2024-01-01T00:00:00Z through now (2024-01-02T00:00:00Z); its sign-ins run from 2022-01-01T00:00:00Z to 2026-01-28T10:31:00Z"},
		{NoDataNote{From: at("2024-01-01T00:00:00Z"), Now: at("2024-01-02T00:00:00Z")}, "the store holds no sign-ins"},
		{ListLimitNote{Shown: 100, Total: 29381}, "100 of 29,381 shown; limit N for more"},
		{ListLimitNote{Shown: 1000, Total: -1}, "1,000 shown, and more match; limit N for more"},
	} {
		if got := tc.note.String(); got != tc.want {
			t.Errorf("%#v:\n  got  %s\n  want %s", tc.note, got, tc.want)
		}
	}
}
