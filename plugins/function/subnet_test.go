package function

import (
	"testing"

	"github.com/signinq/signinq/result"
)

// TestSubnet checks subnet on chosen values: the network of an address, IPv4 (mapped too) and IPv6, null in.
func TestSubnet(t *testing.T) {
	check(t, "subnet", result.StringValue("203.0.113.0/24"), result.StringValue("203.0.113.7"), result.IntValue(24))
	check(t, "subnet", result.StringValue("10.0.0.0/8"), result.StringValue("::ffff:10.1.2.3"), result.IntValue(8))
	check(t, "subnet", result.StringValue("2001:db8:1:2::/64"), result.StringValue("2001:db8:1:2:3::4"), result.IntValue(24))
	check(t, "subnet", result.StringValue("2001:db8::/33"), result.StringValue("2001:db8:1:2:3::4"), result.IntValue(33))
	check(t, "subnet", result.StringValue("2001:db8:1::/48"), result.StringValue("2001:db8:1:2:3::4"), result.IntValue(48))
	check(t, "subnet", result.StringValue(""), result.StringValue("not an address"), result.IntValue(24))
	check(t, "subnet", result.StringValue(""), result.StringValue(""), result.IntValue(24))
	if _, err := (subnet{}).Eval([]result.Value{result.StringValue("10.0.0.1"), result.IntValue(33)}); err == nil {
		t.Error("subnet(10.0.0.1, 33) gave no error")
	}
}
