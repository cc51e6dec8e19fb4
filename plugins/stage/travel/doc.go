// Package travel is the travel stage: consecutive sign-ins of a user
// from places too far apart for the time between them, one of them new
// to the user (impossible travel). New returns it, for a registry to hold
// (plugins/standard registers it).
package travel
