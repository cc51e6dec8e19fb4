package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/query"
)

// The named lists the standard set's hunting queries test membership of
// (ip in @vps, user in @admins, ip in @ranges), set on each benchmark
// store before its queries run (SetLists), the same on every run.

// vpsNetworks are the /16 networks of the hosting providers the
// generator's attackers sign in from (internal/gen: attackerNet's
// countries, NL for the password spray and DE or FR for the brute force,
// and RU's, which only attackers and travellers use): M247 and
// DigitalOcean in the Netherlands, Hetzner, OVH, Selectel. A short list
// of VPS ranges, as an analyst's would be.
var vpsNetworks = []string{
	"45.87.0.0/16", "89.46.0.0/16", "146.190.0.0/16", "188.166.0.0/16", // NL
	"88.99.0.0/16", "116.202.0.0/16", "159.69.0.0/16", // DE
	"51.75.0.0/16", "137.74.0.0/16", // FR
	"5.188.0.0/16", "31.184.0.0/16", // RU
}

// adminsQuery finds the store's administrators: the users the generator's
// Conditional Access policy "Require MFA for admins" applied to (the
// tenant's admins: 91 at 1M and 10M), by name.
const adminsQuery = `count where policy = "Require MFA for admins" group by user`

// rangesCount is how many networks @ranges holds: a threat feed's size
// (issue 16: ip in a list of 10,000 ranges).
const rangesCount = 10_000

// rangesSeed seeds the random networks of @ranges, so that every run
// makes the same list.
const rangesSeed = 16

// rangesHitsQuery finds the addresses without a successful sign-in during
// the day before the benchmarks' now (attackers', mostly, not offices'):
// the part of @ranges a tenant's sign-ins come from, as addresses
// reported for attacks do.
const rangesHitsQuery = `countif(status=success) as ok since 1d group by ip having ok = 0`

// rangesNetworks makes @ranges: rangesCount networks, IPv4 and IPv6 in
// CIDR form. One in 20 come from the store (rangesHitsQuery's addresses,
// chosen by rangesSeed: an IPv4 address as itself, one in four as its
// /24, an IPv6 one as itself), so that some sign-ins match; the rest are
// public networks drawn from rangesSeed alone (randomNetwork), most of
// which no sign-in is in. The list is a function of the store.
func rangesNetworks(ctx context.Context, db *engine.DB) ([]string, error) {
	res, err := query.Run(ctx, db, nil, rangesHitsQuery, query.Options{Now: benchstore.End, Timeout: -1})
	if err != nil {
		return nil, fmt.Errorf("bench: the addresses of @ranges: %w", err)
	}
	var hits []netip.Addr
	for _, row := range res.Rows {
		if a, err := netip.ParseAddr(row[0].String()); err == nil {
			hits = append(hits, a.Unmap())
		}
	}
	slices.SortFunc(hits, netip.Addr.Compare)
	r := rand.New(rand.NewPCG(rangesSeed, rangesCount))
	r.Shuffle(len(hits), func(i, j int) { hits[i], hits[j] = hits[j], hits[i] })
	seen := make(map[netip.Prefix]bool, rangesCount)
	out := make([]string, 0, rangesCount)
	add := func(p netip.Prefix) {
		if p = p.Masked(); !seen[p] {
			seen[p] = true
			out = append(out, p.String())
		}
	}
	for i, a := range hits[:min(len(hits), rangesCount/20)] {
		bits := a.BitLen()
		if a.Is4() && i%4 == 3 {
			bits = 24
		}
		add(netip.PrefixFrom(a, bits))
	}
	for len(out) < rangesCount {
		add(randomNetwork(r))
	}
	return out, nil
}

// randomNetwork draws a public network: IPv4 (85%) as a /32 host (30%),
// a /24 (30%), /20 (10%), /28 (5%), /16 (5%) or /22 (5%); IPv6 (15%) in
// 2000::/3 as a /32 (3%), /48 (5%) or /64 (7%), none of whose groups in
// the prefix is 0 (so that a peer matches it as the start of the
// address's canonical text: Dialect).
func randomNetwork(r *rand.Rand) netip.Prefix {
	w := r.IntN(100)
	if w < 85 {
		bits := 32
		switch {
		case w >= 80:
			bits = 22
		case w >= 75:
			bits = 16
		case w >= 70:
			bits = 28
		case w >= 60:
			bits = 20
		case w >= 30:
			bits = 24
		}
		for {
			var b [4]byte
			for i := range b {
				b[i] = byte(r.IntN(256))
			}
			a := netip.AddrFrom4(b)
			if a.IsGlobalUnicast() && !a.IsPrivate() && b[0] > 0 && b[0] < 224 && !(b[0] == 100 && b[1]&0xc0 == 64) {
				return netip.PrefixFrom(a, bits).Masked()
			}
		}
	}
	bits := 64
	switch {
	case w < 88:
		bits = 32
	case w < 93:
		bits = 48
	}
	var b [16]byte
	for i := 0; i < bits/8; i += 2 {
		g := 1 + r.IntN(0xffff)
		if i == 0 {
			g = 0x2000 + r.IntN(0x2000)
		}
		b[i], b[i+1] = byte(g>>8), byte(g)
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), bits)
}

// SetLists sets the lists the standard set reads on a store: @vps, the
// networks above, @admins, the users adminsQuery finds (sorted), and
// @ranges, the networks rangesNetworks makes; each is a function of the
// store, so every run sets the same. It
// returns them by name, for the peers' SQL (Dialect.Lists).
func SetLists(ctx context.Context, db *engine.DB) (map[string][]string, error) {
	res, err := query.Run(ctx, db, nil, adminsQuery, query.Options{Now: benchstore.End, Timeout: -1})
	if err != nil {
		return nil, fmt.Errorf("bench: the store's admins: %w", err)
	}
	var admins []string
	for _, row := range res.Rows {
		if u := row[0].String(); u != "" {
			admins = append(admins, u)
		}
	}
	if len(admins) == 0 {
		return nil, fmt.Errorf("bench: no admins in the store (%s): the generator's policies have changed", adminsQuery)
	}
	slices.SortFunc(admins, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	ranges, err := rangesNetworks(ctx, db)
	if err != nil {
		return nil, err
	}
	lists := map[string][]string{"vps": slices.Clone(vpsNetworks), "admins": admins, "ranges": ranges}
	for _, name := range []string{"vps", "admins", "ranges"} {
		if err := query.SetList(db, name, lists[name]); err != nil {
			return nil, fmt.Errorf("bench: setting @%s: %w", name, err)
		}
	}
	return lists, nil
}
