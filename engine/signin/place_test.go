package signin

import (
	"strings"
	"testing"
)

// TestPlace checks the place made from every combination of a present
// and a missing country, state and city, parts holding the separator,
// and that the field reads what Place makes, as text, as a list and in
// the canonical form, and cannot be set.
func TestPlace(t *testing.T) {
	tests := []struct {
		country, state, city, want string
	}{
		{"", "", "", ""},
		{"US", "", "", "US//"},
		{"", "Washington", "", "/Washington/"},
		{"", "", "Redmond", "//Redmond"},
		{"US", "Washington", "", "US/Washington/"},
		{"US", "", "Redmond", "US//Redmond"},
		{"", "Washington", "Redmond", "/Washington/Redmond"},
		{"US", "Washington", "Redmond", "US/Washington/Redmond"},
		// Kept as the record holds them: a slash in a part, spaces, case.
		{"DE", "Hesse", "Frankfurt/Main", "DE/Hesse/Frankfurt/Main"},
		{"US", "New York", "new york", "US/New York/new york"},
		{" ", "", "", " //"},
	}
	place := Lookup("place")
	if place == nil || place.Kind != KindString || !place.Derived() {
		t.Fatalf("place is not a derived text field: %+v", place)
	}
	for _, tt := range tests {
		r := New()
		r.Country, r.State, r.City = tt.country, tt.state, tt.city
		if got := r.Place(); got != tt.want {
			t.Errorf("Place of %q, %q, %q = %q, want %q", tt.country, tt.state, tt.city, got, tt.want)
		}
		if got := place.Text(&r); got != tt.want {
			t.Errorf("place of %q, %q, %q as text = %q, want %q", tt.country, tt.state, tt.city, got, tt.want)
		}
		if got := place.Present(&r); got != (tt.want != "") {
			t.Errorf("place of %q, %q, %q present: %v", tt.country, tt.state, tt.city, got)
		}
		if got := place.List(&r); (len(got) == 1 && got[0] == tt.want) != (tt.want != "") || len(got) > 1 {
			t.Errorf("place of %q, %q, %q as a list = %q", tt.country, tt.state, tt.city, got)
		}
		js := string(AppendJSON(nil, &r))
		if has := strings.Contains(js, `"place":"`+tt.want+`"`); has != (tt.want != "") {
			t.Errorf("place of %q, %q, %q in the canonical form: %s", tt.country, tt.state, tt.city, js)
		}
	}

	// Other ways that are not a place: Ref gives no address, and setting
	// fails, leaving the sources as they were.
	if Ref[string](place) != nil {
		t.Error("Ref[string](place) is an address in the record")
	}
	r := New()
	r.Country = "US"
	if err := place.SetString(&r, "FR/Paris/Paris"); err == nil || !strings.Contains(err.Error(), "country, state and city") {
		t.Errorf("setting place: %v", err)
	}
	if r.Place() != "US//" {
		t.Errorf("setting place changed the record: %q", r.Place())
	}
}

// TestPlaceDistinguishes checks what place is for: same-named cities of
// two countries or states are two places, a place known only by its
// country is one, and two sign-ins from one location have one place.
func TestPlaceDistinguishes(t *testing.T) {
	at := func(country, state, city string) string {
		r := New()
		r.Country, r.State, r.City = country, state, city
		return r.Place()
	}
	places := map[string]bool{}
	for _, p := range []string{
		at("US", "Texas", "Paris"), at("FR", "Île-de-France", "Paris"), at("US", "Tennessee", "Paris"),
		at("US", "", ""), at("FR", "", ""), at("US", "Texas", "Paris"),
	} {
		places[p] = true
	}
	if len(places) != 5 {
		t.Errorf("%d places, want 5: %v", len(places), places)
	}
}
