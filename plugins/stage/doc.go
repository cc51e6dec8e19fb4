// Package stage holds no code: its subpackages are the built-in stages,
// one package each whose New returns the stage (plugins/standard
// registers them; docs/plugins.md's reference, made from the registry,
// lists them), and their shared code in
// internal packages: events (the detection stages' sign-ins, columns,
// sliding windows and questions to the store), baseline (what values
// keys had before a window, for newvalue and travel) and stagetest (the
// stages' test helpers). Its test fuzzes the stages together.
package stage
