package signin

// Place returns where the sign-in came from as one value, the field
// place: its country, state and city joined by slashes, each as the
// record holds it ("US/Washington/Redmond"), an unknown part left empty
// ("US//" when only the country is known, "US/Washington/"), and "" when
// none of the three is known, so that a sign-in without a location has
// no place. Microsoft Sentinel's sign-in rules count and compare places
// built the same way from LocationDetails' three properties: one value,
// so that same-named cities of two countries or states are two places,
// and a place known only by its country is one.
//
// A place is for counting, grouping and comparing, not for reading back:
// a part holding a slash ("Frankfurt/Main") is kept as it is, so that the
// three parts cannot always be told from the text; read country, state
// and city for them.
//
// The record does not hold its place: the catalog's field reads it
// through this method, so that it always agrees with Country, State and
// City however the record was made (read from any format, given as a
// typed record to the store, rebuilt from the store), and no reader or
// writer derives it. The store computes it once per sign-in, when it
// writes the sign-in's columns (docs/fields.md, "Place").
func (r *Record) Place() string {
	if r.Country == "" && r.State == "" && r.City == "" {
		return ""
	}
	return r.Country + "/" + r.State + "/" + r.City
}

// placeDerivation makes the field place: Place, and for a batch of
// records a string per distinct place.
var placeDerivation = &derivation{one: (*Record).Place, many: places}

// places sets dst[i] to the place of recs[i], dst being as long as recs;
// records of one location share their place's string.
func places(dst []string, recs []*Record) {
	made := map[[3]string]string{}
	for i, r := range recs {
		k := [3]string{r.Country, r.State, r.City}
		p, ok := made[k]
		if !ok {
			p = r.Place()
			made[k] = p
		}
		dst[i] = p
	}
}
