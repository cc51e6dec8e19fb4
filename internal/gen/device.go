package gen

import (
	"math/rand/v2"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/jsonw"
)

// osFamily is a device platform.
type osFamily uint8

const (
	osWindows osFamily = iota
	osMac
	osIOS
	osAndroid
	osLinux
	numOS
)

// mobile reports whether the platform is a phone's.
func (f osFamily) mobile() bool { return f == osIOS || f == osAndroid }

// osShare is the platform mix of user devices.
var osShare = []weighted[osFamily]{{osWindows, 0.55}, {osIOS, 0.16}, {osAndroid, 0.13}, {osMac, 0.11}, {osLinux, 0.05}}

// osVariant is a platform at one version: what Entra ID calls it and the
// user agents its clients send, by application kind.
type osVariant struct {
	family         osFamily
	version        string // 10.0.22631, 14.2, 17.2.1, 14
	model          string // Android device model
	webOS          string // operatingSystem for browser sign-ins
	nativeOS       string // operatingSystem for rich clients
	nativeBrowser  string // deviceDetail.browser for rich clients
	ua             [numKinds]string
	deviceNameBase string
}

var osVariants = func() []*osVariant {
	var vs []*osVariant
	for _, b := range []string{"19045", "22621", "22631"} {
		vs = append(vs, &osVariant{family: osWindows, version: "10.0." + b, webOS: "Windows 10", nativeOS: "Windows10"})
	}
	for _, v := range []string{"13.6", "14.2", "14.3"} {
		vs = append(vs, &osVariant{family: osMac, version: v, webOS: "MacOs", nativeOS: "MacOs"})
	}
	for _, v := range []string{"16.7.4", "17.1.2", "17.2.1", "17.3"} {
		vs = append(vs, &osVariant{family: osIOS, version: v, webOS: "Ios", nativeOS: "Ios", deviceNameBase: "iPhone"})
	}
	for _, v := range []string{"13", "14"} {
		for _, m := range []string{"SM-S918B", "SM-A546B", "Pixel 8", "Pixel 7a", "SM-G991B"} {
			vs = append(vs, &osVariant{family: osAndroid, version: v, model: m, webOS: "Android", nativeOS: "Android", deviceNameBase: m})
		}
	}
	vs = append(vs, &osVariant{family: osLinux, version: "6.5.0-14-generic", webOS: "Linux", nativeOS: "Linux"})
	for _, v := range vs {
		v.fillUA()
	}
	return vs
}()

var variantsByFamily = func() [numOS][]*osVariant {
	var m [numOS][]*osVariant
	for _, v := range osVariants {
		m[v.family] = append(m[v.family], v)
	}
	return m
}()

// appKind is how an application signs in, which decides its client
// type, its user agent and the platforms it runs on.
type appKind uint8

const (
	kindWeb           appKind = iota // a web application: Browser
	kindOffice                       // Microsoft 365 desktop apps
	kindTeams                        // Teams desktop and mobile
	kindOneDrive                     // OneDrive sync and mobile
	kindOutlookMobile                // Outlook for iOS and Android
	kindBroker                       // the authentication broker
	kindWinSignIn                    // Windows sign-in (primary refresh token)
	kindCLI                          // Azure CLI and other Python MSAL tools
	kindPowerShell                   // PowerShell modules
	kindVSCode                       // Visual Studio Code and Visual Studio
	kindEdge                         // Edge's own sign-in
	kindIOSMail                      // the iOS Mail app
	kindNative                       // any other rich client
	numKinds
)

// runsOn reports whether apps of kind k run on platform f.
func (k appKind) runsOn(f osFamily) bool {
	switch k {
	case kindOffice:
		return f == osWindows || f == osMac
	case kindCLI, kindPowerShell, kindVSCode:
		return !f.mobile()
	case kindOutlookMobile, kindBroker:
		return f.mobile() || (k == kindBroker && f == osWindows)
	case kindWinSignIn:
		return f == osWindows
	case kindIOSMail:
		return f == osIOS
	}
	return true
}

// browserClient reports whether sign-ins of kind k come from a browser.
func (k appKind) browserClient() bool { return k == kindWeb }

func (v *osVariant) fillUA() {
	iosU := strings.ReplaceAll(v.version, ".", "_")
	switch v.family {
	case osWindows:
		build := v.version[strings.LastIndexByte(v.version, '.')+1:]
		v.ua[kindOffice] = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)"
		v.ua[kindTeams] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0 Teams/24004.1309.2689.2246/49"
		v.ua[kindOneDrive] = "Microsoft SkyDriveSync 24.010.0114.0003 ship; Windows NT 10.0 (" + build + ")"
		v.ua[kindBroker] = "Windows-AzureAD-Authentication-Provider/1.0"
		v.ua[kindWinSignIn] = "Windows-AzureAD-Authentication-Provider/1.0"
		v.ua[kindCLI] = "python/3.11.5 (Windows-10-" + v.version + "-SP0) msal/1.24.1 azure-cli/2.56.0"
		v.ua[kindPowerShell] = "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows " + v.version + "; en-US) PowerShell/7.4.0"
		v.ua[kindVSCode] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.85.1 Chrome/114.0.5735.289 Electron/25.9.7 Safari/537.36"
		v.ua[kindEdge] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
	case osMac:
		v.ua[kindOffice] = "Microsoft Office/16.0 (Macintosh; Mac OS X " + v.version + "; Microsoft Outlook 16.80.1)"
		v.ua[kindTeams] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Teams/24004.1403.2634.2418/49"
		v.ua[kindOneDrive] = "Microsoft SkyDriveSync 24.010.0114.0003 ship; Mac OS X " + v.version
		v.ua[kindCLI] = "python/3.11.7 (macOS-" + v.version + "-arm64-arm-64bit) msal/1.26.0 azure-cli/2.56.0"
		v.ua[kindPowerShell] = "Mozilla/5.0 (Macintosh; Darwin 23.2.0 Darwin Kernel Version 23.2.0; en-US) PowerShell/7.4.0"
		v.ua[kindVSCode] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.85.1 Chrome/114.0.5735.289 Electron/25.9.7 Safari/537.36"
		v.ua[kindEdge] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
	case osIOS:
		v.ua[kindTeams] = "Teams/6.2.2 (iPhone; iOS " + v.version + "; Scale/3.00)"
		v.ua[kindOneDrive] = "OneDriveiOSApp/15.2.1 (iPhone; iOS " + v.version + "; Scale/3.00)"
		v.ua[kindOutlookMobile] = "Outlook-iOS/2.0"
		v.ua[kindBroker] = "Microsoft Authenticator/6.8.1 (iPhone; iOS " + v.version + "; Scale/3.00)"
		v.ua[kindIOSMail] = "iOS/" + v.version + " (21C66) accountsd/1.0"
		v.ua[kindEdge] = "Mozilla/5.0 (iPhone; CPU iPhone OS " + iosU + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/120.2210.150 Mobile/15E148 Safari/605.1.15"
	case osAndroid:
		v.ua[kindTeams] = "TeamsMobile-Android/1416/1.0.0.2024010401 (Linux; Android " + v.version + "; " + v.model + ")"
		v.ua[kindOneDrive] = "OneDrive-Android/7.3 (Linux; Android " + v.version + "; " + v.model + ")"
		v.ua[kindOutlookMobile] = "Outlook-Android/2.0"
		v.ua[kindBroker] = "Dalvik/2.1.0 (Linux; U; Android " + v.version + "; " + v.model + " Build/UP1A.231005.007)"
		v.ua[kindEdge] = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.2210.115"
	case osLinux:
		v.ua[kindCLI] = "python/3.10.12 (Linux-" + v.version + "-x86_64-with-glibc2.35) msal/1.24.0 azure-cli/2.55.0"
		v.ua[kindPowerShell] = "Mozilla/5.0 (X11; Linux " + v.version + " #14~22.04.1-Ubuntu; en-US) PowerShell/7.4.0"
		v.ua[kindVSCode] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.85.1 Chrome/114.0.5735.289 Electron/25.9.7 Safari/537.36"
		v.ua[kindEdge] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
	}
	switch v.family {
	case osIOS:
		v.nativeBrowser = "Rich Client 1.4.0"
	case osAndroid:
		v.nativeBrowser = "Rich Client 5.0.0"
	default:
		v.nativeBrowser = "Rich Client 4.58.1.0"
	}
}

// browserInfo is a browser at one version, as Entra ID names it, with the
// user agent it sends on a platform.
type browserInfo struct {
	name string // deviceDetail.browser
	ua   string
}

// newBrowser picks the browser of a device.
func newBrowser(r *rand.Rand, v *osVariant) browserInfo {
	i := r.IntN(5)
	chromeMajor := []string{"118", "119", "120", "121", "122"}[i]
	chrome := []string{"118.0.5993", "119.0.6045", "120.0.6099", "121.0.6167", "122.0.6261"}[i]
	edge := []string{"118.0.2088", "119.0.2151", "120.0.2210", "121.0.2277", "122.0.2365"}[i]
	firefox := []string{"119.0", "120.0", "121.0", "122.0", "122.0"}[i]
	safari := []string{"16.6", "17.1", "17.2", "17.2", "17.3"}[i]
	chromium := "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chromeMajor + ".0.0.0"
	switch v.family {
	case osWindows:
		const nt = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
		switch pickWeighted(r, []weighted[string]{{"edge", 0.6}, {"chrome", 0.35}, {"firefox", 0.05}}) {
		case "edge":
			return browserInfo{"Edge " + edge, nt + chromium + " Safari/537.36 Edg/" + edge + ".91"}
		case "chrome":
			return browserInfo{"Chrome " + chrome, nt + chromium + " Safari/537.36"}
		}
		return browserInfo{"Firefox " + firefox, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:" + firefox + ") Gecko/20100101 Firefox/" + firefox}
	case osMac:
		const mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
		switch pickWeighted(r, []weighted[string]{{"safari", 0.5}, {"chrome", 0.4}, {"edge", 0.1}}) {
		case "safari":
			return browserInfo{"Safari " + safari, mac + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/" + safari + " Safari/605.1.15"}
		case "chrome":
			return browserInfo{"Chrome " + chrome, mac + chromium + " Safari/537.36"}
		}
		return browserInfo{"Edge " + edge, mac + chromium + " Safari/537.36 Edg/" + edge + ".91"}
	case osIOS:
		ver := v.version
		if n := strings.Count(ver, "."); n == 2 {
			ver = ver[:strings.LastIndexByte(ver, '.')]
		}
		return browserInfo{"Mobile Safari " + ver, "Mozilla/5.0 (iPhone; CPU iPhone OS " + strings.ReplaceAll(v.version, ".", "_") +
			" like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/" + ver + " Mobile/15E148 Safari/604.1"}
	case osAndroid:
		if strings.HasPrefix(v.model, "SM-") && chance(r, 0.3) {
			return browserInfo{"Samsung Browser 23.0", "Mozilla/5.0 (Linux; Android " + v.version + "; " + v.model +
				") AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36"}
		}
		return browserInfo{"Chrome Mobile " + chrome, "Mozilla/5.0 (Linux; Android 10; K) " + chromium + " Mobile Safari/537.36"}
	}
	if chance(r, 0.6) {
		return browserInfo{"Firefox " + firefox, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:" + firefox + ") Gecko/20100101 Firefox/" + firefox}
	}
	return browserInfo{"Chrome " + chrome, "Mozilla/5.0 (X11; Linux x86_64) " + chromium + " Safari/537.36"}
}

// device is one of a user's devices.
type device struct {
	variant    *osVariant
	browser    browserInfo
	id, name   string // "" when the device is not registered
	trust      string
	compliant  signin.Bool
	managed    signin.Bool
	hybrid     bool
	prtCapable bool // joined to Entra ID: native apps present a primary refresh token
	// detail is the deviceDetail object for browser and rich-client
	// sign-ins.
	detail [2][]byte
}

// os returns the operating system name for a browser or rich-client
// sign-in.
func (d *device) os(native bool) string {
	if native {
		return d.variant.nativeOS
	}
	return d.variant.webOS
}

// browserName returns deviceDetail.browser for a browser or rich-client
// sign-in.
func (d *device) browserName(native bool) string {
	if native {
		return d.variant.nativeBrowser
	}
	return d.browser.name
}

// userAgent returns the user agent of an application kind on d.
func (d *device) userAgent(k appKind) string {
	if k == kindWeb || (k == kindEdge && strings.HasPrefix(d.browser.name, "Edge")) {
		return d.browser.ua
	}
	return d.variant.ua[k]
}

// finish makes the deviceDetail fragments.
func (d *device) finish() {
	for i, native := range [2]bool{false, true} {
		b := []byte(`{"deviceId":`)
		b = jsonw.String(b, d.id)
		if d.name != "" {
			b = append(b, `,"displayName":`...)
			b = jsonw.String(b, d.name)
		}
		b = append(b, `,"operatingSystem":`...)
		b = jsonw.String(b, d.os(native))
		b = append(b, `,"browser":`...)
		b = jsonw.String(b, d.browserName(native))
		if d.compliant != signin.BoolUnknown {
			b = append(b, `,"isCompliant":`...)
			b = jsonw.Bool(b, d.compliant == signin.BoolTrue)
		}
		if d.managed != signin.BoolUnknown {
			b = append(b, `,"isManaged":`...)
			b = jsonw.Bool(b, d.managed == signin.BoolTrue)
		}
		if d.trust != "" {
			b = append(b, `,"trustType":`...)
			b = jsonw.String(b, d.trust)
		}
		d.detail[i] = append(b, '}')
	}
}

// newDevice makes a device of a user. corp says whether it is the
// organization's; prefix names corporate Windows devices.
func newDevice(r *rand.Rand, f osFamily, corp bool, hybridTenant bool, prefix, owner string) *device {
	v := pickOne(r, variantsByFamily[f])
	d := &device{variant: v, browser: newBrowser(r, v)}
	flag := func(b bool) signin.Bool {
		if b {
			return signin.BoolTrue
		}
		return signin.BoolFalse
	}
	switch {
	case corp && f == osWindows:
		d.prtCapable = true
		d.hybrid = hybridTenant && chance(r, 0.6)
		d.trust = "Azure AD joined"
		if d.hybrid {
			d.trust = "Hybrid Azure AD joined"
		}
		d.name = prefix + "-" + pickOne(r, []string{"LT", "WS", "PC"}) + "-" + fourDigits(r)
		if chance(r, 0.15) {
			d.name = "DESKTOP-" + randomUpper(r, 7)
		}
		d.compliant, d.managed = flag(chance(r, 0.96)), signin.BoolTrue
	case corp:
		d.trust = "Azure AD registered"
		switch f {
		case osMac:
			d.name = owner + "'s MacBook Pro"
		case osLinux:
			d.name = strings.ToLower(prefix) + "-dev-" + fourDigits(r)
		default:
			d.name = v.deviceNameBase
		}
		d.compliant, d.managed = flag(chance(r, 0.92)), signin.BoolTrue
	case f.mobile() && chance(r, 0.5):
		// A personal phone registered by the authentication broker.
		d.trust = "Azure AD registered"
		d.name = v.deviceNameBase
		d.compliant, d.managed = signin.BoolFalse, signin.BoolFalse
	}
	if d.trust != "" {
		d.id = newGUID(r).String()
	}
	d.finish()
	return d
}

func fourDigits(r *rand.Rand) string {
	return string([]byte{byte('0' + r.IntN(10)), byte('0' + r.IntN(10)), byte('0' + r.IntN(10)), byte('0' + r.IntN(10))})
}

func randomUpper(r *rand.Rand, n int) string {
	const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}
