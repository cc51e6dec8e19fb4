package logfile

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got, err := ParseTime([]byte(in))
		if err != nil {
			t.Errorf("ParseTime(%q): %v", in, err)
			return
		}
		if w, _ := time.Parse(time.RFC3339Nano, want); !got.Equal(w) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %s, want %s", in, got.Format(time.RFC3339Nano), want)
		}
	}
	// The eleven formats of elastic's test-time-formats-corner-cases.log:
	// all are 2007-01-09 09:41 UTC.
	f("01/09/2007 09:41:00", "2007-01-09T09:41:00Z")
	f("1/9/2007 09:41:00", "2007-01-09T09:41:00Z")
	f("01/09/2007 09:41:00 AM", "2007-01-09T09:41:00Z")
	f("1/9/2007 9:41:00 AM", "2007-01-09T09:41:00Z")
	f("1/9/2007 10:41:00 AM +01:00", "2007-01-09T09:41:00Z")
	f("2007-01-09T09:41:00", "2007-01-09T09:41:00Z")
	f("2007-01-09T09:41:00.22Z", "2007-01-09T09:41:00.22Z")
	f("2007-01-09T09:41:00.6816663Z", "2007-01-09T09:41:00.6816663Z")
	f("2007-01-09T09:41:00.535404056Z", "2007-01-09T09:41:00.535404056Z")
	f("2007-01-09T09:41:00.992099+00:00", "2007-01-09T09:41:00.992099Z")
	f("2007-01-09T11:41:00+02:00", "2007-01-09T09:41:00Z")
	// Other samples and exports.
	f("2019-10-18T04:45:48.0729893-05:00", "2019-10-18T09:45:48.0729893Z")
	f("2023-07-26 22:58:30.983201900", "2023-07-26T22:58:30.9832019Z")
	f("2025-01-15 09:30:45.123", "2025-01-15T09:30:45.123Z")
	f("9/19/2023, 1:45:17.287 PM", "2023-09-19T13:45:17.287Z")
	f("11/14/2025 1:48:53 AM", "2025-11-14T01:48:53Z")
	f("12/31/2025 12:00:00 AM", "2025-12-31T00:00:00Z")
	f("12/31/2025 12:30:00 PM", "2025-12-31T12:30:00Z")
	f("2025-12-04T08:19:41Z", "2025-12-04T08:19:41Z")
	f("  2025-12-04T08:19:41Z ", "2025-12-04T08:19:41Z")
	f("2025-12-04 08:19:41 UTC", "2025-12-04T08:19:41Z")
	f("2025-12-04T08:19:41+0530", "2025-12-04T02:49:41Z")
	f("2025-12-04", "2025-12-04T00:00:00Z")
	f("2025-1-4 8:19:41", "2025-01-04T08:19:41Z")
	f("2025-12-04T08:19", "2025-12-04T08:19:00Z")
	f("2025-12-04T08:19:41.1234567891234Z", "2025-12-04T08:19:41.123456789Z")
	f("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z")
	// Day first: a first number above 12, or dots.
	f("19/09/2023 13:45:17", "2023-09-19T13:45:17Z")
	f("19.09.2023 13:45:17,287", "2023-09-19T13:45:17.287Z")
	// .NET JSON dates, as Windows PowerShell 5.1's ConvertTo-Json writes
	// DateTime values: "\/Date(…)\/" in the JSON, /Date(…)/ once
	// unescaped. The offset says where it was written, not when.
	f("/Date(1758269730000)/", "2025-09-19T08:15:30Z")
	f(`\/Date(1758269730000)\/`, "2025-09-19T08:15:30Z")
	f("/Date(1758269730123+0000)/", "2025-09-19T08:15:30.123Z")
	f("/Date(1758269730000-0500)/", "2025-09-19T08:15:30Z")
	f("/Date(1758269730000+0530)/", "2025-09-19T08:15:30Z")
	f(" /Date(0)/ ", "1970-01-01T00:00:00Z")
	f("/Date(-86400000)/", "1969-12-31T00:00:00Z")
	f("/Date(-62135596800000)/", "0001-01-01T00:00:00Z")
	f("/Date(253402300799999)/", "9999-12-31T23:59:59.999Z")
}

func TestParseTimeErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		_, err := ParseTime([]byte(in))
		if err == nil {
			t.Errorf("ParseTime(%q) succeeded, want an error", in)
			return
		}
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseTime(%q) = %q, want it to name the input and say %q", in, err, want)
		}
	}
	f("", "not a recognized time format")
	f("yesterday", "not a recognized time format")
	f("2025-13-01T00:00:00Z", "out of range")
	f("2025-02-30T00:00:00Z", "out of range")
	f("2023-02-29T00:00:00Z", "out of range")
	f("2025-01-01T24:00:00Z", "out of range")
	f("2025-01-01T23:60:00Z", "out of range")
	f("2025-01-01T23:59:61Z", "out of range")
	f("13/13/2025 10:00:00", "out of range")
	f("1/9/2007 13:41:00 PM", "out of range")
	f("1/9/2007 0:41:00 AM", "out of range")
	f("2025-01-01T10:00:00+25:00", "out of range")
	f("2025-01-01T10:00:00Zjunk", "not a recognized time format")
	f("2025-01-01T10:00:00.Z", "not a recognized time format")
	f("20250101", "not a recognized time format")
	f("2025/01/01", "not a recognized time format")
	f("/Date()/", "not a recognized time format")
	f("/Date(17582697x0000)/", "not a recognized time format")
	f("/Date(1758269730000)", "not a recognized time format")
	f("/Date(1758269730000)/x", "not a recognized time format")
	f("/Date(1758269730000+05)/", "not a recognized time format")
	f("/Date(1758269730000 +0500)/", "not a recognized time format")
	f("Date(1758269730000)", "not a recognized time format")
	f("/Date(1758269730000+2400)/", "out of range")
	f("/Date(1758269730000+0060)/", "out of range")
	f("/Date(253402300800000)/", "out of range")
	f("/Date(-62135596800001)/", "out of range")
	f("/Date(99999999999999999999999)/", "out of range")
}
