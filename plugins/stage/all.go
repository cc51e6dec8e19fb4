package stage

import "github.com/signinq/signinq/plugins"

// All returns the built-in stages.
func All() []plugins.Stage {
	return []plugins.Stage{bruteforce{}, grouped{}, mfafatigue{}, newvalue{}, spikes{}, spray{}, travel{}}
}
