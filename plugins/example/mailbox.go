package example

import (
	"errors"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// mailbox is a function: the part of a user principal name before its
// last @, in lower case ("alice" for Alice@contoso.com); the whole text
// when it has no @. It is safe for concurrent use, as functions must be.
type mailbox struct{}

var _ plugins.Function = mailbox{}

func (mailbox) Describe() plugins.Descriptor {
	return plugins.Descriptor{
		Name:    "mailbox",
		Kind:    plugins.KindFunction,
		Args:    []plugins.Arg{{Name: "upn", Type: plugins.ArgField, Help: "a text field holding name@domain: user"}},
		Help:    "the part of a user principal name before the @, in lower case",
		Example: `count where mailbox(user) startswith "svc" since 7d group by app`,
	}
}

func (mailbox) Result(args []signin.Kind) (signin.Kind, error) {
	if len(args) != 1 || args[0] != signin.KindString {
		return 0, errMailboxArgs
	}
	return signin.KindString, nil
}

var errMailboxArgs = errors.New("mailbox takes one text field: mailbox(user)")

func (mailbox) Eval(args []result.Value) (result.Value, error) {
	s := args[0].Str()
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	return result.StringValue(strings.ToLower(s)), nil
}
