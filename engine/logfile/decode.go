package logfile

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signinq/signinq/engine/signin"
	"github.com/valyala/fastjson"
)

// outcome is what decoding one unit (a JSON value or a CSV row) gave.
type outcome uint8

const (
	outOK        outcome = iota // a sign-in record
	outMalformed                // a broken record: rejected, reading goes on
	outNotSignIn                // well-formed, but not a sign-in
)

// decoder turns JSON objects and CSV rows into records. Each worker has
// its own; a decoder is not safe for concurrent use.
type decoder struct {
	classifier *signin.Classifier
	strs       strtab
	p          fastjson.Parser    // the unit being decoded
	nested     []*fastjson.Parser // JSON held in strings, one parser per depth (see unwrap)
	depth      int
	arena      fastjson.Arena // CSV cells as values
	num        []byte         // scratch for number text

	// Per unit.
	rec    *signin.Record
	env    envelope
	errMsg string // the first problem found; the unit is malformed when set
	errCol int    // the CSV column of the problem, 0 if unknown
	col    int    // the CSV column being decoded (1-based field index), 0 for JSON
}

// envelope collects what a record says outside the sign-in proper, and the
// facts needed to classify it; finish resolves it into the record.
type envelope struct {
	category    string // diagnostic-settings category / Log Analytics Category
	hasCategory bool
	table       string // Log Analytics Type (the table name)
	time        time.Time
	created     time.Time // createdDateTime
	first       time.Time // summarized: firstSignInDateTime
	agg         time.Time // summarized: aggregationDateTime
	properties  bool
	summarized  bool
	resultType  string
	resultDesc  string
	callerIP    string
	identity    string
	country     string
	tenant      string
	correlation string
	statusText  signin.Status
	interactive signin.Bool
	eventType   signin.Type
	hasEvent    bool
	msiAlt      string
	legacyRisk  []string
	hint        signin.Type // from the file name or --type
	hasHint     bool
	forceHint   bool // the hint wins over everything (portal CSV)
}

func newDecoder(c *signin.Classifier) *decoder {
	return &decoder{classifier: c}
}

func (d *decoder) begin(rec *signin.Record) {
	rec.Reset()
	d.rec = rec
	d.env = envelope{}
	d.errMsg, d.errCol, d.depth = "", 0, 0
}

// fail records the first problem of the unit.
func (d *decoder) fail(format string, args ...any) {
	if d.errMsg == "" {
		d.errMsg = fmt.Sprintf(format, args...)
		d.errCol = d.col
	}
}

// handler decodes the value of one key (or CSV column) into the record.
// name is the key as the source spells it, for messages. Handlers that
// want an object or a list also accept a string holding one, as Log
// Analytics writes its dynamic columns.
type handler func(d *decoder, name string, v *fastjson.Value)

// ---- value conversion, lenient about the types the exports use ----

// text returns the value as text: strings unescaped, numbers and literals
// as written; ok is false for null.
func (d *decoder) text(v *fastjson.Value) ([]byte, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return b, true
	case fastjson.TypeNull:
		return nil, false
	}
	d.num = v.MarshalTo(d.num[:0])
	return d.num, true
}

func (d *decoder) intOf(name string, v *fastjson.Value) (int64, bool) {
	switch v.Type() {
	case fastjson.TypeNull:
		return 0, false
	case fastjson.TypeNumber:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
		if f, err := v.Float64(); err == nil && f == float64(int64(f)) {
			return int64(f), true
		}
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			return 0, false
		}
		if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return n, true
		}
	}
	b, _ := d.text(v)
	d.fail("%s: not an integer: %s", name, quoteTrunc(b))
	return 0, false
}

func (d *decoder) floatOf(name string, v *fastjson.Value) (float64, bool) {
	switch v.Type() {
	case fastjson.TypeNull:
		return 0, false
	case fastjson.TypeNumber:
		if f, err := v.Float64(); err == nil {
			return f, true
		}
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			return 0, false
		}
		if f, err := strconv.ParseFloat(string(b), 64); err == nil {
			return f, true
		}
	}
	b, _ := d.text(v)
	d.fail("%s: not a number: %s", name, quoteTrunc(b))
	return 0, false
}

func (d *decoder) boolOf(name string, v *fastjson.Value) signin.Bool {
	switch v.Type() {
	case fastjson.TypeTrue:
		return signin.BoolTrue
	case fastjson.TypeFalse:
		return signin.BoolFalse
	case fastjson.TypeNull:
		return signin.BoolUnknown
	}
	b, _ := d.text(v)
	if len(bytes.TrimSpace(b)) == 0 {
		return signin.BoolUnknown
	}
	if r := signin.ParseBool(string(b)); r != signin.BoolUnknown {
		return r
	}
	d.fail("%s: not a boolean: %s", name, quoteTrunc(b))
	return signin.BoolUnknown
}

func (d *decoder) timeOf(name string, v *fastjson.Value) time.Time {
	b, ok := d.text(v)
	if !ok || len(bytes.TrimSpace(b)) == 0 {
		return time.Time{}
	}
	t, err := parseTime(b)
	if err != nil {
		d.fail("%s: cannot parse time %s: %v", name, quoteTrunc(b), err)
		return time.Time{}
	}
	return t
}

// str copies a string value; intern shares equal values.
func (d *decoder) str(v *fastjson.Value, intern bool) string {
	b, ok := d.text(v)
	if !ok {
		return ""
	}
	if intern {
		return d.strs.get(b)
	}
	return d.strs.copy(b)
}

// maxNesting bounds JSON held in strings inside JSON held in strings.
const maxNesting = 4

// unwrap returns v, or, when v is a string holding JSON (Log Analytics'
// dynamic columns, stringified properties), the value it holds, parsed
// with the parser for the current nesting depth. done must be called when
// the returned value is no longer used. ok is false for null, for an
// empty string and after a parse error (which is recorded).
func (d *decoder) unwrap(name string, v *fastjson.Value) (_ *fastjson.Value, done func(), ok bool) {
	switch v.Type() {
	case fastjson.TypeNull:
		return nil, nil, false
	case fastjson.TypeString:
	default:
		return v, noop, true
	}
	b, _ := v.StringBytes()
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, nil, false
	}
	if d.depth >= maxNesting {
		d.fail("%s: JSON nested in strings too deeply", name)
		return nil, nil, false
	}
	for len(d.nested) <= d.depth {
		d.nested = append(d.nested, new(fastjson.Parser))
	}
	pv, err := d.nested[d.depth].ParseBytes(b)
	if err != nil {
		d.fail("%s: invalid JSON: %v", name, err)
		return nil, nil, false
	}
	d.depth++
	return pv, d.pop, true
}

func (d *decoder) pop() { d.depth-- }

func noop() {}

// list returns the string elements of an array value. A string holding a
// JSON array is parsed; any other string is a one-element list.
func (d *decoder) list(name string, v *fastjson.Value) []string {
	if v.Type() == fastjson.TypeString {
		b, _ := v.StringBytes()
		if b = bytes.TrimSpace(b); len(b) > 0 && b[0] != '[' {
			return []string{d.strs.get(b)}
		}
	}
	var out []string
	d.array(name, v, func(e *fastjson.Value) {
		if s := d.str(e, true); s != "" {
			out = append(out, s)
		}
	})
	return out
}

// object calls fn for every key of an object value, with the key
// lower-cased for the table lookups and as the source spells it for
// messages. fn must not keep either.
func (d *decoder) object(name string, v *fastjson.Value, fn func(key, orig string, v *fastjson.Value)) {
	v, done, ok := d.unwrap(name, v)
	if !ok {
		return
	}
	defer done()
	o, err := v.Object()
	if err != nil {
		d.fail("%s: not an object", name)
		return
	}
	var kb [64]byte
	o.Visit(func(k []byte, v *fastjson.Value) {
		fn(lower(kb[:0], k), unsafeString(k), v)
	})
}

// array calls fn for every element of an array value.
func (d *decoder) array(name string, v *fastjson.Value, fn func(v *fastjson.Value)) {
	v, done, ok := d.unwrap(name, v)
	if !ok {
		return
	}
	defer done()
	arr, err := v.Array()
	if err != nil {
		d.fail("%s: not a list", name)
		return
	}
	for _, e := range arr {
		fn(e)
	}
}

// lower returns the ASCII lower case of k, using buf when it fits.
func lower(buf []byte, k []byte) string {
	if len(k) > cap(buf) {
		return strings.ToLower(string(k))
	}
	buf = buf[:len(k)]
	for i, c := range k {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return unsafeString(buf)
}

// ip canonicalizes an address when it parses (IPv6 compressed, IPv4
// dotted); other text is kept as given.
func (d *decoder) ip(v *fastjson.Value) string {
	b, ok := d.text(v)
	if !ok {
		return ""
	}
	b = bytes.TrimSpace(b)
	if a, err := netip.ParseAddr(unsafeString(b)); err == nil {
		var buf [64]byte
		return d.strs.get(a.Unmap().AppendTo(buf[:0]))
	}
	return d.strs.get(b)
}

func (d *decoder) addAuthMethod(m string) {
	if m == "" {
		return
	}
	for _, have := range d.rec.AuthMethods {
		if have == m {
			return
		}
	}
	d.rec.AuthMethods = append(d.rec.AuthMethods, m)
}

// ---- the tables ----

// strField decodes a string-valued key into the record field get returns.
func strField(get func(r *signin.Record) *string, intern bool) handler {
	return handler(func(d *decoder, _ string, v *fastjson.Value) { *get(d.rec) = d.str(v, intern) })
}

func intField(get func(r *signin.Record) *int64) handler {
	return handler(func(d *decoder, name string, v *fastjson.Value) {
		if n, ok := d.intOf(name, v); ok {
			*get(d.rec) = n
		}
	})
}

func boolField(get func(r *signin.Record) *signin.Bool) handler {
	return handler(func(d *decoder, name string, v *fastjson.Value) { *get(d.rec) = d.boolOf(name, v) })
}

var (
	hStatus = handler(func(d *decoder, name string, v *fastjson.Value) {
		d.object(name, v, func(k, orig string, v *fastjson.Value) {
			if h, ok := statusKeys[k]; ok {
				h(d, orig, v)
			}
		})
	})
	hErrorCode = handler(func(d *decoder, name string, v *fastjson.Value) {
		if n, ok := d.intOf(name, v); ok {
			d.rec.Error = n
		}
	})
	hDevice = handler(func(d *decoder, name string, v *fastjson.Value) {
		d.object(name, v, func(k, orig string, v *fastjson.Value) {
			if h, ok := deviceKeys[k]; ok {
				h(d, orig, v)
			}
		})
	})
	hLocation = handler(func(d *decoder, name string, v *fastjson.Value) {
		if v.Type() == fastjson.TypeString { // the top-level country code
			b, _ := v.StringBytes()
			if len(b) > 0 && b[0] != '{' {
				d.env.country = d.strs.get(b)
				return
			}
		}
		d.object(name, v, func(k, orig string, v *fastjson.Value) {
			switch k {
			case "city":
				d.rec.City = d.str(v, true)
			case "state":
				d.rec.State = d.str(v, true)
			case "countryorregion":
				d.rec.Country = d.str(v, true)
			case "geocoordinates":
				d.object(orig, v, func(k, orig string, v *fastjson.Value) {
					switch k {
					case "latitude":
						if f, ok := d.floatOf(orig, v); ok {
							d.rec.Latitude = f
						}
					case "longitude":
						if f, ok := d.floatOf(orig, v); ok {
							d.rec.Longitude = f
						}
					}
				})
			}
		})
	})
	hPolicies = handler(func(d *decoder, name string, v *fastjson.Value) {
		d.array(name, v, func(e *fastjson.Value) {
			var pname string
			applied := false
			d.object(name, e, func(k, orig string, v *fastjson.Value) {
				switch k {
				case "displayname":
					pname = d.str(v, true)
				case "result":
					b, _ := d.text(v)
					applied = bytes.EqualFold(b, []byte("success")) || bytes.EqualFold(b, []byte("failure"))
				}
			})
			if applied && pname != "" {
				d.rec.Policies = append(d.rec.Policies, pname)
			}
		})
	})
	hAuthDetails = handler(func(d *decoder, name string, v *fastjson.Value) {
		d.array(name, v, func(e *fastjson.Value) {
			d.object(name, e, func(k, orig string, v *fastjson.Value) {
				if k == "authenticationmethod" {
					d.addAuthMethod(d.str(v, true))
				}
			})
		})
	})
	hAuthMethods = handler(func(d *decoder, name string, v *fastjson.Value) {
		for _, m := range d.list(name, v) {
			d.addAuthMethod(m)
		}
	})
	hMFA = handler(func(d *decoder, name string, v *fastjson.Value) {
		d.object(name, v, func(k, orig string, v *fastjson.Value) {
			if k == "authmethod" {
				d.addAuthMethod(d.str(v, true))
			}
		})
	})
	hMSI = handler(func(d *decoder, name string, v *fastjson.Value) {
		d.object(name, v, func(k, orig string, v *fastjson.Value) {
			if k == "msitype" {
				d.rec.MSIType = d.str(v, true)
			}
		})
	})
	hCreated = handler(func(d *decoder, name string, v *fastjson.Value) { d.env.created = d.timeOf(name, v) })
)

// statusKeys decode a signInStatus object.
var statusKeys = map[string]handler{
	"errorcode":         hErrorCode,
	"failurereason":     strField(func(r *signin.Record) *string { return &r.Reason }, true),
	"additionaldetails": strField(func(r *signin.Record) *string { return &r.Details }, true),
}

// deviceKeys decode a deviceDetail object.
var deviceKeys = map[string]handler{
	"deviceid":        strField(func(r *signin.Record) *string { return &r.DeviceID }, true),
	"displayname":     strField(func(r *signin.Record) *string { return &r.Device }, true),
	"operatingsystem": strField(func(r *signin.Record) *string { return &r.OS }, true),
	"browser":         strField(func(r *signin.Record) *string { return &r.Browser }, true),
	"iscompliant":     boolField(func(r *signin.Record) *signin.Bool { return &r.Compliant }),
	"ismanaged":       boolField(func(r *signin.Record) *signin.Bool { return &r.Managed }),
	"trusttype":       strField(func(r *signin.Record) *string { return &r.Trust }, true),
}

// signInKeys decode a Graph signIn or summarizedSignIn object, which is
// also the diagnostic-settings record's properties. Keys are lower case.
var signInKeys = map[string]handler{
	"id":                               strField(func(r *signin.Record) *string { return &r.ID }, false),
	"createddatetime":                  hCreated,
	"userdisplayname":                  strField(func(r *signin.Record) *string { return &r.UserName }, true),
	"userprincipalname":                strField(func(r *signin.Record) *string { return &r.User }, true),
	"userid":                           strField(func(r *signin.Record) *string { return &r.UserID }, true),
	"usertype":                         strField(func(r *signin.Record) *string { return &r.UserType }, true),
	"appid":                            strField(func(r *signin.Record) *string { return &r.AppID }, true),
	"appdisplayname":                   strField(func(r *signin.Record) *string { return &r.App }, true),
	"resourcedisplayname":              strField(func(r *signin.Record) *string { return &r.Resource }, true),
	"resourceid":                       strField(func(r *signin.Record) *string { return &r.ResourceID }, true),
	"ipaddress":                        handler(func(d *decoder, _ string, v *fastjson.Value) { d.rec.IP = d.ip(v) }),
	"autonomoussystemnumber":           intField(func(r *signin.Record) *int64 { return &r.ASN }),
	"clientappused":                    strField(func(r *signin.Record) *string { return &r.Client }, true),
	"useragent":                        strField(func(r *signin.Record) *string { return &r.UserAgent }, true),
	"correlationid":                    strField(func(r *signin.Record) *string { return &r.CorrelationID }, false),
	"sessionid":                        strField(func(r *signin.Record) *string { return &r.SessionID }, true),
	"conditionalaccessstatus":          strField(func(r *signin.Record) *string { return &r.CA }, true),
	"authenticationprotocol":           strField(func(r *signin.Record) *string { return &r.Protocol }, true),
	"authenticationrequirement":        strField(func(r *signin.Record) *string { return &r.AuthRequirement }, true),
	"hometenantid":                     strField(func(r *signin.Record) *string { return &r.Tenant }, true),
	"resourcetenantid":                 strField(func(r *signin.Record) *string { return &r.ResourceTenant }, true),
	"crosstenantaccesstype":            strField(func(r *signin.Record) *string { return &r.CrossTenant }, true),
	"tokenissuertype":                  strField(func(r *signin.Record) *string { return &r.TokenIssuer }, true),
	"processingtimeinmilliseconds":     intField(func(r *signin.Record) *int64 { return &r.Latency }),
	"processingtimeinms":               intField(func(r *signin.Record) *int64 { return &r.Latency }),
	"risklevelduringsignin":            strField(func(r *signin.Record) *string { return &r.Risk }, true),
	"risklevelaggregated":              strField(func(r *signin.Record) *string { return &r.RiskAggregated }, true),
	"riskstate":                        strField(func(r *signin.Record) *string { return &r.RiskState }, true),
	"riskdetail":                       strField(func(r *signin.Record) *string { return &r.RiskDetail }, true),
	"riskeventtypes_v2":                handler(func(d *decoder, name string, v *fastjson.Value) { d.rec.RiskEvents = d.list(name, v) }),
	"riskeventtypes":                   handler(func(d *decoder, name string, v *fastjson.Value) { d.env.legacyRisk = d.list(name, v) }),
	"serviceprincipalid":               strField(func(r *signin.Record) *string { return &r.SPID }, true),
	"serviceprincipalname":             strField(func(r *signin.Record) *string { return &r.SP }, true),
	"managedidentitytype":              handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.msiAlt = d.str(v, true) }),
	"managedserviceidentity":           hMSI,
	"status":                           hStatus,
	"devicedetail":                     hDevice,
	"location":                         hLocation,
	"appliedconditionalaccesspolicies": hPolicies,
	"authenticationdetails":            hAuthDetails,
	"authenticationmethodsused":        hAuthMethods,
	"mfadetail":                        hMFA,
	"isinteractive":                    handler(func(d *decoder, name string, v *fastjson.Value) { d.env.interactive = d.boolOf(name, v) }),
	"signineventtypes": handler(func(d *decoder, name string, v *fastjson.Value) {
		for _, s := range d.list(name, v) {
			if t, ok := signin.ParseType(s); ok {
				d.env.eventType, d.env.hasEvent = t, true
				return
			}
		}
	}),
	"signincount": handler(func(d *decoder, name string, v *fastjson.Value) {
		d.env.summarized = true
		if n, ok := d.intOf(name, v); ok {
			d.rec.SignInCount = n
		}
	}),
	"firstsignindatetime": handler(func(d *decoder, name string, v *fastjson.Value) {
		d.env.summarized = true
		d.env.first = d.timeOf(name, v)
	}),
	"aggregationdatetime": handler(func(d *decoder, name string, v *fastjson.Value) {
		d.env.summarized = true
		d.env.agg = d.timeOf(name, v)
	}),
	"tenantid": handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.tenant = d.str(v, true) }),
}

// topKeys decode the keys a record has outside the sign-in proper: the
// diagnostic-settings envelope and the Log Analytics columns. Keys not
// here are looked up in signInKeys.
var topKeys = map[string]handler{
	"time":          handler(func(d *decoder, name string, v *fastjson.Value) { d.env.time = d.timeOf(name, v) }),
	"timegenerated": handler(func(d *decoder, name string, v *fastjson.Value) { d.env.time = d.timeOf(name, v) }),
	"category": handler(func(d *decoder, _ string, v *fastjson.Value) {
		d.env.category, d.env.hasCategory = d.str(v, true), true
	}),
	"type":              handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.table = d.str(v, true) }),
	"resulttype":        handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.resultType = d.str(v, true) }),
	"resultdescription": handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.resultDesc = d.str(v, true) }),
	"calleripaddress":   handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.callerIP = d.ip(v) }),
	"identity":          handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.identity = d.str(v, true) }),
	"tenantid":          handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.tenant = d.str(v, true) }),
	"aadtenantid":       handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.tenant = d.str(v, true) }),
	"correlationid":     handler(func(d *decoder, _ string, v *fastjson.Value) { d.env.correlation = d.str(v, false) }),
	// The envelope's resourceId is the log's Azure resource path
	// (/tenants/…/providers/Microsoft.aadiam), not the sign-in's resource;
	// a Graph object's resourceId is an application id.
	"resourceid": handler(func(d *decoder, name string, v *fastjson.Value) {
		if b, _ := d.text(v); len(b) > 0 && b[0] != '/' {
			d.rec.ResourceID = d.strs.get(b)
		}
	}),
	"properties": handler(func(d *decoder, name string, v *fastjson.Value) {
		d.env.properties = true
		d.object(name, v, func(k, orig string, v *fastjson.Value) {
			if h, ok := signInKeys[k]; ok {
				h(d, orig, v)
			}
		})
	}),
	// Log Analytics column names that differ from Graph's.
	"locationdetails":           hLocation,
	"resourceidentity":          strField(func(r *signin.Record) *string { return &r.ResourceID }, true),
	"conditionalaccesspolicies": hPolicies,
	"createddatetime":           hCreated,
}

// decodeTop decodes the keys of a top-level JSON object.
func (d *decoder) decodeTop(o *fastjson.Object) {
	var kb [64]byte
	o.Visit(func(k []byte, v *fastjson.Value) {
		key := lower(kb[:0], k)
		h, ok := topKeys[key]
		if !ok {
			if h, ok = signInKeys[key]; !ok {
				return
			}
		}
		h(d, unsafeString(k), v)
	})
}

// finish classifies the unit and resolves the envelope into the record.
func (d *decoder) finish() (outcome, string) {
	r, e := d.rec, &d.env
	switch {
	case e.forceHint:
		r.Type = e.hint
	case e.hasCategory:
		t, ok := signin.ParseType(e.category)
		if !ok {
			return outNotSignIn, fmt.Sprintf("category %q is not a sign-in log category", e.category)
		}
		if e.time.IsZero() && e.created.IsZero() && !e.properties && d.errMsg == "" {
			return outNotSignIn, fmt.Sprintf("a %s record without a time or properties", e.category)
		}
		r.Type = t
	case e.table != "":
		t, ok := signin.ParseType(e.table)
		if !ok {
			return outNotSignIn, fmt.Sprintf("table %q is not a sign-in log table", e.table)
		}
		r.Type = t
	case e.properties || !e.created.IsZero() || e.summarized || d.errMsg != "":
		r.Type = d.inferType()
	default:
		return outNotSignIn, "no sign-in properties (createdDateTime, category or properties)"
	}
	if d.errMsg != "" {
		return outMalformed, d.errMsg
	}

	switch {
	case !e.created.IsZero():
		r.Time = e.created
	case !e.first.IsZero():
		r.Time = e.first
	case !e.agg.IsZero():
		r.Time = e.agg
	default:
		r.Time = e.time
	}
	r.Ingested = e.time
	if r.Time.IsZero() {
		return outMalformed, "no sign-in time (createdDateTime or time)"
	}

	if e.resultType != "" && r.Error == signin.NoInt {
		if n, err := strconv.ParseInt(strings.TrimSpace(e.resultType), 10, 64); err == nil {
			r.Error = n
		} else if st, ok := signin.ParseStatus(e.resultType); ok && e.statusText == signin.StatusUnknown {
			e.statusText = st
		}
	}
	if e.statusText != signin.StatusUnknown {
		r.Status = e.statusText
	} else {
		r.Status = d.classifier.Status(r.Error)
	}
	if r.Reason == "" {
		r.Reason = e.resultDesc
	}
	if r.IP == "" {
		r.IP = e.callerIP
	}
	if r.Country == "" {
		r.Country = e.country
	}
	if r.CorrelationID == "" {
		r.CorrelationID = e.correlation
	}
	if r.Tenant == "" {
		r.Tenant = e.tenant
	}
	if len(r.RiskEvents) == 0 {
		r.RiskEvents = e.legacyRisk
	}
	if r.MSIType == "" {
		r.MSIType = e.msiAlt
	}
	normalizeEnums(r)
	r.Identity = identity(r, e.identity)
	return outOK, ""
}

// inferType decides the type of a record whose format does not state it.
func (d *decoder) inferType() signin.Type {
	r, e := d.rec, &d.env
	switch {
	case e.hasEvent:
		return e.eventType
	case e.hasHint:
		return e.hint
	case strings.EqualFold(r.MSIType, "systemAssigned") || strings.EqualFold(r.MSIType, "userAssigned"):
		return signin.TypeManagedIdentity
	case e.summarized:
		if r.User != "" {
			return signin.TypeNonInteractive
		}
		return signin.TypeServicePrincipal
	case e.interactive == signin.BoolTrue:
		return signin.TypeInteractive
	case r.User == "" && r.UserID == "" && (r.SPID != "" || r.SP != ""):
		return signin.TypeServicePrincipal
	case e.interactive == signin.BoolFalse:
		return signin.TypeNonInteractive
	}
	return signin.TypeInteractive
}

// identity is who signed in: the user principal name for users (else the
// display name, the envelope's identity or the user id); the service
// principal or managed identity name otherwise (else the envelope's
// identity, the app, the service principal id or the app id).
func identity(r *signin.Record, envIdentity string) string {
	var order [5]string
	if r.Type == signin.TypeInteractive || r.Type == signin.TypeNonInteractive {
		order = [5]string{r.User, r.UserName, envIdentity, r.UserID}
	} else {
		order = [5]string{r.SP, envIdentity, r.App, r.SPID, r.AppID}
	}
	for _, s := range order {
		if s != "" {
			return s
		}
	}
	return ""
}

// enums maps each enumerated field to its catalog values, keyed by the
// values themselves and by their enumKey, so that "Member", "Not Applied",
// "OAuth2" and "Single-factor authentication" become member, notApplied,
// oAuth2 and singleFactorAuthentication.
var enums = func() map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, f := range signin.Fields() {
		if f.Values == nil || f.Name == "type" || f.Name == "status" {
			continue
		}
		vm := map[string]string{}
		for _, v := range f.Values {
			vm[enumKey(v)] = v
			vm[v] = v
		}
		m[f.Name] = vm
	}
	return m
}()

// enumKey folds the spellings of an enumerated value: case, spaces,
// hyphens and underscores are ignored.
func enumKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

func normalizeEnum(m map[string]string, s *string) {
	if *s == "" {
		return
	}
	if _, ok := m[*s]; ok { // canonical already, or lower case
		*s = m[*s]
		return
	}
	if v, ok := m[enumKey(*s)]; ok {
		*s = v
	}
}

func normalizeEnums(r *signin.Record) {
	normalizeEnum(enums["userType"], &r.UserType)
	normalizeEnum(enums["protocol"], &r.Protocol)
	normalizeEnum(enums["authRequirement"], &r.AuthRequirement)
	normalizeEnum(enums["ca"], &r.CA)
	normalizeEnum(enums["risk"], &r.Risk)
	normalizeEnum(enums["riskAggregated"], &r.RiskAggregated)
	normalizeEnum(enums["riskState"], &r.RiskState)
	normalizeEnum(enums["msiType"], &r.MSIType)
	normalizeEnum(enums["crossTenant"], &r.CrossTenant)
	normalizeEnum(enums["tokenIssuer"], &r.TokenIssuer)
}

// quoteTrunc quotes b for a message, cut to a readable length.
func quoteTrunc(b []byte) string {
	const max = 60
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "…"
	}
	return strconv.Quote(string(b))
}
