package gen

import (
	"slices"

	"github.com/signinq/signinq/engine/signin"
)

// setLists sets the fields of a record that the lists of its sign-in
// object give when read (the authentication steps, the Conditional Access
// policies with their results, the network locations), and the flags and
// tenant beside them, as reading its diagnostic-settings record gives
// them. It runs once an event is complete, incidents' events included.
func setLists(ev *Event) {
	rec, x := &ev.Record, &ev.x
	t := x.t
	rec.LogTenant = t.id
	rec.IsInteractive = signin.BoolFalse
	if x.user == nil {
		return
	}
	if rec.Type == signin.TypeInteractive {
		rec.IsInteractive = signin.BoolTrue
	}
	if x.net.trusted != "" {
		rec.NetworkTypes, rec.NetworkNames = trustedNetwork, x.net.trustedList
	}
	if x.nsteps > 0 {
		s := &x.steps[0]
		rec.FirstAuthMethod, rec.FirstStepResult = methodNames[s.method], s.detail
		rec.FirstStepSucceeded = signin.BoolFalse
		if s.ok {
			rec.FirstStepSucceeded = signin.BoolTrue
		}
		results := make([]string, 0, x.nsteps)
		for i := range x.nsteps {
			if d := x.steps[i].detail; d != "" && !slices.Contains(results, d) {
				results = append(results, d)
			}
		}
		rec.StepResults = results
	}
	pairs := make([]string, len(t.policies))
	failed, reportOnly := 0, 0
	for i := range t.policies {
		res := x.pol[i].res
		pairs[i] = t.policyPairs[i][res]
		switch res {
		case resFailure:
			failed |= 1 << i
		case resReportOnlySuccess, resReportOnlyFailure, resReportOnlyNotApplied:
			reportOnly |= 1 << i
		}
	}
	rec.PolicyResults = pairs
	rec.PoliciesFailed, rec.PoliciesReportOnly = t.policyLists[failed], t.policyLists[reportOnly]
}

// trustedNetwork is the networkType of an office's trusted named location.
var trustedNetwork = []string{"trustedNamedLocation"}
