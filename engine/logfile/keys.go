package logfile

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/valyala/fastjson"
)

// handler decodes the value of one key (or CSV column) into the record.
// name is the key as the source spells it, for messages. Handlers that
// want an object or a list also accept a string holding one, as Log
// Analytics writes its dynamic columns.
type handler func(d *decoder, name string, v *fastjson.Value)

// keyTable maps the lower-cased keys of one kind of object to handlers.
// Tables are made at init and never change.
type keyTable struct {
	id int // index of the decoder's key cache for this table
	m  map[string]handler
}

var numTables int

func newTable(m map[string]handler) *keyTable {
	t := &keyTable{id: numTables, m: m}
	numTables++
	return t
}

// A slot is a decoder's memory of the last value a string field took.
// Logs repeat values from one record to the next (the same app, browser,
// country), so a value equal to the last is shared rather than copied.
type slot int

var numSlots int

func newSlot() slot {
	numSlots++
	return slot(numSlots - 1)
}

// The two IP keys of a record, for decoder.ip.
const (
	ipAddress = iota // properties.ipAddress
	ipCaller         // callerIpAddress
)

// strField decodes a string-valued key into the record field get returns.
func strField(get func(r *signin.Record) *string) handler {
	s := newSlot()
	return func(d *decoder, _ string, v *fastjson.Value) { *get(d.rec) = d.str(v, s) }
}

func intField(get func(r *signin.Record) *int64) handler {
	return func(d *decoder, name string, v *fastjson.Value) {
		if n, ok := d.intOf(name, v); ok {
			*get(d.rec) = n
		}
	}
}

func boolField(get func(r *signin.Record) *signin.Bool) handler {
	return func(d *decoder, name string, v *fastjson.Value) { *get(d.rec) = d.boolOf(name, v) }
}

func floatField(get func(r *signin.Record) *float64) handler {
	return func(d *decoder, name string, v *fastjson.Value) {
		if f, ok := d.floatOf(name, v); ok {
			*get(d.rec) = f
		}
	}
}

func listField(get func(r *signin.Record) *[]string) handler {
	return func(d *decoder, name string, v *fastjson.Value) { *get(d.rec) = d.list(name, v) }
}

// objectField decodes an object value with a table.
func objectField(t *keyTable) handler {
	return func(d *decoder, name string, v *fastjson.Value) { d.fields(name, v, t) }
}

// envField decodes a string into a field of the envelope.
func envField(get func(e *envelope) *string) handler {
	s := newSlot()
	return func(d *decoder, _ string, v *fastjson.Value) { *get(&d.env) = d.str(v, s) }
}

// fieldHandlers decode the catalog's fields from their keys
// (signin.Field.Keys), each as its kind says: one handler a field, which
// every format shares (and with it the field's slot). Times have none:
// which time a record has is decided in finish, from the envelope. Nor
// have type and status, which are enumerations read from text.
var fieldHandlers = func() map[*signin.Field]handler {
	m := map[*signin.Field]handler{}
	for _, f := range signin.Fields() {
		var h handler
		switch f.Kind {
		case signin.KindString:
			if ref := signin.Ref[string](f); ref != nil {
				h = strField(ref)
			}
		case signin.KindInt:
			h = intField(signin.Ref[int64](f))
		case signin.KindFloat:
			h = floatField(signin.Ref[float64](f))
		case signin.KindBool:
			h = boolField(signin.Ref[signin.Bool](f))
		case signin.KindList:
			h = listField(signin.Ref[[]string](f))
		}
		if h != nil {
			m[f] = h
		}
	}
	return m
}()

// catalogKeys completes m, the handlers of the object at path in a Graph
// sign-in (its keys lower-cased and joined by dots; "" for the sign-in
// itself), from the catalog: for every field whose Graph key is in that
// object and whose key m does not have, the field's handler
// (fieldHandlers); for a key in an object within it, an objectField of a
// table made the same way. The handlers m has take precedence: they are
// those of fields read specially (times, the IP address, lists gathered
// from several keys) and of the keys that are not fields. Diagnostic
// settings' properties and Log Analytics' columns are Graph's sign-in,
// so the one table serves the three formats.
func catalogKeys(path string, m map[string]handler) map[string]handler {
	if m == nil {
		m = map[string]handler{}
	}
	prefix := ""
	if path != "" {
		prefix = path + "."
	}
	for _, f := range signin.Fields() {
		key := strings.ToLower(f.Keys[signin.FormatGraph])
		rest, in := strings.CutPrefix(key, prefix)
		if key == "" || !in {
			continue
		}
		name, _, nested := strings.Cut(rest, ".")
		if _, ok := m[name]; ok {
			continue
		}
		if nested {
			m[name] = objectField(newTable(catalogKeys(prefix+name, nil)))
		} else if h := fieldHandlers[f]; h != nil {
			m[name] = h
		}
	}
	return m
}

var (
	slotCountry      = newSlot()
	slotAuth         = newSlot()
	slotPolicy       = newSlot()
	slotPolicyResult = newSlot()
	slotStepResult   = newSlot()
	slotNetwork      = newSlot()
	slotPathTenant   = newSlot()
	slotPortal       = [3]slot{newSlot(), newSlot(), newSlot()}
	hCreated         = handler(func(d *decoder, name string, v *fastjson.Value) { d.env.created = d.timeOf(name, v) })
	hIP              = handler(func(d *decoder, _ string, v *fastjson.Value) { d.rec.IP = d.ip(v, ipAddress) })
	hAuthMethods     = handler(func(d *decoder, name string, v *fastjson.Value) {
		for _, m := range d.list(name, v) {
			d.addAuthMethod(m)
		}
	})
)

// locationTable decodes a signInLocation object (city, state,
// countryOrRegion, geoCoordinates), as Graph and Log Analytics name it.
var locationTable = newTable(catalogKeys("location", nil))

// hLocation decodes a location: an object, or (the diagnostic envelope's
// and Log Analytics' Location) a country code.
var hLocation = handler(func(d *decoder, name string, v *fastjson.Value) {
	if t, b := d.value(v); t == fastjson.TypeString {
		if len(b) > 0 && b[0] != '{' && !psTruncated(b) {
			d.env.country = d.str(v, slotCountry)
			return
		}
	}
	d.fields(name, v, locationTable)
})

// policyTable decodes one appliedConditionalAccessPolicy.
var policyTable = newTable(map[string]handler{
	"displayname": func(d *decoder, _ string, v *fastjson.Value) { d.policy = d.str(v, slotPolicy) },
	"result":      func(d *decoder, _ string, v *fastjson.Value) { d.policyResult = d.str(v, slotPolicyResult) },
})

// hPolicies decodes appliedConditionalAccessPolicies: each policy's name
// goes into the lists its result says (policy: success or failure;
// policyFailed; policyReportOnly), and its name and result into
// policyResult. The lists are interned (see intern); a record that
// repeats the key adds to them.
var hPolicies = handler(func(d *decoder, name string, v *fastjson.Value) {
	r, s := d.rec, &d.scratch
	applied := append(s.applied[:0], r.Policies...)
	failed := append(s.failed[:0], r.PoliciesFailed...)
	reportOnly := append(s.reportOnly[:0], r.PoliciesReportOnly...)
	names, results := s.names[:0], s.results[:0]
	d.array(name, v, func(e *fastjson.Value) {
		d.policy, d.policyResult = "", ""
		d.fields(name, e, policyTable)
		if d.policy == "" {
			return
		}
		res := d.policyResult
		isFailure := strings.EqualFold(res, "failure")
		if isFailure || strings.EqualFold(res, "success") {
			applied = append(applied, d.policy)
		}
		if isFailure {
			failed = append(failed, d.policy)
		}
		if len(res) >= len("reportOnly") && strings.EqualFold(res[:len("reportOnly")], "reportOnly") {
			reportOnly = append(reportOnly, d.policy)
		}
		if res != "" {
			names, results = append(names, d.policy), append(results, res)
		}
	})
	r.Policies, r.PoliciesFailed, r.PoliciesReportOnly = d.intern(applied), d.intern(failed), d.intern(reportOnly)
	if len(names) > 0 {
		// The key of the pairs, as intern makes it of their texts, made
		// without making the texts unless the list is new.
		prev := r.PolicyResults
		k := listKey(append(d.listKey[:0], 'l'), prev)
		for i := range names {
			k = binary.AppendUvarint(k, uint64(len(names[i])+len(": ")+len(results[i])))
			k = append(append(append(k, names[i]...), ": "...), results[i]...)
		}
		d.listKey = k
		r.PolicyResults = d.internKey(func() []string {
			out := make([]string, 0, len(prev)+len(names))
			out = append(out, prev...)
			for i := range names {
				d.pair = append(append(append(d.pair[:0], names[i]...), ": "...), results[i]...)
				out = append(out, d.strs.Copy(d.pair))
			}
			return out
		})
	}
	s.applied, s.failed, s.reportOnly, s.names, s.results = applied[:0], failed[:0], reportOnly[:0], names[:0], results[:0]
})

// authStepTable decodes one authenticationDetail (d.step is its
// position); mfaTable a mfaDetail.
var (
	authStepTable = newTable(map[string]handler{
		"authenticationmethod": func(d *decoder, _ string, v *fastjson.Value) {
			m := d.str(v, slotAuth)
			d.addAuthMethod(m)
			if d.step == 0 {
				d.rec.FirstAuthMethod = m
			}
		},
		"authenticationstepresultdetail": func(d *decoder, _ string, v *fastjson.Value) {
			res := d.str(v, slotStepResult)
			d.scratch.steps = addNew(d.scratch.steps, res)
			if d.step == 0 {
				d.rec.FirstStepResult = res
			}
		},
		"succeeded": func(d *decoder, name string, v *fastjson.Value) {
			if d.step == 0 {
				d.rec.FirstStepSucceeded = d.boolOf(name, v)
			}
		},
	})
	mfaTable = newTable(map[string]handler{
		"authmethod": func(d *decoder, _ string, v *fastjson.Value) { d.addAuthMethod(d.str(v, slotAuth)) },
	})
	// hAuthSteps decodes authenticationDetails; stepResult is
	// interned (see intern).
	hAuthSteps = handler(func(d *decoder, name string, v *fastjson.Value) {
		d.step = 0
		d.scratch.steps = append(d.scratch.steps[:0], d.rec.StepResults...)
		d.array(name, v, func(e *fastjson.Value) {
			d.fields(name, e, authStepTable)
			d.step++
		})
		d.rec.StepResults = d.intern(d.scratch.steps)
	})
)

// networkTable decodes one networkLocationDetail.
var networkTable = newTable(map[string]handler{
	"networktype": func(d *decoder, _ string, v *fastjson.Value) {
		d.scratch.netTypes = addNew(d.scratch.netTypes, d.str(v, slotNetwork))
	},
	"networknames": func(d *decoder, name string, v *fastjson.Value) {
		for _, n := range d.list(name, v) {
			d.scratch.netNames = addNew(d.scratch.netNames, n)
		}
	},
})

// hNetworks decodes networkLocationDetails; its lists are interned (see
// intern).
var hNetworks = handler(func(d *decoder, name string, v *fastjson.Value) {
	r, s := d.rec, &d.scratch
	s.netTypes = append(s.netTypes[:0], r.NetworkTypes...)
	s.netNames = append(s.netNames[:0], r.NetworkNames...)
	d.array(name, v, func(e *fastjson.Value) { d.fields(name, e, networkTable) })
	r.NetworkTypes, r.NetworkNames = d.intern(s.netTypes), d.intern(s.netNames)
})

// addNew appends s to list unless it is "" or already there.
func addNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// signInKeys decode a Graph signIn or summarizedSignIn object, which is
// also the diagnostic-settings record's properties: the keys read
// specially, written here, and every other catalog field's key, from the
// catalog (catalogKeys).
var signInKeys = catalogKeys("", map[string]handler{
	"createddatetime":                  hCreated,
	"ipaddress":                        hIP,
	"processingtimeinms":               fieldHandlers[signin.Lookup("latency")],    // Log Analytics' older name of processingTimeInMilliseconds
	"riskeventtypesv2":                 fieldHandlers[signin.Lookup("riskEvents")], // the Graph PowerShell SDK's RiskEventTypesV2
	"riskeventtypes":                   func(d *decoder, name string, v *fastjson.Value) { d.env.legacyRisk = d.list(name, v) },
	"managedidentitytype":              envField(func(e *envelope) *string { return &e.msiAlt }),
	"location":                         hLocation,
	"appliedconditionalaccesspolicies": hPolicies,
	"authenticationdetails":            hAuthSteps,
	"networklocationdetails":           hNetworks,
	"authenticationmethodsused":        hAuthMethods,
	"mfadetail":                        objectField(mfaTable),
	"isinteractive":                    func(d *decoder, name string, v *fastjson.Value) { d.env.interactive = d.boolOf(name, v) },
	"signineventtypes": func(d *decoder, name string, v *fastjson.Value) {
		for _, s := range d.list(name, v) {
			if t, ok := signin.ParseType(s); ok {
				d.env.eventType, d.env.hasEvent = t, true
				return
			}
		}
	},
	"signincount": func(d *decoder, name string, v *fastjson.Value) {
		d.env.summarized = true
		if n, ok := d.intOf(name, v); ok {
			d.rec.SignInCount = n
		}
	},
	"firstsignindatetime": func(d *decoder, name string, v *fastjson.Value) {
		d.env.summarized = true
		d.env.first = d.timeOf(name, v)
	},
	"aggregationdatetime": func(d *decoder, name string, v *fastjson.Value) {
		d.env.summarized = true
		d.env.agg = d.timeOf(name, v)
	},
	"tenantid": envField(func(e *envelope) *string { return &e.tenant }),
	// What the user typed to sign in: AD FS records carry it where the
	// user fields hold the zero GUID of a user that does not exist.
	"signinidentifier":    envField(func(e *envelope) *string { return &e.signInName }),
	"alternatesigninname": envField(func(e *envelope) *string { return &e.signInName }),
})

// envelopeKeys decode the keys a record has outside the sign-in proper:
// the diagnostic-settings envelope and the Log Analytics columns. At the
// top of a record they take precedence over signInKeys.
var envelopeKeys = map[string]handler{
	"time":          func(d *decoder, name string, v *fastjson.Value) { d.env.time = d.timeOf(name, v) },
	"timegenerated": func(d *decoder, name string, v *fastjson.Value) { d.env.time = d.timeOf(name, v) },
	"category": func(d *decoder, name string, v *fastjson.Value) {
		envCategory(d, name, v)
		d.env.hasCategory = true
	},
	"type":              envField(func(e *envelope) *string { return &e.table }),
	"resulttype":        envField(func(e *envelope) *string { return &e.resultType }),
	"resultdescription": envField(func(e *envelope) *string { return &e.resultDesc }),
	"calleripaddress":   func(d *decoder, _ string, v *fastjson.Value) { d.env.callerIP = d.ip(v, ipCaller) },
	"identity":          envField(func(e *envelope) *string { return &e.identity }),
	"tenantid":          envField(func(e *envelope) *string { return &e.tenant }),
	"aadtenantid":       envField(func(e *envelope) *string { return &e.aadTenant }),
	"correlationid":     envField(func(e *envelope) *string { return &e.correlation }),
	// The envelope's resourceId is the log's Azure resource path
	// (/tenants/…/providers/Microsoft.aadiam), not the sign-in's resource;
	// a Graph object's resourceId is an application id.
	// The path names the log's tenant: /tenants/<id>/providers/….
	"resourceid": func(d *decoder, name string, v *fastjson.Value) {
		b, _ := d.text(v)
		switch {
		case len(b) > 0 && b[0] != '/':
			signInKeys["resourceid"](d, name, v)
		case len(b) > len("/tenants/") && strings.EqualFold(string(b[:len("/tenants/")]), "/tenants/"):
			id, _, _ := bytes.Cut(b[len("/tenants/"):], []byte("/"))
			d.env.pathTenant = d.keep(id, slotPathTenant)
		}
	},
	"properties": func(d *decoder, name string, v *fastjson.Value) {
		d.env.properties = true
		d.fields(name, v, propertiesTable)
	},
	// Log Analytics column names that differ from Graph's; those of the
	// catalog's fields read plainly come from the catalog (see topTable).
	"locationdetails":           hLocation,
	"conditionalaccesspolicies": hPolicies,
}

var envCategory = envField(func(e *envelope) *string { return &e.category })

var (
	// propertiesTable decodes a diagnostic record's properties.
	propertiesTable = newTable(signInKeys)
	// topTable decodes the top of a JSON record and a Log Analytics row:
	// the envelope's keys, then the sign-in's (a Graph object is all
	// sign-in), then the Log Analytics columns of the catalog's fields
	// that Graph names otherwise (ResourceIdentity).
	topTable = newTable(func() map[string]handler {
		m := make(map[string]handler, len(signInKeys)+len(envelopeKeys))
		for k, h := range signInKeys {
			m[k] = h
		}
		for k, h := range envelopeKeys {
			m[k] = h
		}
		for _, f := range signin.Fields() {
			k := strings.ToLower(f.Keys[signin.FormatLogAnalyticsCSV])
			if _, ok := m[k]; k == "" || ok || strings.Contains(k, ".") || fieldHandlers[f] == nil {
				continue
			}
			m[k] = fieldHandlers[f]
		}
		return m
	}())
)

// canonicalTable decodes signinq's canonical form: each key is a catalog
// field, set as its kind says (a derived one is made, not read), and
// "raw" is the original record.
var canonicalTable = newTable(func() map[string]handler {
	m := map[string]handler{
		"raw": func(d *decoder, _ string, v *fastjson.Value) {
			if t, b := d.value(v); t == fastjson.TypeString {
				d.rec.Raw = bytes.Clone(b)
			} else {
				d.rec.Raw = v.MarshalTo(nil)
			}
		},
	}
	for _, f := range signin.Fields() {
		m[strings.ToLower(f.Name)] = canonicalField(f)
	}
	return m
}())

// skipDerived is the canonical form's handler of a derived field
// (signin.Field.Derived, place): the record makes it from its sources, so
// the value written is not read.
var skipDerived = handler(func(*decoder, string, *fastjson.Value) {})

func canonicalField(f *signin.Field) handler {
	if f.Derived() {
		return skipDerived
	}
	set := func(d *decoder, err error) {
		if err != nil {
			d.fail("%v", err)
		}
	}
	switch f.Kind {
	case signin.KindInt:
		return func(d *decoder, name string, v *fastjson.Value) {
			if n, ok := d.intOf(name, v); ok {
				set(d, f.SetInt(d.rec, n))
			}
		}
	case signin.KindFloat:
		return func(d *decoder, name string, v *fastjson.Value) {
			if x, ok := d.floatOf(name, v); ok {
				set(d, f.SetFloat(d.rec, x))
			}
		}
	case signin.KindTime:
		return func(d *decoder, name string, v *fastjson.Value) { set(d, f.SetTime(d.rec, d.timeOf(name, v))) }
	case signin.KindBool:
		return func(d *decoder, name string, v *fastjson.Value) { set(d, f.SetBool(d.rec, d.boolOf(name, v))) }
	case signin.KindList:
		return func(d *decoder, name string, v *fastjson.Value) { set(d, f.SetList(d.rec, d.list(name, v))) }
	}
	s := newSlot()
	return func(d *decoder, _ string, v *fastjson.Value) { set(d, f.SetString(d.rec, d.str(v, s))) }
}

// isCanonical reports whether a JSON line is in signinq's canonical form:
// an object whose "type" is a catalog type name, spelled as the catalog
// spells it. No export format has such a key.
func isCanonical(p *fastjson.Parser, line []byte) bool {
	v, err := p.ParseBytes(line)
	if err != nil {
		return false
	}
	for _, t := range signin.Types {
		if string(v.GetStringBytes("type")) == t.String() {
			return v.Exists("time")
		}
	}
	return false
}
