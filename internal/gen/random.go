package gen

import (
	"encoding/base64"
	"math"
	"math/rand/v2"
)

// The random streams of a seed. Each part of the output draws from its own
// stream, so that changing one part (say, the number of events) leaves the
// others (the tenant) as they were.
const (
	streamTenant uint64 = iota + 1
	streamIncidents
	streamChunk // + chunk index
)

// The wide shape's streams, far above any chunk's.
const (
	streamAddresses uint64 = 1<<62 + iota // the address space (addresses.go)
	streamSpray                           // the distributed spray (spray.go)
)

// splitmix is the SplitMix64 finalizer: a bijective mix of 64 bits.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// newRand returns the PCG generator of one stream of a seed.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix(seed), splitmix(stream^0x5851f42d4c957f2d)))
}

// guid is a GUID in the byte order .NET and Entra ID use: the first three
// groups little-endian. Its text is the familiar 8-4-4-4-12 hex form; its
// base64url encoding is Entra's uniqueTokenIdentifier for request ids.
type guid [16]byte

// newGUID returns a random version-4 GUID.
func newGUID(r *rand.Rand) guid {
	return makeGUID(r.Uint64(), r.Uint64())
}

// makeGUID builds a version-4 GUID from 128 bits.
func makeGUID(a, b uint64) guid {
	var g guid
	for i := range 8 {
		g[i] = byte(a >> (8 * i))
		g[8+i] = byte(b >> (8 * i))
	}
	g[7] = g[7]&0x0f | 0x40 // version 4: the high nibble of the third group
	g[8] = g[8]&0x3f | 0x80 // RFC 4122 variant
	return g
}

// requestID returns a random GUID shaped like Entra's request ids, whose
// last byte is zero ("…6d2e00").
func requestID(r *rand.Rand) guid {
	g := newGUID(r)
	g[15] = 0
	return g
}

const hexDigits = "0123456789abcdef"

// appendText appends g as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func (g *guid) appendText(dst []byte) []byte {
	hexByte := func(dst []byte, b byte) []byte { return append(dst, hexDigits[b>>4], hexDigits[b&15]) }
	for _, i := range [...]int{3, 2, 1, 0} {
		dst = hexByte(dst, g[i])
	}
	dst = append(dst, '-')
	dst = hexByte(hexByte(dst, g[5]), g[4])
	dst = append(dst, '-')
	dst = hexByte(hexByte(dst, g[7]), g[6])
	dst = append(dst, '-')
	dst = hexByte(hexByte(dst, g[8]), g[9])
	dst = append(dst, '-')
	for i := 10; i < 16; i++ {
		dst = hexByte(dst, g[i])
	}
	return dst
}

// String returns the text of g.
func (g guid) String() string { return string(g.appendText(make([]byte, 0, 36))) }

// appendUTI appends the uniqueTokenIdentifier of a request id: its bytes
// in base64url without padding.
func (g *guid) appendUTI(dst []byte) []byte {
	return base64.RawURLEncoding.AppendEncode(dst, g[:])
}

// cdf is a cumulative distribution over indexes: cdf[i] is the total
// weight of indexes 0..i.
type cdf []float64

// newCDF returns the cumulative distribution of weights, which must be
// non-negative with a positive sum.
func newCDF(w []float64) cdf {
	c := make(cdf, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		c[i] = sum
	}
	return c
}

// at returns the index whose share of the total contains u*total, for u
// in [0, 1).
func (c cdf) at(u float64) int {
	x := u * c[len(c)-1]
	lo, hi := 0, len(c)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// pick returns a random index drawn from c.
func (c cdf) pick(r *rand.Rand) int { return c.at(r.Float64()) }

// zipf returns n Zipf weights with exponent s: 1/(rank+1)^s.
func zipf(n int, s float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
	}
	return w
}

// pickOne returns a random element of list.
func pickOne[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// weighted is a value with a weight, for small inline distributions.
type weighted[T any] struct {
	v T
	w float64
}

// pickWeighted draws from a small distribution by a linear scan.
func pickWeighted[T any](r *rand.Rand, list []weighted[T]) T {
	total := 0.0
	for _, e := range list {
		total += e.w
	}
	x := r.Float64() * total
	for _, e := range list {
		if x < e.w {
			return e.v
		}
		x -= e.w
	}
	return list[len(list)-1].v
}

// logNormal returns a log-normal value with the given median and shape.
func logNormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(r.NormFloat64()*sigma)
}
