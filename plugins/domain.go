package plugins

import (
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

func init() { Register(domain{}) }

// domain is the domain of a user principal name (or any address written
// name@domain), in lower case: "contoso.com" for "Alice@Contoso.com"; ""
// when the text has no @.
type domain struct{}

var _ Function = domain{}

func (domain) Describe() Descriptor {
	return Descriptor{Name: "domain", Kind: KindFunction,
		Args:    []Arg{{Name: "upn", Type: ArgField, Help: "a text field holding name@domain: user, userName"}},
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
