package gen

import (
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/jsonw"
)

// appendSignIn appends the beta signIn object of an event: the
// diagnostic record's properties, or (graph) a Graph beta signIn. The two
// differ as the real ones do: Graph writes createdDateTime with "Z",
// conditionsSatisfied as names, userType in lower case, and adds
// signInEventTypes and authenticationMethodsUsed; the diagnostic form
// writes the "+00:00" offset, bit masks, "Member"/"Guest" and the
// StatusSequence/RequestSequence of authentication steps.
func appendSignIn(dst []byte, ev *Event, graph bool) []byte {
	rec, x := &ev.Record, &ev.x
	zone := "+00:00"
	if graph {
		zone = "Z"
	}
	dst = append(dst, `{"id":"`...)
	dst = append(dst, rec.ID...)
	dst = append(dst, `","createdDateTime":`...)
	dst = appendQuotedTime7(dst, rec.Time, zone)
	if x.user != nil {
		dst = append(dst, ',')
		dst = append(dst, x.user.idJSON...)
		dst = append(dst, `,"appId":`...)
		dst = append(dst, x.app.idJSON...)
		dst = append(dst, `,"appDisplayName":`...)
		dst = jsonw.String(dst, rec.App)
	} else {
		dst = append(dst, `,"userId":null,"appId":"`...)
		dst = append(dst, rec.AppID...)
		dst = append(dst, '"')
		if rec.App != "" {
			dst = append(dst, `,"appDisplayName":`...)
			dst = jsonw.String(dst, rec.App)
		}
	}
	dst = append(dst, `,"ipAddress":"`...)
	dst = append(dst, rec.IP...)
	dst = append(dst, `","status":`...)
	dst = appendStatus(dst, rec)
	if x.user != nil {
		dst = append(dst, `,"clientAppUsed":`...)
		dst = jsonw.String(dst, rec.Client)
		dst = append(dst, `,"userAgent":`...)
		dst = jsonw.String(dst, rec.UserAgent)
		dst = append(dst, `,"deviceDetail":`...)
		dst = append(dst, x.dev.detail[b2i(x.native)]...)
	}
	dst = append(dst, `,"location":`...)
	dst = append(dst, x.net.locJSON...)
	dst = append(dst, `,"correlationId":"`...)
	dst = append(dst, rec.CorrelationID...)
	dst = append(dst, `","conditionalAccessStatus":"`...)
	dst = append(dst, rec.CA...)
	dst = append(dst, `","appliedConditionalAccessPolicies":`...)
	if x.user != nil {
		dst = appendPolicies(dst, ev, graph)
		dst = append(dst, `,"originalRequestId":"`...)
		dst = append(dst, rec.ID...)
		dst = append(dst, `","isInteractive":`...)
		dst = jsonw.Bool(dst, rec.Type == signin.TypeInteractive)
		dst = append(dst, `,"tokenIssuerName":"","tokenIssuerType":"AzureAD","authenticationProcessingDetails":`...)
		dst = appendProcessing(dst, ev)
		dst = append(dst, `,"networkLocationDetails":`...)
		dst = append(dst, x.net.netJSON...)
	} else {
		dst = append(dst, `[],"isInteractive":false,"tokenIssuerType":"AzureAD"`...)
		if !x.wl.mi {
			dst = append(dst, `,"authenticationProcessingDetails":`...)
			dst = appendProcessing(dst, ev)
		}
	}
	dst = append(dst, `,"processingTimeInMilliseconds":`...)
	dst = jsonw.Int(dst, rec.Latency)
	dst = append(dst, `,"riskDetail":"`...)
	dst = append(dst, rec.RiskDetail...)
	dst = append(dst, `","riskLevelAggregated":"`...)
	dst = append(dst, rec.RiskAggregated...)
	dst = append(dst, `","riskLevelDuringSignIn":"`...)
	dst = append(dst, rec.Risk...)
	dst = append(dst, `","riskState":"`...)
	dst = append(dst, rec.RiskState...)
	dst = append(dst, '"')
	if x.user != nil {
		dst = append(dst, `,"riskEventTypes":`...)
		dst = jsonw.Strings(dst, rec.RiskEvents)
		dst = append(dst, `,"riskEventTypes_v2":`...)
		dst = jsonw.Strings(dst, rec.RiskEvents)
	}
	dst = append(dst, `,"resourceDisplayName":`...)
	dst = jsonw.String(dst, rec.Resource)
	dst = append(dst, `,"resourceId":"`...)
	dst = append(dst, rec.ResourceID...)
	dst = append(dst, `","resourceTenantId":"`...)
	dst = append(dst, rec.ResourceTenant...)
	dst = append(dst, '"')
	if x.user != nil {
		dst = append(dst, `,"homeTenantId":"`...)
		dst = append(dst, rec.Tenant...)
		dst = append(dst, `","authenticationDetails":`...)
		dst = appendSteps(dst, ev, zone)
		if graph {
			dst = append(dst, `,"authenticationMethodsUsed":[`...)
			n := 0
			for _, m := range rec.AuthMethods {
				if m == methodNames[methodPrevious] {
					continue
				}
				if n > 0 {
					dst = append(dst, ',')
				}
				dst = jsonw.String(dst, m)
				n++
			}
			dst = append(dst, ']')
		}
		dst = append(dst, `,"authenticationRequirementPolicies":`...)
		dst = appendRequirementPolicies(dst, ev)
		dst = append(dst, `,"authenticationRequirement":"`...)
		dst = append(dst, rec.AuthRequirement...)
		dst = append(dst, `","mfaDetail":`...)
		dst = appendMFADetail(dst, ev)
		dst = append(dst, `,"servicePrincipalId":"","userType":"`...)
		switch {
		case graph:
			dst = append(dst, rec.UserType...)
		case x.user.guest:
			dst = append(dst, "Guest"...)
		default:
			dst = append(dst, "Member"...)
		}
		dst = append(dst, `","flaggedForReview":false,"isTenantRestricted":false`...)
	} else {
		if graph {
			dst = append(dst, `,"homeTenantId":"`...)
			dst = append(dst, rec.Tenant...)
			dst = append(dst, '"')
		}
		dst = append(dst, `,"servicePrincipalName":`...)
		dst = jsonw.String(dst, rec.SP)
		dst = append(dst, `,"servicePrincipalId":"`...)
		dst = append(dst, rec.SPID...)
		dst = append(dst, `","flaggedForReview":false,"isTenantRestricted":false`...)
	}
	if rec.ASN != signin.NoInt {
		dst = append(dst, `,"autonomousSystemNumber":`...)
		dst = jsonw.Int(dst, rec.ASN)
	}
	dst = append(dst, `,"crossTenantAccessType":"`...)
	dst = append(dst, rec.CrossTenant...)
	dst = append(dst, '"')
	if x.user == nil {
		w := x.wl
		if w.keyID != "" {
			dst = append(dst, `,"servicePrincipalCredentialKeyId":"`...)
			dst = append(dst, w.keyID...)
			dst = append(dst, '"')
		}
		if w.thumbprint != "" {
			dst = append(dst, `,"servicePrincipalCredentialThumbprint":"`...)
			dst = append(dst, w.thumbprint...)
			dst = append(dst, '"')
		}
		dst = append(dst, `,"clientCredentialType":"`...)
		dst = append(dst, w.credType...)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"uniqueTokenIdentifier":"`...)
	dst = x.id.appendUTI(dst)
	dst = append(dst, `","incomingTokenType":"`...)
	if x.incoming == "" {
		dst = append(dst, "none"...)
	} else {
		dst = append(dst, x.incoming...)
	}
	dst = append(dst, `","authenticationProtocol":"`...)
	dst = append(dst, rec.Protocol...)
	dst = append(dst, '"')
	if rec.SessionID != "" {
		dst = append(dst, `,"sessionId":"`...)
		dst = append(dst, rec.SessionID...)
		dst = append(dst, '"')
	}
	if rec.Type == signin.TypeManagedIdentity {
		dst = append(dst, `,"managedServiceIdentity":`...)
		dst = appendMSI(dst, x.wl)
	}
	if graph && eventTypes[rec.Type] != "" {
		dst = append(dst, `,"signInEventTypes":["`...)
		dst = append(dst, eventTypes[rec.Type]...)
		dst = append(dst, `"]`...)
	}
	return append(dst, '}')
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
