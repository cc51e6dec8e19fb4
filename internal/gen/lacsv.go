package gen

import (
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/jsonw"
)

// laColumns are the columns of the Log Analytics export: those of the
// SigninLogs export in the samples, in its order, then the columns the
// other sign-in tables add (SessionId, IncomingTokenType, the service
// principal credential, ManagedServiceIdentity), and Type (the table)
// last. Rows of every type share them, as in the export of a union of
// the four tables; a column a table lacks is empty.
var laColumns = strings.Split("TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,OperationVersion,Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Resource,ResourceGroup,ResourceProvider,Identity,Level,Location,AlternateSignInName,AppDisplayName,AppId,AuthenticationContextClassReferences,AuthenticationDetails,AppliedEventListeners,AuthenticationMethodsUsed,AuthenticationProcessingDetails,AuthenticationRequirement,AuthenticationRequirementPolicies,ClientAppUsed,ConditionalAccessPolicies,ConditionalAccessStatus,CreatedDateTime [UTC],DeviceDetail,IsInteractive,Id,IPAddress,IsRisky,LocationDetails,MfaDetail,NetworkLocationDetails,OriginalRequestId,ProcessingTimeInMilliseconds,RiskDetail,RiskEventTypes,RiskEventTypes_V2,RiskLevelAggregated,RiskLevelDuringSignIn,RiskState,ResourceDisplayName,ResourceIdentity,ResourceServicePrincipalId,ServicePrincipalId,ServicePrincipalName,Status,TokenIssuerName,TokenIssuerType,UserAgent,UserDisplayName,UserId,UserPrincipalName,AADTenantId,UserType,FlaggedForReview,IPAddressFromResourceProvider,SignInIdentifier,SignInIdentifierType,ResourceTenantId,HomeTenantId,UniqueTokenIdentifier,SessionLifetimePolicies,AutonomousSystemNumber,AuthenticationProtocol,CrossTenantAccessType,AppliedConditionalAccessPolicies,RiskLevel,SessionId,IncomingTokenType,ServicePrincipalCredentialKeyId,ServicePrincipalCredentialThumbprint,ClientCredentialType,ManagedServiceIdentity,Type", ",")

// laHeaderLine is the header row of the Log Analytics export.
var laHeaderLine = strings.Join(laColumns, ",") + "\n"

// appendLA appends ev as a row of the Log Analytics export: times in the
// export's local format with milliseconds, dynamic columns as JSON text,
// flags as TRUE/FALSE, quoting only where needed. Columns of the user
// tables are empty for service principals and managed identities.
func (e *encoder) appendLA(dst []byte, ev *Event) []byte {
	rec, x := &ev.Record, &ev.x
	t := x.t
	isUser := x.user != nil
	w := csvRow{b: dst}
	// js appends the JSON an encoder makes, as a field.
	js := func(b []byte) {
		e.scratch = b
		w.bytes(b)
	}
	w.str(t.workspace)
	w.str("Azure AD")
	js(appendLATime(e.scratch[:0], rec.Ingested))
	w.str(t.logPath)
	w.str("Sign-in activity")
	w.str("1")
	w.str(categories[rec.Type])
	w.int(rec.Error)
	w.str("None")
	w.str(rec.Reason)
	w.str("0")
	w.str(rec.CorrelationID)
	w.str("Microsoft.aadiam")
	w.str("Microsoft.aadiam")
	w.str("")
	w.str(rec.UserName)
	w.str("4")
	w.str(rec.Country)
	w.str("")
	w.str(rec.App)
	w.str(rec.AppID)
	if isUser {
		w.str("[]")
		js(appendSteps(e.scratch[:0], ev, "+00:00"))
	} else {
		w.str("")
		w.str("")
	}
	w.str("")
	w.str("")
	if isUser || !x.wl.mi {
		js(appendProcessing(e.scratch[:0], ev))
	} else {
		w.str("")
	}
	w.str(rec.AuthRequirement)
	if isUser {
		js(appendRequirementPolicies(e.scratch[:0], ev))
	} else {
		w.str("")
	}
	w.str(rec.Client)
	if isUser {
		js(appendPolicies(e.scratch[:0], ev, false))
	} else {
		w.str("[]")
	}
	w.str(rec.CA)
	js(appendLATime(e.scratch[:0], rec.Time))
	switch {
	case !isUser:
		w.str("")
		w.str("")
	case rec.Type == signin.TypeInteractive:
		w.bytes(x.dev.detail[b2i(x.native)])
		w.str("TRUE")
	default:
		w.bytes(x.dev.detail[b2i(x.native)])
		w.str("FALSE")
	}
	w.str(rec.ID)
	w.str(rec.IP)
	w.str("")
	w.bytes(x.net.locJSON)
	if isUser {
		js(appendMFADetail(e.scratch[:0], ev))
		w.bytes(x.net.netJSON)
		w.str(rec.ID)
	} else {
		w.str("")
		w.str("")
		w.str("")
	}
	w.int(rec.Latency)
	w.str(rec.RiskDetail)
	if isUser {
		js(jsonw.Strings(e.scratch[:0], rec.RiskEvents))
		js(jsonw.Strings(e.scratch[:0], rec.RiskEvents))
	} else {
		w.str("")
		w.str("")
	}
	w.str(rec.RiskAggregated)
	w.str(rec.Risk)
	w.str(rec.RiskState)
	w.str(rec.Resource)
	w.str(rec.ResourceID)
	w.str(x.res.spID)
	w.str(rec.SPID)
	w.str(rec.SP)
	if isUser {
		js(appendStatus(e.scratch[:0], rec))
	} else {
		w.str("")
	}
	w.str("")
	w.str(rec.TokenIssuer)
	w.str(rec.UserAgent)
	w.str(rec.UserName)
	w.str(rec.UserID)
	w.str(rec.User)
	w.str(t.id)
	if isUser {
		w.str(portalUserType(x.user))
	} else {
		w.str("")
	}
	for range 4 { // FlaggedForReview through SignInIdentifierType
		w.str("")
	}
	w.str(rec.ResourceTenant)
	if isUser {
		w.str(rec.Tenant)
	} else {
		w.str("")
	}
	js(x.id.appendUTI(e.scratch[:0]))
	if isUser {
		w.str("[]")
	} else {
		w.str("")
	}
	if rec.ASN != signin.NoInt {
		w.int(rec.ASN)
	} else {
		w.str("")
	}
	w.str(rec.Protocol)
	w.str(rec.CrossTenant)
	w.str("")
	w.str("")
	w.str(rec.SessionID)
	w.str(x.incoming)
	if isUser {
		for range 4 {
			w.str("")
		}
	} else {
		w.str(x.wl.keyID)
		w.str(x.wl.thumbprint)
		w.str(x.wl.credType)
		if x.wl.mi {
			js(appendMSI(e.scratch[:0], x.wl))
		} else {
			w.str("")
		}
	}
	w.b = append(w.b, tables[rec.Type]...)
	w.b = append(w.b, '\n')
	return w.b
}
