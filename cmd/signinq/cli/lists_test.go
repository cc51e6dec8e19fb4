package cli

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestReadLists checks the readers of signinq lists import: the values
// they take, and the line they name when one is bad.
func TestReadLists(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		read     func(string) ([]string, error)
		want     []string
		err      string
	}{
		{name: "text", in: "# VPS ranges\n\n 10.0.0.0/8 \n2001:db8::/32\r\n1.2.3.4\nalice@contoso.com\n",
			want: []string{"10.0.0.0/8", "2001:db8::/32", "1.2.3.4", "alice@contoso.com"}},
		{name: "bad network", in: "10.0.0.0/8\n\n10.0.0.0/33\n", err: `f:3: "10.0.0.0/33" is not a network: prefix length out of range: nothing was stored`},
		{name: "bad address", in: "1.2.3.4\n300.1.2.3\n", err: `f:2: "300.1.2.3" is not an IP address`},
		{name: "not UTF-8", in: "a\n\xff\n", err: `f:2: "\xff" is not UTF-8 text`},
		{name: "text with a slash", in: "contoso/alice\n", want: []string{"contoso/alice"}},
		{name: "csv", in: "UPN,Dept\nalice@contoso.com,IT\n,HR\n\"bob@contoso.com \",IT\n", want: []string{"alice@contoso.com", "bob@contoso.com"},
			read: func(s string) ([]string, error) { return readCSVList(strings.NewReader(s), "f", "upn") }},
		{name: "csv no column", in: "UPN,Dept\n", err: `f has no column "user"`,
			read: func(s string) ([]string, error) { return readCSVList(strings.NewReader(s), "f", "user") }},
		{name: "csv short row", in: "Dept,UPN\nIT,a@x\nHR\n", err: "f:3: the row has 1 column, no upn",
			read: func(s string) ([]string, error) { return readCSVList(strings.NewReader(s), "f", "upn") }},
		{name: "csv bad address", in: "ip\n10.0.0.1\n10.0.0/8\n", err: `f:3: "10.0.0/8" is not a network`,
			read: func(s string) ([]string, error) { return readCSVList(strings.NewReader(s), "f", "ip") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := tc.read
			if read == nil {
				read = func(s string) ([]string, error) { return readTextList(strings.NewReader(s), "f") }
			}
			got, err := read(tc.in)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want …%s…", err, tc.err)
			case tc.err == "" && err != nil:
				t.Errorf("error %v", err)
			case tc.err == "" && !slices.Equal(got, tc.want):
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestReadServiceTag reads a tag of a sample of Microsoft's service tags
// file, by name and by id, in any case.
func TestReadServiceTag(t *testing.T) {
	read := func(tag string) ([]string, error) {
		f, err := os.Open("testdata/servicetags.json")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return readServiceTag(f, "servicetags.json", tag)
	}
	got, err := read("azurecloud")
	want := []string{"4.145.0.0/16", "4.175.0.0/16", "13.64.0.0/11", "20.33.0.0/16", "20.50.0.0/18", "2603:1000::/24", "2a01:111:f100:1000::/62"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("AzureCloud: %q, %v", got, err)
	}
	if got, err := read("AzureCloud.WestEurope"); err != nil || len(got) != 4 {
		t.Errorf("AzureCloud.westeurope: %q, %v", got, err)
	}
	if _, err := read("AzureClod"); err == nil || !strings.Contains(err.Error(), `no service tag "AzureClod"; did you mean "AzureCloud"?`) {
		t.Errorf("a misspelt tag: %v", err)
	}
	if _, err := readServiceTag(strings.NewReader(`{"values": [{"name": "X", "properties": {"addressPrefixes": ["10.0.0.0/8", "bad"]}}]}`), "f", "x"); err == nil || !strings.Contains(err.Error(), `network 2 ("bad") is not a network`) {
		t.Errorf("a bad network: %v", err)
	}
	if _, err := readServiceTag(strings.NewReader(`[1, 2]`), "f", "x"); err == nil || !strings.Contains(err.Error(), "is not Azure IP Ranges and Service Tags JSON") {
		t.Errorf("not the JSON: %v", err)
	}
}
