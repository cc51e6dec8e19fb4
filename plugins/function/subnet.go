package function

import (
	"fmt"
	"net/netip"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// subnet is the network of an IP address with a prefix length:
// subnet(ip, 24) of 203.0.113.7 is "203.0.113.0/24". IPv6 addresses take
// the second argument as their own prefix length when it is above 32,
// else 64, so that one call groups both families sensibly. Text that is
// not an address gives "".
type subnet struct{}

var _ plugins.Function = subnet{}

func (subnet) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "subnet", Kind: plugins.KindFunction,
		Args: []plugins.Arg{
			{Name: "ip", Type: plugins.ArgField, Help: "an address field: ip"},
			{Name: "bits", Type: plugins.ArgNumber, Default: "24", Help: "the prefix length: 0 to 32 for IPv4 (0 to 128 for IPv6 when above 32, else 64)"},
		},
		Help:    "the network of an IP address: subnet(ip, 24) is a.b.c.0/24",
		Example: "top 10 subnet(ip, 24) by dcount(user) where error=50126 since 7d"}
}

func (subnet) Result(args []signin.Kind) (signin.Kind, error) {
	return signin.KindString, wantKinds("subnet", args, signin.KindString, signin.KindInt)
}

func (subnet) Eval(args []result.Value) (result.Value, error) {
	bits := args[1].Int()
	a, err := netip.ParseAddr(args[0].Str())
	if err != nil {
		return result.StringValue(""), nil
	}
	a = a.Unmap()
	if a.Is6() && bits <= 32 {
		bits = 64
	}
	if bits < 0 || bits > int64(a.BitLen()) {
		family := "IPv4"
		if a.Is6() {
			family = "IPv6"
		}
		return result.Value{}, fmt.Errorf("%d bits is not a prefix length of an %s address", bits, family)
	}
	p, err := a.Prefix(int(bits))
	if err != nil {
		return result.Value{}, err
	}
	return result.StringValue(p.String()), nil
}
