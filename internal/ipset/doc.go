// Package ipset is a set of IP addresses and networks that answers
// membership in time logarithmic in its size: the networks and addresses
// given are turned into sorted, merged, inclusive ranges of 128-bit
// numbers, one table per family, and an address is looked up by binary
// search. A list of 100,000 networks costs about 17 comparisons an
// address.
//
// Families are kept apart as net/netip keeps them: an IPv4 network holds
// IPv4 addresses only and an IPv6 network IPv6 addresses only
// (netip.Prefix.Contains). Addresses are unmapped before they are added
// or looked up (::ffff:10.0.0.1 is 10.0.0.1); networks are taken as
// written (masked), so an IPv6 network over the IPv4-mapped range holds
// no address. An address with an IPv6 zone (fe80::1%eth0) is neither
// added nor found, as no netip.Prefix contains one. It imports nothing of
// signinq's.
package ipset
