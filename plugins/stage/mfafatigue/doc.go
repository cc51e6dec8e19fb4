// Package mfafatigue is the mfafatigue stage: accounts whose MFA
// prompts were denied (and interrupted) many times within a window,
// then approved (MFA fatigue). New returns it, for a registry to hold
// (plugins/standard registers it).
package mfafatigue
