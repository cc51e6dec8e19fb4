// Package stage holds the built-in stages of the query language (spray,
// travel, grouped...), one file each with its test beside it: one type
// per stage, whose zero value is the plugins.Stage and whose Bind
// returns a new one holding the bound arguments, the plugins.Runner.
// All, generated from the package's files (all.go: go test
// ./plugins/stage -run TestAll -update), returns them, for a registry to
// hold (plugins/standard registers them); docs/plugins.md's reference,
// made from the registry, describes each.
//
// The stages that read an aggregate's timelines (spikes, anomalies)
// share timeline.go: where the time, value and keys are, the series, and
// the window's buckets. The others' shared code is in internal packages:
// events (the detection stages' sign-ins, columns, sliding windows and
// questions to the store), baseline (what values keys had before a
// window, for newvalue and travel) and stagetest (the stages' test
// helpers). FuzzStages fuzzes the detection stages together.
package stage
