// Package jsonw appends JSON text to byte slices without reflection.
//
// It is the one JSON writer of the module: the canonical record form
// (engine/signin), the rejects file (cmd/signinq) and the generator's
// encoders (internal/gen) all use it, so that every JSON signinq writes
// escapes strings the same way.
package jsonw
