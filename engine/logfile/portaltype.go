package logfile

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/signinq/signinq/engine/signin"
)

// The portal's CSV downloads do not record the sign-ins' type; the
// admin center names each type's file after it and gives each its own
// columns, except that interactive and non-interactive sign-ins share
// theirs. This file tells a download's type from its columns where they
// differ, and from its file name or Options.Type where they do not.

// ErrTypeUnknown is what an input refused because its sign-ins' type
// cannot be told wraps: a portal CSV download of user sign-ins whose file
// name does not say whether they are interactive or non-interactive,
// read without Options.Type. errors.Is(reject, ErrTypeUnknown) tells
// such refusals apart.
var ErrTypeUnknown = errors.New("sign-in type unknown")

// portalColumns is what a portal CSV's columns say of its sign-ins' type.
type portalColumns uint8

const (
	// portalAnyType: columns that are not those of one download (a
	// hand-made subset, or both user and service principal columns).
	portalAnyType portalColumns = iota
	// portalUsers: the interactive and non-interactive downloads, whose
	// columns are the same (User ID, Username, User agent, …).
	portalUsers
	// portalServicePrincipals: ApplicationSignIns (Service principal ID,
	// Credential key ID, …, and no user columns).
	portalServicePrincipals
	// portalManagedIdentities: MSISignIns (the service principal
	// columns and Managed Identity type, without user columns).
	portalManagedIdentities
)

// portalColumnsOf tells the download from its columns, normalized (see
// normalizeColumn). The user downloads have a "Managed Identity type"
// column too, so it says managed identity only without user columns.
func portalColumnsOf(has map[string]bool) portalColumns {
	users := has["username"] || has["user id"] || has["user agent"] || has["user"]
	sp := has["service principal id"] || has["service principal name"] || has["credential key id"] || has["credential thumbprint"]
	mi := has["managed identity type"]
	switch {
	case users && !sp:
		return portalUsers
	case !users && mi:
		return portalManagedIdentities
	case !users && sp:
		return portalServicePrincipals
	}
	return portalAnyType
}

// allows reports whether a download with these columns can hold sign-ins
// of type t.
func (c portalColumns) allows(t signin.Type) bool {
	switch c {
	case portalUsers: // AD FS sign-ins are users' too
		return t == signin.TypeInteractive || t == signin.TypeNonInteractive || t == signin.TypeADFS
	case portalServicePrincipals:
		return t == signin.TypeServicePrincipal
	case portalManagedIdentities:
		return t == signin.TypeManagedIdentity
	}
	return true
}

// portalDownloads describes each download for messages: its type and the
// name the portal gives its file.
var portalDownloads = []struct {
	typ    signin.Type
	prefix string
}{
	{signin.TypeInteractive, "InteractiveSignIns"},
	{signin.TypeNonInteractive, "NonInteractiveSignIns"},
	{signin.TypeServicePrincipal, "ApplicationSignIns"},
	{signin.TypeManagedIdentity, "MSISignIns"},
}

// typeFromName returns the type a portal download's file name implies:
// the prefixes the admin center names them with.
func typeFromName(name string) (signin.Type, bool) {
	base := strings.ToLower(filepath.Base(name))
	switch {
	case strings.HasPrefix(base, "noninteractivesignins"):
		return signin.TypeNonInteractive, true
	case strings.HasPrefix(base, "interactivesignins"):
		return signin.TypeInteractive, true
	case strings.HasPrefix(base, "applicationsignins"), strings.HasPrefix(base, "serviceprincipalsignins"):
		return signin.TypeServicePrincipal, true
	case strings.HasPrefix(base, "msisignins"), strings.HasPrefix(base, "managedidentitysignins"):
		return signin.TypeManagedIdentity, true
	}
	return 0, false
}

// portalType is the type of a portal download's sign-ins, or why it
// cannot be told.
type portalType struct {
	typ signin.Type
	// warn, when set, is read past: the type was taken from the columns
	// over the name or Options.Type, or assumed interactive.
	warn string
	// refuse, when set, refuses the input (with ErrTypeUnknown).
	refuse string
}

// resolvePortalType decides the type of a portal download named name with
// columns cols. The columns decide where they tell the type (the service
// principal and managed identity downloads); otherwise Options.Type, else
// the file name, says it. When nothing says whether user sign-ins are
// interactive or not, the download is refused, or read as interactive
// with a warning when assumeInteractive is set.
func resolvePortalType(name string, cols portalColumns, opt *signin.Type, assumeInteractive bool) portalType {
	hint, hasHint := typeFromName(name)
	says := fmt.Sprintf("its file name (%s)", filepath.Base(name))
	if opt != nil {
		hint, hasHint, says = *opt, true, "--type"
	}
	if hasHint && cols.allows(hint) {
		return portalType{typ: hint}
	}
	var contradicted string
	if hasHint {
		contradicted = fmt.Sprintf("%s says %s, but ", says, hint)
	}
	switch cols {
	case portalServicePrincipals, portalManagedIdentities:
		t := signin.TypeServicePrincipal
		if cols == portalManagedIdentities {
			t = signin.TypeManagedIdentity
		}
		if !hasHint {
			return portalType{typ: t}
		}
		return portalType{typ: t, warn: fmt.Sprintf("%sits columns are those of the portal's %s download (%s_….csv): its sign-ins are read as %s",
			contradicted, t, downloadPrefix(t), t)}
	}
	var why, how string
	if cols == portalUsers {
		why = "its columns are those of the portal's user sign-in downloads, the same for interactive and non-interactive sign-ins"
		how = "name it as the portal does (InteractiveSignIns_….csv or NonInteractiveSignIns_….csv) or give --type interactive or --type nonInteractive"
	} else {
		why = "its columns are not those of one of the portal's downloads"
		how = "name it as the portal does (InteractiveSignIns_…, NonInteractiveSignIns_…, ApplicationSignIns_… or MSISignIns_….csv) or give --type"
	}
	if !hasHint {
		why += ", and neither its file name nor --type says which"
	}
	if assumeInteractive {
		return portalType{typ: signin.TypeInteractive, warn: fmt.Sprintf("read as interactive sign-ins, which they may not be: %s%s; %s", contradicted, why, how)}
	}
	return portalType{refuse: fmt.Sprintf("%v: %s%s: %s", ErrTypeUnknown, contradicted, why, how)}
}

func downloadPrefix(t signin.Type) string {
	for _, d := range portalDownloads {
		if d.typ == t {
			return d.prefix
		}
	}
	return ""
}
