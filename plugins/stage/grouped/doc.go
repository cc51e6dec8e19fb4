// Package grouped is the grouped stage: merges non-interactive, service
// principal and managed identity sign-ins per time window as the admin
// center's grouped view and Graph's summarizedSignIn do; interactive and
// AD FS ones stay one row each. New returns it, for a registry to hold
// (plugins/standard registers it).
package grouped
