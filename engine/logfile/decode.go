package logfile

import (
	"bytes"
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/strtab"
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
	strs       strtab.Table
	p          fastjson.Parser    // the unit being decoded
	nested     []*fastjson.Parser // JSON held in strings, one parser per depth (see unwrap)
	depth      int
	cellV      *fastjson.Value // stands for the CSV cell (see value)
	cell       []byte
	num        []byte     // scratch for number text
	keys       []keyCache // by keyTable.id
	last       []string   // by slot: the last value of each string field
	lastIP     [2]struct{ raw, ip string }

	// Scratch of the policy being decoded (see hPolicies) and the
	// position of the authentication step (see hAuthSteps).
	policy       string
	policyResult string
	pair         []byte
	step         int
	scratch      listScratch
	// Lists made before, shared by the records that have them (see
	// intern), and the key of the list being looked up.
	lists   map[string][]string
	listKey []byte

	// path is the keys of the objects being decoded, outermost first,
	// for naming a field in messages (see truncated).
	path []string

	// Per unit.
	rec *signin.Record
	env envelope
	// lost is the fields of the unit that held the text ConvertTo-Json
	// writes where it stops at its -Depth (see truncated).
	lost []string
	// spaced is the lists of the unit given as one text with spaces,
	// which ConvertTo-Json also writes for a list it stops at: one
	// element, or several joined (see dropSpaced).
	spaced []spacedList
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
	tenant      string // tenantId
	aadTenant   string // Log Analytics' AADTenantId
	pathTenant  string // the tenant of the envelope's resourceId
	correlation string
	statusText  signin.Status
	interactive signin.Bool
	eventType   signin.Type
	hasEvent    bool
	msiAlt      string
	signInName  string // signInIdentifier, else alternateSignInName
	legacyRisk  []string
	hint        signin.Type // from the file name or --type
	hasHint     bool
	forceHint   bool // the hint wins over everything (portal CSV)
}

func newDecoder(c *signin.Classifier) *decoder {
	return &decoder{classifier: c, keys: make([]keyCache, numTables), last: make([]string, numSlots), cellV: new(fastjson.Value)}
}

// keyCache remembers the keys of the last object decoded with a table, in
// order, with their handlers. Logs from one source repeat their keys in
// the same order, so a key is usually resolved by comparing it with the
// key at the same position last time, without lower-casing or hashing it.
type keyCache struct {
	keys []string
	hs   []handler
}

func (d *decoder) begin(rec *signin.Record) {
	rec.Reset()
	d.rec = rec
	d.env = envelope{}
	d.errMsg, d.errCol, d.depth = "", 0, 0
	d.path, d.lost, d.spaced = d.path[:0], d.lost[:0], d.spaced[:0]
}

// spacedList is a list field (named by its path) given as one text with
// spaces in it.
type spacedList struct{ field, text string }

// dropSpaced drops, from a unit in which ConvertTo-Json stopped at its
// -Depth (some field is lost), the lists given as one text with spaces:
// at the depth where it writes objects as text, it writes a list as its
// elements joined by spaces ("Password Authenticator App"), which cannot
// be split again. They are counted as lost too.
func (d *decoder) dropSpaced() {
	if len(d.lost) == 0 || len(d.spaced) == 0 {
		return
	}
	r, e := d.rec, &d.env
	for _, sl := range d.spaced {
		r.RiskEvents = slices.DeleteFunc(r.RiskEvents, func(s string) bool { return s == sl.text })
		e.legacyRisk = slices.DeleteFunc(e.legacyRisk, func(s string) bool { return s == sl.text })
		r.AuthMethods = slices.DeleteFunc(r.AuthMethods, func(s string) bool { return s == sl.text })
		// Interned lists are shared: these are copied, not changed.
		r.Policies = without(r.Policies, sl.text)
		r.NetworkNames = without(r.NetworkNames, sl.text)
		if len(r.RiskEvents) == 0 {
			r.RiskEvents = nil
		}
		if len(r.AuthMethods) == 0 {
			r.AuthMethods = nil
		}
		if len(r.Policies) == 0 {
			r.Policies = nil
		}
		d.lose(sl.field)
	}
}

// truncated notes that the field name, where an object or a list
// should be, held the text Windows PowerShell's ConvertTo-Json writes for
// what it does not expand (see psTruncated): what the field held is lost,
// and the rest of the record is read.
func (d *decoder) truncated(name string) { d.lose(d.fieldPath(name)) }

// lose notes a field lost, once per unit.
func (d *decoder) lose(field string) {
	if !slices.Contains(d.lost, field) {
		d.lost = append(d.lost, field)
	}
}

// fieldPath names the key name of the object being decoded by its path
// from the record's top, as the source spells the keys: Location.City.
func (d *decoder) fieldPath(name string) string {
	var b strings.Builder
	for _, p := range d.path {
		if p != "" {
			b.WriteString(p)
			b.WriteByte('.')
		}
	}
	b.WriteString(name)
	return b.String()
}

// psTruncated reports whether text is what Windows PowerShell's
// ConvertTo-Json writes in place of an object or a list nested deeper
// than its -Depth (2 by default): the object converted to a string,
// which is "@{key=value; …}" for a PSCustomObject and the .NET type name
// for others ("System.Collections.Hashtable",
// "Microsoft.Graph.PowerShell.Models.MicrosoftGraphGeoCoordinates",
// "System.Object[]"), the names of a list's elements joined by spaces.
func psTruncated(text []byte) bool {
	text = bytes.TrimSpace(text)
	if bytes.HasPrefix(text, []byte("@{")) && bytes.HasSuffix(text, []byte("}")) {
		return true
	}
	if len(text) == 0 || text[0] != 'S' && text[0] != 'M' {
		return false
	}
	for len(text) > 0 {
		name, rest, _ := bytes.Cut(text, []byte(" "))
		if !isDotNetTypeName(name) {
			return false
		}
		text = rest
	}
	return true
}

// isDotNetTypeName reports whether s is a .NET type's full name in the
// System or Microsoft namespaces, as Object.ToString gives it:
// System.Collections.Generic.List`1[System.String], System.Object[].
func isDotNetTypeName(s []byte) bool {
	if !bytes.HasPrefix(s, []byte("System.")) && !bytes.HasPrefix(s, []byte("Microsoft.")) {
		return false
	}
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == '`', c == '[', c == ']', c == ',', c == '+':
		default:
			return false
		}
	}
	return true
}

// fail records the first problem of the unit.
func (d *decoder) fail(format string, args ...any) {
	if d.errMsg == "" {
		d.errMsg = fmt.Sprintf(format, args...)
		d.errCol = d.col
	}
}

// ---- value conversion, lenient about the types the exports use ----

// value returns v's type and, for a string, its text. The decoder's cell
// value stands for the CSV cell being decoded, a string: CSV cells reach
// the handlers without going through fastjson, which would escape them
// only for them to be unescaped again.
func (d *decoder) value(v *fastjson.Value) (fastjson.Type, []byte) {
	if v == d.cellV {
		return fastjson.TypeString, d.cell
	}
	t := v.Type()
	if t == fastjson.TypeString {
		b, _ := v.StringBytes()
		return t, b
	}
	return t, nil
}

// text returns the value as text: strings unescaped, numbers and literals
// as written; ok is false for null.
func (d *decoder) text(v *fastjson.Value) ([]byte, bool) {
	switch t, b := d.value(v); t {
	case fastjson.TypeString:
		return b, true
	case fastjson.TypeNull:
		return nil, false
	}
	d.num = v.MarshalTo(d.num[:0])
	return d.num, true
}

func (d *decoder) intOf(name string, v *fastjson.Value) (int64, bool) {
	switch t, b := d.value(v); t {
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
	switch t, b := d.value(v); t {
	case fastjson.TypeNull:
		return 0, false
	case fastjson.TypeNumber:
		if f, err := v.Float64(); err == nil {
			return f, true
		}
	case fastjson.TypeString:
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
	switch t, _ := d.value(v); t {
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

// str returns a string value (numbers and literals as written) that does
// not alias the parser's memory. A value equal to the last one of the
// same slot is shared.
func (d *decoder) str(v *fastjson.Value, s slot) string {
	b, ok := d.text(v)
	if !ok {
		return ""
	}
	return d.keep(b, s)
}

// keep returns b as a string, shared with the slot's last value when
// equal, else copied.
func (d *decoder) keep(b []byte, s slot) string {
	if len(b) == 0 {
		return ""
	}
	if last := d.last[s]; last == string(b) {
		return last
	}
	v := d.strs.Copy(b)
	d.last[s] = v
	return v
}

// maxNesting bounds JSON held in strings inside JSON held in strings.
const maxNesting = 4

// unwrap returns v, or, when v is a string holding JSON (Log Analytics'
// dynamic columns, stringified properties), the value it holds, parsed
// with the parser for the current nesting depth; then nested is true and
// the caller must call d.unnest when done with the value. ok is false for
// null, for an empty string and after a parse error (which is recorded).
func (d *decoder) unwrap(name string, v *fastjson.Value) (_ *fastjson.Value, nested, ok bool) {
	t, b := d.value(v)
	switch t {
	case fastjson.TypeNull:
		return nil, false, false
	case fastjson.TypeString:
	default:
		return v, false, true
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, false, false
	}
	if b[0] != '{' && b[0] != '[' && psTruncated(b) {
		d.truncated(name)
		return nil, false, false
	}
	if d.depth >= maxNesting {
		d.fail("%s: JSON nested in strings too deeply", name)
		return nil, false, false
	}
	for len(d.nested) <= d.depth {
		d.nested = append(d.nested, new(fastjson.Parser))
	}
	pv, err := d.nested[d.depth].ParseBytes(b)
	if err != nil {
		d.fail("%s: invalid JSON: %v", name, err)
		return nil, false, false
	}
	d.depth++
	return pv, true, true
}

func (d *decoder) unnest(nested bool) {
	if nested {
		d.depth--
	}
}

// list returns the string elements of an array value. A string holding a
// JSON array is parsed; any other string is a one-element list.
func (d *decoder) list(name string, v *fastjson.Value) []string {
	if t, b := d.value(v); t == fastjson.TypeString {
		if b = bytes.TrimSpace(b); len(b) > 0 && b[0] != '[' {
			if psTruncated(b) {
				d.truncated(name)
				return nil
			}
			e := d.strs.Copy(b)
			if bytes.IndexByte(b, ' ') >= 0 {
				d.spaced = append(d.spaced, spacedList{d.fieldPath(name), e})
			}
			return []string{e}
		}
	}
	var out []string
	d.array(name, v, func(e *fastjson.Value) {
		if b, ok := d.text(e); ok && len(b) > 0 {
			out = append(out, d.strs.Copy(b))
		}
	})
	return out
}

// fields decodes an object value with a table: each key's handler gets
// its value; keys the table does not know are skipped.
func (d *decoder) fields(name string, v *fastjson.Value, t *keyTable) {
	v, nested, ok := d.unwrap(name, v)
	if !ok {
		return
	}
	defer d.unnest(nested)
	o, err := v.Object()
	if err != nil {
		d.fail("%s: not an object", name)
		return
	}
	d.path = append(d.path, name)
	defer func() { d.path = d.path[:len(d.path)-1] }()
	c := &d.keys[t.id]
	i := 0
	o.Visit(func(k []byte, v *fastjson.Value) {
		var h handler
		if i < len(c.keys) && c.keys[i] == string(k) {
			h = c.hs[i]
		} else {
			var kb [64]byte
			h = t.m[lower(kb[:0], k)]
			// NB: optional keys shift positions, so some keys miss;
			// the arena keeps their copies without an allocation each.
			if ks := d.strs.Copy(k); i < len(c.keys) {
				c.keys[i], c.hs[i] = ks, h
			} else {
				c.keys, c.hs = append(c.keys, ks), append(c.hs, h)
			}
		}
		i++
		if h != nil {
			h(d, unsafeString(k), v)
		}
	})
}

// array calls fn for every element of an array value.
func (d *decoder) array(name string, v *fastjson.Value, fn func(v *fastjson.Value)) {
	v, nested, ok := d.unwrap(name, v)
	if !ok {
		return
	}
	defer d.unnest(nested)
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
// dotted); other text is kept as given. which tells the two IP keys of a
// record apart, for the cache of the last address seen.
func (d *decoder) ip(v *fastjson.Value, which int) string {
	b, ok := d.text(v)
	if !ok {
		return ""
	}
	b = bytes.TrimSpace(b)
	last := &d.lastIP[which]
	if len(b) == 0 || last.raw == string(b) {
		if len(b) == 0 {
			return ""
		}
		return last.ip
	}
	last.raw = d.strs.Copy(b)
	last.ip = last.raw
	if a, err := netip.ParseAddr(last.raw); err == nil {
		var buf [64]byte
		if c := a.Unmap().AppendTo(buf[:0]); string(c) != last.raw {
			last.ip = d.strs.Copy(c)
		}
	}
	return last.ip
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

// finish classifies the unit and resolves the envelope into the record.
func (d *decoder) finish() (outcome, string) {
	d.dropSpaced()
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
	r.LogTenant = cmp.Or(e.aadTenant, e.tenant, e.pathTenant)
	if r.Tenant == "" {
		r.Tenant = r.LogTenant
	}
	r.IsInteractive = e.interactive
	if len(r.RiskEvents) == 0 {
		r.RiskEvents = e.legacyRisk
	}
	if r.MSIType == "" {
		r.MSIType = e.msiAlt
	}
	normalizeEnums(r)
	if r.Type == signin.TypeADFS {
		noSuchUser(r, e)
	}
	r.Identity = identity(r, e.identity)
	return outOK, ""
}

// zeroGUID stands for no user in AD FS sign-ins.
const zeroGUID = "00000000-0000-0000-0000-000000000000"

// noSuchUser reads the AD FS sign-in of a user that does not exist:
// Connect Health gives its user, user name and user id as the zero GUID,
// and what was typed as its sign-in identifier. The user is what was
// typed, as Entra ID's own sign-ins give it, so that attempts on names
// that do not exist are told apart (a password spray tries many); the
// zero GUIDs are left out as the placeholders they are.
func noSuchUser(r *signin.Record, e *envelope) {
	if r.User == zeroGUID {
		r.User = e.signInName
	}
	if r.UserName == zeroGUID {
		r.UserName = ""
	}
	if r.UserID == zeroGUID {
		r.UserID = ""
	}
	if e.identity == zeroGUID {
		e.identity = ""
	}
}

// finishCanonical checks a record read in the canonical form, which is
// complete as it is.
func (d *decoder) finishCanonical() (outcome, string) {
	switch {
	case d.errMsg != "":
		return outMalformed, d.errMsg
	case d.rec.Time.IsZero():
		return outMalformed, "no sign-in time"
	}
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
// display name, the envelope's identity or the user id) — interactive,
// non-interactive and AD FS sign-ins; the service principal or managed
// identity name otherwise (else the envelope's identity, the app, the
// service principal id or the app id).
func identity(r *signin.Record, envIdentity string) string {
	var order [5]string
	if r.Type == signin.TypeInteractive || r.Type == signin.TypeNonInteractive || r.Type == signin.TypeADFS {
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

// enumFields are the catalog's enumerated fields that records hold as
// text (every one but type and status), with their values.
var enumFields = func() []enumField {
	var out []enumField
	for _, f := range signin.Fields() {
		if ref := signin.Ref[string](f); ref != nil && f.Values != nil {
			out = append(out, enumField{f.Values, ref})
		}
	}
	return out
}()

type enumField struct {
	values []string
	ref    func(*signin.Record) *string
}

// normalizeEnums gives enumerated fields their catalog spelling, so that
// "Member", "Not Applied", "OAuth2" and "Single-factor authentication"
// become member, notApplied, oAuth2 and singleFactorAuthentication.
// Values the catalog does not list are kept as written.
func normalizeEnums(r *signin.Record) {
	for _, e := range enumFields {
		normalizeEnum(e.values, e.ref(r))
	}
}

func normalizeEnum(values []string, s *string) {
	if *s == "" {
		return
	}
	for _, v := range values {
		if v == *s {
			return
		}
	}
	for _, v := range values {
		if enumEqual(v, *s) {
			*s = v
			return
		}
	}
}

// enumEqual compares two spellings of an enumerated value, ignoring ASCII
// case, spaces, hyphens and underscores.
func enumEqual(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && isEnumSpace(a[i]) {
			i++
		}
		for j < len(b) && isEnumSpace(b[j]) {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if lowerASCII(a[i]) != lowerASCII(b[j]) {
			return false
		}
		i++
		j++
	}
}

func isEnumSpace(c byte) bool { return c == ' ' || c == '-' || c == '_' }

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// quoteTrunc quotes b for a message, cut to a readable length.
func quoteTrunc(b []byte) string {
	const max = 60
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "…"
	}
	return strconv.Quote(string(b))
}
