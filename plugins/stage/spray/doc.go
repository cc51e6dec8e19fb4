// Package spray is the spray stage: addresses that fail for many distinct
// accounts within a window (password spray), most of the accounts
// seen from them, and whether an account then signed in from them. New
// returns it, for a registry to hold (plugins/standard registers it).
package spray
