package example

import "github.com/signinq/signinq/plugins"

// The example's plugins register in the default registry when the
// package is imported, as database/sql drivers do.
func init() {
	plugins.Register(perkey{})
	plugins.Register(mailbox{})
}

// Register adds the example's plugins to a registry of one's own.
func Register(r *plugins.Registry) error {
	for _, p := range []plugins.Plugin{perkey{}, mailbox{}} {
		if err := r.Register(p); err != nil {
			return err
		}
	}
	return nil
}
