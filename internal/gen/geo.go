package gen

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"strconv"

	"github.com/signinq/signinq/internal/jsonw"
)

// city is a place sign-ins come from, with its coordinates and its
// standard-time offset from UTC.
type city struct {
	name, state string
	lat, lon    float64
	tz          int // minutes east of UTC
}

// isp is a network: its name, autonomous system number and IPv4 /16
// blocks, and for some mobile carriers an IPv6 /32 prefix.
type isp struct {
	name   string
	asn    int64
	blocks [][2]byte
	v6     uint32 // the first 32 bits of an IPv6 prefix; 0 if none
}

// country is a country of the user population (weight > 0) or one that
// only attackers and travellers use.
type country struct {
	code    string
	weight  float64 // share of the member population
	names   *namePool
	cities  []city
	home    []isp // residential and business broadband
	mobile  []isp
	hosting []isp // data centres: attackers and workloads
}

// The countries. Weights follow the brief: US heavy, then GB, DE, IN,
// FR, CA, NL, JP, BR, AU and a tail.
var countries = []*country{
	{code: "US", weight: 0.40, names: &poolEN,
		cities: []city{
			{"Seattle", "Washington", 47.6062, -122.3321, -480}, {"Redmond", "Washington", 47.674, -122.1215, -480},
			{"New York", "New York", 40.7128, -74.006, -300}, {"Chicago", "Illinois", 41.8781, -87.6298, -360},
			{"Austin", "Texas", 30.2672, -97.7431, -360}, {"Dallas", "Texas", 32.7767, -96.797, -360},
			{"San Francisco", "California", 37.7749, -122.4194, -480}, {"Los Angeles", "California", 34.0522, -118.2437, -480},
			{"Boston", "Massachusetts", 42.3601, -71.0589, -300}, {"Atlanta", "Georgia", 33.749, -84.388, -300},
			{"Denver", "Colorado", 39.7392, -104.9903, -420}, {"Miami", "Florida", 25.7617, -80.1918, -300},
		},
		home: []isp{
			{"Comcast Cable", 7922, [][2]byte{{73, 21}, {73, 97}, {98, 207}, {67, 160}, {76, 104}}, 0},
			{"Verizon Fios", 701, [][2]byte{{71, 162}, {108, 46}, {173, 52}}, 0},
			{"AT&T Internet", 7018, [][2]byte{{99, 40}, {107, 77}, {12, 145}}, 0},
			{"Charter Spectrum", 20115, [][2]byte{{24, 161}, {70, 123}, {97, 99}}, 0},
		},
		mobile: []isp{
			{"T-Mobile USA", 21928, [][2]byte{{172, 58}, {172, 56}}, 0x2607fb90},
			{"Verizon Wireless", 6167, [][2]byte{{174, 204}, {174, 226}}, 0x26001000},
		},
		hosting: []isp{
			{"DigitalOcean", 14061, [][2]byte{{159, 203}, {167, 99}}, 0},
			{"Amazon.com", 16509, [][2]byte{{3, 91}, {54, 164}, {18, 206}}, 0},
		}},
	{code: "GB", weight: 0.09, names: &poolEN,
		cities: []city{
			{"London", "England", 51.5074, -0.1278, 0}, {"Manchester", "England", 53.4808, -2.2426, 0},
			{"Edinburgh", "Scotland", 55.9533, -3.1883, 0}, {"Birmingham", "England", 52.4862, -1.8904, 0},
			{"Bristol", "England", 51.4545, -2.5879, 0}, {"Strood", "Medway", 51.3948, 0.4804, 0},
		},
		home: []isp{
			{"British Telecommunications", 2856, [][2]byte{{86, 128}, {81, 151}, {109, 144}}, 0},
			{"Virgin Media", 5089, [][2]byte{{81, 2}, {82, 24}, {62, 31}}, 0},
			{"Sky Broadband", 5607, [][2]byte{{90, 204}, {2, 96}}, 0},
		},
		mobile: []isp{{"EE", 12576, [][2]byte{{31, 94}, {176, 24}}, 0}, {"Vodafone UK", 25135, [][2]byte{{85, 255}}, 0}}},
	{code: "DE", weight: 0.07, names: &poolDE,
		cities: []city{
			{"Berlin", "Berlin", 52.52, 13.405, 60}, {"Munich", "Bavaria", 48.1351, 11.582, 60},
			{"Hamburg", "Hamburg", 53.5511, 9.9937, 60}, {"Frankfurt am Main", "Hesse", 50.1109, 8.6821, 60},
			{"Hannover", "Niedersachsen", 52.3759, 9.732, 60}, {"Köln", "Nordrhein-Westfalen", 50.9375, 6.9603, 60},
		},
		home: []isp{
			{"Deutsche Telekom AG", 3320, [][2]byte{{79, 214}, {84, 160}, {87, 151}, {91, 55}}, 0},
			{"Vodafone GmbH", 3209, [][2]byte{{88, 64}, {95, 90}}, 0},
		},
		mobile:  []isp{{"Telefonica Germany", 6805, [][2]byte{{89, 204}, {176, 0}}, 0}},
		hosting: []isp{{"Hetzner Online GmbH", 24940, [][2]byte{{88, 99}, {116, 202}, {159, 69}}, 0}}},
	{code: "IN", weight: 0.07, names: &poolIN,
		cities: []city{
			{"Bengaluru", "Karnataka", 12.9716, 77.5946, 330}, {"Hyderabad", "Telangana", 17.385, 78.4867, 330},
			{"Mumbai", "Maharashtra", 19.076, 72.8777, 330}, {"Pune", "Maharashtra", 18.5204, 73.8567, 330},
			{"Chennai", "Tamil Nadu", 13.0827, 80.2707, 330}, {"New Delhi", "Delhi", 28.6139, 77.209, 330},
		},
		home: []isp{
			{"Bharti Airtel", 9498, [][2]byte{{122, 161}, {106, 51}}, 0},
			{"Atria Convergence Technologies", 24309, [][2]byte{{183, 82}, {49, 207}}, 0},
		},
		mobile: []isp{{"Reliance Jio Infocomm", 55836, [][2]byte{{49, 36}, {157, 35}}, 0x24094000}}},
	{code: "FR", weight: 0.05, names: &poolFR,
		cities: []city{
			{"Paris", "Île-de-France", 48.8566, 2.3522, 60}, {"Lyon", "Auvergne-Rhône-Alpes", 45.764, 4.8357, 60},
			{"Marseille", "Provence-Alpes-Côte d'Azur", 43.2965, 5.3698, 60}, {"Toulouse", "Occitanie", 43.6047, 1.4442, 60},
			{"Lille", "Hauts-de-France", 50.6292, 3.0573, 60},
		},
		home: []isp{
			{"Orange S.A.", 3215, [][2]byte{{90, 66}, {92, 184}}, 0},
			{"Free SAS", 12322, [][2]byte{{78, 192}, {82, 64}}, 0},
		},
		mobile:  []isp{{"Bouygues Telecom", 5410, [][2]byte{{176, 142}}, 0}},
		hosting: []isp{{"OVH SAS", 16276, [][2]byte{{51, 75}, {137, 74}}, 0}}},
	{code: "CA", weight: 0.04, names: &poolEN,
		cities: []city{
			{"Toronto", "Ontario", 43.6532, -79.3832, -300}, {"Vancouver", "British Columbia", 49.2827, -123.1207, -480},
			{"Montreal", "Quebec", 45.5017, -73.5673, -300}, {"Calgary", "Alberta", 51.0447, -114.0719, -420},
			{"Ottawa", "Ontario", 45.4215, -75.6972, -300},
		},
		home: []isp{
			{"Rogers Communications", 812, [][2]byte{{99, 231}, {24, 114}}, 0},
			{"Bell Canada", 577, [][2]byte{{142, 116}, {70, 26}}, 0},
		},
		mobile: []isp{{"TELUS Communications", 852, [][2]byte{{154, 20}, {75, 157}}, 0}}},
	{code: "NL", weight: 0.03, names: &poolNL,
		cities: []city{
			{"Amsterdam", "Noord-Holland", 52.3676, 4.9041, 60}, {"Rotterdam", "Zuid-Holland", 51.9244, 4.4777, 60},
			{"Utrecht", "Utrecht", 52.0907, 5.1214, 60}, {"Eindhoven", "Noord-Brabant", 51.4416, 5.4697, 60},
		},
		home: []isp{
			{"KPN B.V.", 1136, [][2]byte{{77, 167}, {145, 129}}, 0},
			{"Ziggo B.V.", 33915, [][2]byte{{84, 241}, {62, 195}}, 0},
		},
		mobile: []isp{{"T-Mobile Netherlands", 50266, [][2]byte{{62, 140}}, 0}},
		hosting: []isp{
			{"M247 Europe SRL", 9009, [][2]byte{{45, 87}, {89, 46}}, 0},
			{"DigitalOcean", 14061, [][2]byte{{146, 190}, {188, 166}}, 0},
		}},
	{code: "JP", weight: 0.025, names: &poolJP,
		cities: []city{
			{"Tokyo", "Tokyo", 35.6762, 139.6503, 540}, {"Osaka", "Osaka", 34.6937, 135.5023, 540},
			{"Yokohama", "Kanagawa", 35.4437, 139.638, 540}, {"Nagoya", "Aichi", 35.1815, 136.9066, 540},
		},
		home: []isp{
			{"NTT Communications", 4713, [][2]byte{{153, 156}, {219, 104}}, 0},
			{"KDDI Corporation", 2516, [][2]byte{{106, 154}, {111, 102}}, 0},
		},
		mobile: []isp{{"SoftBank Corp.", 17676, [][2]byte{{126, 33}, {126, 208}}, 0}}},
	{code: "BR", weight: 0.02, names: &poolES,
		cities: []city{
			{"São Paulo", "São Paulo", -23.5505, -46.6333, -180}, {"Rio de Janeiro", "Rio de Janeiro", -22.9068, -43.1729, -180},
			{"Belo Horizonte", "Minas Gerais", -19.9167, -43.9345, -180}, {"Curitiba", "Paraná", -25.4284, -49.2733, -180},
		},
		home: []isp{
			{"Claro NXT Telecomunicacoes", 28573, [][2]byte{{177, 72}, {189, 100}}, 0},
			{"Telefonica Brasil", 26599, [][2]byte{{187, 11}, {179, 208}}, 0},
		},
		mobile: []isp{{"TIM S/A", 26615, [][2]byte{{191, 245}}, 0}}},
	{code: "AU", weight: 0.02, names: &poolEN,
		cities: []city{
			{"Sydney", "New South Wales", -33.8688, 151.2093, 600}, {"Melbourne", "Victoria", -37.8136, 144.9631, 600},
			{"Brisbane", "Queensland", -27.4698, 153.0251, 600}, {"Perth", "Western Australia", -31.9505, 115.8605, 480},
		},
		home: []isp{
			{"Telstra Corporation", 1221, [][2]byte{{101, 160}, {110, 142}, {144, 138}}, 0},
			{"TPG Telecom", 7545, [][2]byte{{121, 44}, {203, 219}}, 0},
		},
		mobile: []isp{{"Optus", 4804, [][2]byte{{49, 180}, {211, 26}}, 0}}},
	{code: "ES", weight: 0.015, names: &poolES,
		cities: []city{
			{"Madrid", "Madrid", 40.4168, -3.7038, 60}, {"Barcelona", "Catalonia", 41.3874, 2.1686, 60},
			{"Valencia", "Valencia", 39.4699, -0.3763, 60},
		},
		home:   []isp{{"Telefonica de Espana", 3352, [][2]byte{{83, 32}, {88, 6}, {80, 24}}, 0}},
		mobile: []isp{{"Vodafone Spain", 12430, [][2]byte{{37, 11}}, 0}}},
	{code: "IE", weight: 0.015, names: &poolEN,
		cities: []city{{"Dublin", "Dublin", 53.3498, -6.2603, 0}, {"Cork", "Cork", 51.8985, -8.4756, 0}},
		home:   []isp{{"Eircom Limited", 5466, [][2]byte{{86, 40}, {78, 16}}, 0}},
		mobile: []isp{{"Vodafone Ireland", 15502, [][2]byte{{89, 101}, {109, 78}}, 0}}},
	{code: "SG", weight: 0.01, names: &poolSG,
		cities: []city{{"Singapore", "Central Singapore", 1.3521, 103.8198, 480}},
		home:   []isp{{"SingNet", 3758, [][2]byte{{116, 86}, {118, 200}}, 0}},
		mobile: []isp{{"StarHub Mobile", 4657, [][2]byte{{101, 127}}, 0}}},
	{code: "MX", weight: 0.01, names: &poolES,
		cities: []city{
			{"Mexico City", "Ciudad de México", 19.4326, -99.1332, -360}, {"Guadalajara", "Jalisco", 20.6597, -103.3496, -360},
			{"Monterrey", "Nuevo León", 25.6866, -100.3161, -360},
		},
		home:   []isp{{"Uninet S.A. de C.V.", 8151, [][2]byte{{187, 189}, {201, 141}}, 0}},
		mobile: []isp{{"Radiomovil Dipsa", 28403, [][2]byte{{189, 203}}, 0}}},
	{code: "PL", weight: 0.01, names: &poolPL,
		cities: []city{
			{"Warsaw", "Mazowieckie", 52.2297, 21.0122, 60}, {"Kraków", "Małopolskie", 50.0647, 19.945, 60},
			{"Wrocław", "Dolnośląskie", 51.1079, 17.0385, 60},
		},
		home:   []isp{{"Orange Polska", 5617, [][2]byte{{83, 27}, {89, 64}}, 0}},
		mobile: []isp{{"P4 Sp. z o.o.", 39603, [][2]byte{{37, 47}}, 0}}},
	{code: "SE", weight: 0.01, names: &poolSE,
		cities: []city{{"Stockholm", "Stockholm", 59.3293, 18.0686, 60}, {"Gothenburg", "Västra Götaland", 57.7089, 11.9746, 60}},
		home:   []isp{{"Telia Company AB", 3301, [][2]byte{{78, 72}, {90, 229}}, 0}},
		mobile: []isp{{"Tele2 Sverige AB", 1257, [][2]byte{{46, 194}}, 0}}},
	{code: "ZA", weight: 0.005, names: &poolEN,
		cities: []city{{"Johannesburg", "Gauteng", -26.2041, 28.0473, 120}, {"Cape Town", "Western Cape", -33.9249, 18.4241, 120}},
		home:   []isp{{"Vodacom", 29975, [][2]byte{{41, 13}, {105, 224}}, 0}},
		mobile: []isp{{"MTN SA", 16637, [][2]byte{{197, 184}}, 0}}},

	// Countries no user lives in: travellers and attackers.
	{code: "VN", names: &poolSG, cities: []city{{"Ho Chi Minh City", "Ho Chi Minh", 10.8231, 106.6297, 420}, {"Hanoi", "Hanoi", 21.0278, 105.8342, 420}},
		home: []isp{{"Viettel Group", 7552, [][2]byte{{27, 72}, {116, 110}}, 0}}},
	{code: "NG", names: &poolEN, cities: []city{{"Lagos", "Lagos", 6.5244, 3.3792, 60}},
		home: []isp{{"MTN Nigeria", 29465, [][2]byte{{102, 89}, {105, 112}}, 0}}},
	{code: "AE", names: &poolEN, cities: []city{{"Dubai", "Dubai", 25.2048, 55.2708, 240}},
		home: []isp{{"Emirates Telecommunications", 5384, [][2]byte{{94, 200}, {86, 96}}, 0}}},
	{code: "KR", names: &poolSG, cities: []city{{"Seoul", "Seoul", 37.5665, 126.978, 540}},
		home: []isp{{"Korea Telecom", 4766, [][2]byte{{121, 134}, {175, 223}}, 0}}},
	{code: "AR", names: &poolES, cities: []city{{"Buenos Aires", "Buenos Aires", -34.6037, -58.3816, -180}},
		home: []isp{{"Telecom Argentina", 7303, [][2]byte{{181, 46}, {190, 16}}, 0}}},
	{code: "ID", names: &poolSG, cities: []city{{"Jakarta", "Jakarta", -6.2088, 106.8456, 420}},
		home: []isp{{"Telkom Indonesia", 7713, [][2]byte{{36, 68}, {114, 124}}, 0}}},
	{code: "RU", names: &poolPL, cities: []city{{"Moscow", "Moscow", 55.7558, 37.6173, 180}},
		hosting: []isp{{"Selectel", 49505, [][2]byte{{5, 188}, {31, 184}}, 0}}},
}

var countryByCode = func() map[string]*country {
	m := make(map[string]*country, len(countries))
	for _, c := range countries {
		m[c.code] = c
	}
	return m
}()

// azureRegions are the places Azure workloads sign in from (AS8075).
var azureRegions = []struct {
	country string
	city    city
	blocks  [][2]byte
}{
	{"US", city{"Boydton", "Virginia", 36.6676, -78.3875, -300}, [][2]byte{{20, 185}, {40, 76}, {52, 168}}},
	{"US", city{"Quincy", "Washington", 47.2343, -119.8526, -480}, [][2]byte{{20, 94}, {52, 183}}},
	{"US", city{"San Antonio", "Texas", 29.4241, -98.4936, -360}, [][2]byte{{13, 84}, {40, 124}}},
	{"NL", city{"Amsterdam", "Noord-Holland", 52.3676, 4.9041, 60}, [][2]byte{{20, 50}, {51, 144}}},
	{"IE", city{"Dublin", "Dublin", 53.3498, -6.2603, 0}, [][2]byte{{20, 123}, {52, 164}}},
	{"GB", city{"London", "England", 51.5074, -0.1278, 0}, [][2]byte{{20, 108}, {51, 140}}},
}

// blockedCountries are those the tenant's location policy blocks.
var blockedCountries = map[string]bool{"RU": true, "CN": true, "KP": true, "IR": true, "BY": true, "SY": true, "CU": true}

// netAddr is a source address of sign-ins with what Entra ID knows of it,
// and its JSON fragments.
type netAddr struct {
	ip                  string
	country, state, cty string
	lat, lon            float64
	asn                 int64
	org                 string   // the network's owner
	trusted             string   // the trusted named location, for office egress
	trustedList         []string // trusted as a list (networkName)
	// locJSON is the signInLocation object; netJSON the
	// networkLocationDetails array.
	locJSON, netJSON []byte
}

// newNetAddr makes an address of an ISP in a city.
func newNetAddr(r *rand.Rand, cc string, c *city, n *isp, v6 bool) *netAddr {
	var ip string
	if v6 && n.v6 != 0 {
		var b [16]byte
		b[0], b[1], b[2], b[3] = byte(n.v6>>24), byte(n.v6>>16), byte(n.v6>>8), byte(n.v6)
		x, y := r.Uint64(), r.Uint64()
		for i := 4; i < 8; i++ {
			b[i] = byte(x >> (8 * i))
		}
		for i := 8; i < 16; i++ {
			b[i] = byte(y >> (8 * (i - 8)))
		}
		ip = netip.AddrFrom16(b).String()
	} else {
		blk := pickOne(r, n.blocks)
		buf := make([]byte, 0, 15)
		buf = strconv.AppendUint(buf, uint64(blk[0]), 10)
		buf = append(buf, '.')
		buf = strconv.AppendUint(buf, uint64(blk[1]), 10)
		buf = append(buf, '.')
		buf = strconv.AppendUint(buf, uint64(r.IntN(256)), 10)
		buf = append(buf, '.')
		buf = strconv.AppendUint(buf, uint64(1+r.IntN(254)), 10)
		ip = string(buf)
	}
	a := &netAddr{ip: ip, country: cc, state: c.state, cty: c.name, asn: n.asn, org: n.name,
		// Geolocation is city-level, jittered by a few kilometres, and
		// carries float32 precision as the service's does.
		lat: float64(float32(c.lat + (r.Float64()-0.5)*0.08)),
		lon: float64(float32(c.lon + (r.Float64()-0.5)*0.08)),
	}
	a.finish()
	return a
}

// noAddr is the address of sign-ins without one: managed identities
// inside Azure, whose location is empty with zero coordinates.
var noAddr = func() *netAddr {
	a := &netAddr{}
	a.finish()
	return a
}()

// finish makes the JSON fragments.
func (a *netAddr) finish() {
	b := []byte(`{"city":`)
	b = jsonw.String(b, a.cty)
	b = append(b, `,"state":`...)
	b = jsonw.String(b, a.state)
	b = append(b, `,"countryOrRegion":`...)
	b = jsonw.String(b, a.country)
	b = append(b, `,"geoCoordinates":{"latitude":`...)
	b = appendCoord(b, a.lat)
	b = append(b, `,"longitude":`...)
	b = appendCoord(b, a.lon)
	a.locJSON = append(b, "}}"...)
	if a.trusted != "" {
		a.trustedList = []string{a.trusted}
		n := []byte(`[{"networkType":"trustedNamedLocation","networkNames":[`)
		n = jsonw.String(n, a.trusted)
		a.netJSON = append(n, "]}]"...)
	} else {
		a.netJSON = []byte("[]")
	}
}

// appendCoord appends a coordinate; zero is written 0.0 as the service
// writes it.
func appendCoord(b []byte, v float64) []byte {
	if v == 0 {
		return append(b, "0.0"...)
	}
	return jsonw.Float(b, v)
}

// distanceKm is the great-circle distance between two points.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * 6371 * math.Asin(math.Sqrt(h))
}
