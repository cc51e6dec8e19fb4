package function

import (
	"testing"

	"github.com/signinq/signinq/result"
)

// TestDomain checks domain on chosen values: an address's domain, lower-cased, after the last @, null in.
func TestDomain(t *testing.T) {
	check(t, "domain", result.StringValue("contoso.com"), result.StringValue("Alice@Contoso.COM"))
	check(t, "domain", result.StringValue("b.example"), result.StringValue(`"a@b"@b.example`))
	check(t, "domain", result.StringValue(""), result.StringValue("no-at-sign"))
}
