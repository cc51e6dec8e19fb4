// Package bruteforce is the bruteforce stage: accounts with many failed
// sign-ins within a window followed by a success (password brute
// force). New returns it, for a registry to hold (plugins/standard
// registers it).
package bruteforce
