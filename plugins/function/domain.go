package function

import (
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// domain is the domain of a user principal name (or any address written
// name@domain), in lower case: "contoso.com" for "Alice@Contoso.com"; ""
// when the text has no @.
type domain struct{}

var _ plugins.Function = domain{}

func (domain) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "domain", Kind: plugins.KindFunction,
		Args:    []plugins.Arg{{Name: "upn", Type: plugins.ArgField, Help: "a text field holding name@domain: user, userName"}},
		Help:    "the domain of a user principal name, in lower case",
		Example: "dcount(user) where type=interactive since 30d group by domain(user)"}
}

func (domain) Result(args []signin.Kind) (signin.Kind, error) {
	return signin.KindString, wantKinds("domain", args, signin.KindString)
}

func (domain) Eval(args []result.Value) (result.Value, error) {
	s := args[0].Str()
	i := strings.LastIndexByte(s, '@')
	if i < 0 {
		return result.StringValue(""), nil
	}
	return result.StringValue(strings.ToLower(s[i+1:])), nil
}
