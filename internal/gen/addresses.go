package gen

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"net/netip"
	"time"
)

// The wide shape's address space. The compact shape gives each user a
// home, a mobile and an office address for the whole window; the wide
// shape draws most addresses as the sign-ins are made, from pools that
// behave as real networks do:
//
//   - home broadband: a user's address is a slot of their ISP's pool in
//     their city, re-drawn every two to eight days (DHCP leases
//     expiring, routers restarting); when the ISP offers IPv6 most of
//     its users are dual-stack and sign in over IPv6 most of the time,
//     from a prefix of their own with an interface id that changes
//     daily (privacy addresses);
//   - mobile: carriers put their subscribers behind carrier-grade NAT,
//     so that the carrier's public egress addresses in a city are shared
//     by many users at once, a user's phone moving between them every
//     few hours; carriers that offer IPv6 give most phones an address of
//     their own, changing daily;
//   - cloud VPNs and proxies (security service edges): some users go
//     out through a provider's node in their country, from a new
//     address of a large pool every hour;
//   - workloads on Azure leave through a pool of the region's outbound
//     addresses, a new one every hour;
//   - offices have the compact shape's few egress addresses (two a
//     site), which most office sign-ins share, made as the others are.
//
// Every address is a function of the seed and what it is drawn for (the
// user, the day or the hour; a carrier's NAT addresses, of the carrier
// and the city alone), never of a chunk's random stream, so that
// the same user has the same address at the same time whatever the
// chunking; and its location is a function of the address alone (the
// city is encoded in the address, the coordinates' jitter derived from
// it), so that an address always has one place.

// userNet is where a user of the wide shape signs in from, beyond the
// office.
type userNet struct {
	key                  uint64 // the user's hash key
	homeISP, mobileISP   *isp
	homeCt, mobileCt     *city // the home and mobile cities, as buildUsers drew them
	homeCity, mobileCity int   // their indexes in the country's cities
	// homeDays and homePhase: the home address is re-drawn every
	// homeDays days, homePhase days apart from other users.
	homeDays, homePhase int64
	homeV6              bool       // dual-stack at home
	mobileV6            bool       // the carrier gives the phone its own IPv6 address
	cgnat               int        // the carrier's egress addresses in the user's mobile city
	proxy               *proxyNode // the VPN or proxy the user goes out through, or nil
}

// cloudEgress is a workload's pool of outbound addresses in an Azure
// region.
type cloudEgress struct {
	key    uint64
	region int // index in azureRegions
	pool   int
}

// proxyNode is a cloud VPN or proxy provider's node in a country.
type proxyNode struct {
	provider *proxyProvider
	country  int // index in countries
}

// proxyProvider is a security service edge or VPN provider: its network
// and the /16 blocks its nodes' addresses come from.
type proxyProvider struct {
	name   string
	asn    int64
	blocks [][2]byte
}

// proxyProviders are the VPN and proxy providers users go out through:
// Zscaler's and Cloudflare WARP's published egress ranges.
var proxyProviders = []proxyProvider{
	{"Zscaler, Inc.", 62044, [][2]byte{{165, 225}, {136, 226}, {147, 161}}},
	{"Cloudflare, Inc.", 13335, [][2]byte{{104, 28}}},
}

// homeV6Prefixes are the first 32 bits of the IPv6 prefixes of the
// broadband providers that offer it, by autonomous system: Comcast
// 2601::/20, AT&T 2600:1700::/28, Charter 2603:6000::/24, Deutsche
// Telekom 2003::/19, Orange 2a01:cb00::/24, Free 2a01:e00::/26 and
// Telstra 2001:8000::/20.
var homeV6Prefixes = map[int64]uint32{
	7922: 0x26010000, 7018: 0x26001700, 20115: 0x26036000, 3320: 0x200300e4,
	3215: 0x2a01cb00, 12322: 0x2a010e0a, 1221: 0x20018000,
}

// Shares of the wide shape's networks.
const (
	// proxyShare of members go out through a VPN or proxy, for
	// proxyUse of their sign-ins away from the office.
	proxyShare = 0.08
	proxyUse   = 0.7
	// homeV6Share of the users of an ISP offering IPv6 are dual-stack,
	// and use IPv6 for homeV6Use of their home sign-ins.
	homeV6Share = 0.6
	homeV6Use   = 0.7
	// mobileV6Share of a carrier's phones have their own IPv6 address
	// when the carrier offers it.
	mobileV6Share = 0.4
	// cgnatUsersPerAddress is how many of the tenant's subscribers of a
	// carrier in a city share a carrier-grade NAT address, on average.
	cgnatUsersPerAddress = 100
	// cgnatHours is how long a phone keeps its NAT address.
	cgnatHours = 3
)

// hashOf mixes a key with values into 64 bits.
func hashOf(key uint64, vs ...uint64) uint64 {
	h := splitmix(key)
	for _, v := range vs {
		h = splitmix(h ^ v*0x9e3779b97f4a7c15)
	}
	return h
}

// widen gives the users and workloads of a wide tenant their networks,
// and its offices addresses whose location is a function of the address
// as the others' (the compact shape's are drawn at random, and could
// share an address with a home address elsewhere in the city).
func (t *tenant) widen(r *rand.Rand) {
	remade := map[*netAddr]*netAddr{}
	for i, o := range t.offices {
		c := countryByCode[o.country]
		n := &businessISP
		if o.country != "US" {
			n = &c.home[0]
		}
		ci := 0
		for j := range c.cities {
			if c.cities[j].name == o.cty {
				ci = j
			}
		}
		a := v4Addr(c, ci, n, r.Uint64())
		a.trusted = o.trusted
		a.finish()
		remade[o], t.offices[i] = a, a
	}
	for _, u := range t.users {
		if a := remade[u.office]; a != nil {
			u.office = a
		}
	}
	for _, w := range t.sps {
		for i, n := range w.nets {
			if a := remade[n]; a != nil {
				w.nets[i] = a
			}
		}
	}
	cityIndex := func(c *country, ct *city) int {
		for i := range c.cities {
			if &c.cities[i] == ct {
				return i
			}
		}
		return 0
	}
	type carrierCity struct {
		n    *isp
		city int
	}
	subscribers := map[carrierCity]int{}
	countryIdx := map[*country]int{}
	for i, c := range countries {
		countryIdx[c] = i
	}
	for _, u := range t.users {
		w := u.wide
		w.key = r.Uint64()
		w.homeCity = cityIndex(u.country, w.homeCt)
		w.mobileCity = cityIndex(u.country, w.mobileCt)
		w.homeDays = 2 + r.Int64N(7)
		w.homePhase = r.Int64N(w.homeDays)
		w.homeV6 = homeV6Prefixes[w.homeISP.asn] != 0 && chance(r, homeV6Share)
		w.mobileV6 = w.mobileISP.v6 != 0 && chance(r, mobileV6Share)
		if !u.guest && !u.service && chance(r, proxyShare) {
			w.proxy = &proxyNode{provider: &proxyProviders[r.IntN(len(proxyProviders))], country: countryIdx[u.country]}
		}
		if !w.mobileV6 {
			subscribers[carrierCity{w.mobileISP, w.mobileCity}]++
		}
	}
	for _, u := range t.users {
		w := u.wide
		w.cgnat = max(1, subscribers[carrierCity{w.mobileISP, w.mobileCity}]/cgnatUsersPerAddress)
	}
	pools := []int{2, 4, 8, 16, 32, 64}
	for _, list := range [][]*workload{t.sps, t.mis} {
		for _, wl := range list {
			if len(wl.nets) == 0 || wl.nets[0].asn != 8075 {
				continue
			}
			reg := 0
			for i, ar := range azureRegions {
				if ar.city.name == wl.nets[0].cty {
					reg = i
				}
			}
			wl.egress = &cloudEgress{key: r.Uint64(), region: reg, pool: pickOne(r, pools)}
		}
	}
}

// wideNet draws the network of a user sign-in in the wide shape: the
// office, home, the phone's carrier, or a VPN instead of the last two,
// in the compact shape's proportions (pickNet).
func (t *tenant) wideNet(r *rand.Rand, u *user, devIdx int, d *device, at time.Time) *netAddr {
	x := r.Float64()
	mobile := d.variant.family.mobile()
	home := false
	switch {
	case u.service:
		return u.office
	case u.office != nil && mobile:
		if x < 0.25 {
			return u.office
		}
		home = x < 0.5
	case u.office != nil:
		if x < 0.6 {
			return u.office
		}
		home = x < 0.95
	case mobile:
		home = x < 0.4
	default:
		home = x < 0.9
	}
	w, c := u.wide, u.country
	sec := at.Unix()
	switch {
	case w.proxy != nil && chance(r, proxyUse):
		return w.proxy.addr(hashOf(w.key, 1, uint64(sec/3600)))
	case home && w.homeV6 && chance(r, homeV6Use):
		day := uint64(sec / 86400)
		return v6Addr(c, w.homeCity, w.homeISP, homeV6Prefixes[w.homeISP.asn], hashOf(w.key, 2), hashOf(w.key, 3, day, uint64(devIdx)))
	case home:
		epoch := (sec/86400 + w.homePhase) / w.homeDays
		return v4Addr(c, w.homeCity, w.homeISP, hashOf(w.key, 4, uint64(epoch)))
	case w.mobileV6:
		day := uint64(sec / 86400)
		return v6Addr(c, w.mobileCity, w.mobileISP, w.mobileISP.v6, hashOf(w.key, 5, day), hashOf(w.key, 6, day))
	}
	// Carrier-grade NAT: the carrier's egress addresses in the city,
	// the first ones busiest (a square skews the draw towards them).
	f := float64(hashOf(w.key, 7, uint64(sec/(cgnatHours*3600)))>>11) / (1 << 53)
	k := min(int(f*f*float64(w.cgnat)), w.cgnat-1)
	return v4Addr(c, w.mobileCity, w.mobileISP, hashOf(uint64(w.mobileISP.asn), 8, uint64(w.mobileCity), uint64(k)))
}

// addr returns the node's address of hash h.
func (p *proxyNode) addr(h uint64) *netAddr {
	c := countries[p.country]
	pr := p.provider
	blk := pr.blocks[h%uint64(len(pr.blocks))]
	// The third byte names the country: a node's addresses are where it is.
	n := len(countries)
	o3 := p.country + n*int(h>>8%uint64(256/n))
	ip := [4]byte{blk[0], blk[1], byte(o3), byte(1 + h>>20%254)}
	return located(netip.AddrFrom4(ip), c.code, &c.cities[0], pr.asn, pr.name)
}

// addr returns the address a workload with a rotating egress signs in
// from at time at.
func (e *cloudEgress) addr(at time.Time) *netAddr {
	reg := &azureRegions[e.region]
	k := hashOf(e.key, uint64(at.Unix()/3600)) % uint64(e.pool)
	h := hashOf(e.key, 9, k)
	blk := reg.blocks[h%uint64(len(reg.blocks))]
	ip := [4]byte{blk[0], blk[1], byte(h >> 8), byte(1 + h>>20%254)}
	return located(netip.AddrFrom4(ip), reg.country, &reg.city, 8075, "Microsoft Corporation")
}

// v4Addr returns the IPv4 address of hash h of network n in city ci of
// country c. The third byte names the city.
func v4Addr(c *country, ci int, n *isp, h uint64) *netAddr {
	blk := n.blocks[h%uint64(len(n.blocks))]
	nc := len(c.cities)
	o3 := ci + nc*int(h>>8%uint64(256/nc))
	ip := [4]byte{blk[0], blk[1], byte(o3), byte(1 + h>>20%254)}
	return located(netip.AddrFrom4(ip), c.code, &c.cities[ci], n.asn, n.name)
}

// v6Addr returns the IPv6 address of network n (whose first 32 bits are
// prefix) in city ci of country c: the next 32 bits, the customer's /64,
// from site (their remainder by the country's cities names the city),
// the interface id from iid.
func v6Addr(c *country, ci int, n *isp, prefix uint32, site, iid uint64) *netAddr {
	nc := uint64(len(c.cities))
	s := site%(math.MaxUint32/nc)*nc + uint64(ci)
	var b [16]byte
	binary.BigEndian.PutUint32(b[0:], prefix)
	binary.BigEndian.PutUint32(b[4:], uint32(s))
	binary.BigEndian.PutUint64(b[8:], iid|1)
	return located(netip.AddrFrom16(b), c.code, &c.cities[ci], n.asn, n.name)
}

// located makes the netAddr of an address in a city: its coordinates
// are the city's, jittered by up to 4 km by a hash of the address, with
// float32 precision as the service's are.
func located(a netip.Addr, cc string, c *city, asn int64, org string) *netAddr {
	b := a.As16()
	h := hashOf(binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:]))
	jit := func(h uint64) float64 { return (float64(h&0xffffff)/(1<<24) - 0.5) * 0.08 }
	n := &netAddr{ip: a.String(), country: cc, state: c.state, cty: c.name, asn: asn, org: org,
		lat: float64(float32(c.lat + jit(h))),
		lon: float64(float32(c.lon + jit(h>>24))),
	}
	n.finish()
	return n
}
