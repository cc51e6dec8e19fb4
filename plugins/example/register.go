package example

import "github.com/signinq/signinq/plugins"

// Register adds the example's plugins to a registry of one's own.
func Register(r *plugins.Registry) error {
	for _, p := range []plugins.Plugin{perkey{}, mailbox{}} {
		if err := r.Register(p); err != nil {
			return err
		}
	}
	return nil
}
