// Package gen generates realistic Microsoft Entra ID sign-in logs,
// deterministically, in every export format signinq reads.
//
// [New] builds a tenant from a [Config]: a domain and tenant id,
// Conditional Access policies and named (office) locations, a population
// of users (members, guests and service accounts, each with a home
// country, one to three devices and their home, mobile and office
// addresses), first-party and line-of-business applications and the
// resources they reach, service principals and managed identities.
// [Generator.Generate] then produces Config.Count sign-ins ([Event]) over
// the window [End-Days*24h, End): the volume follows each time zone's
// working hours and week, activity is Zipf-like across users, apps and
// workloads, outcomes follow per-type error-code distributions, and
// every user sign-in carries Conditional Access evaluations,
// authentication steps and risk fields that agree with its outcome. A few
// attacks are injected into the stream and described by
// [Generator.Incidents].
//
// Shapes: Config.Shape chooses the kind of tenant. [ShapeCompact], the
// zero value, is the tenant above: DefaultUsers users whatever the
// Count, each signing in from a home, a mobile and usually an office
// address fixed for the window. [ShapeWide] differs in the ways large
// real tenants do: Count/100 users (100,000 at 10 million sign-ins),
// more guests from other tenants, a wide address space drawn as the
// sign-ins are made (home broadband addresses re-drawn every few days,
// carrier-grade NAT addresses shared by many users, IPv6, cloud VPNs and
// proxies, rotating cloud egress for workloads; see addresses.go), a
// larger non-interactive share, and a distributed password spray
// ([IncidentDistributedSpray]) besides the other incidents. Both shapes
// share the machinery: the tenant, the rhythm, the outcomes and the
// encoders.
//
// The writers encode the same events as Azure Monitor diagnostic-settings
// JSON lines ([AppendDiag]), a Microsoft Graph beta signIns response
// ([AppendGraph]), a Log Analytics CSV export ([Generator.Write]) and the
// Entra portal's CSV download, one file per sign-in type
// ([Generator.WritePortalCSV]). Reading any of them back with package
// logfile gives the events' records (Event.Record), except for what a
// format does not carry.
//
// Times: sign-in times are whole 100 ns ticks, as Entra ID's (.NET) times
// are, so the diagnostic settings and Graph, which write seven fraction
// digits, carry them exactly; Log Analytics writes milliseconds and the
// portal seconds, both truncating. Ingestion times (the diagnostic
// envelope's time, Log Analytics' TimeGenerated) are 30 seconds to 5
// minutes after the sign-in.
//
// Determinism: the output is a function of the Config alone, whatever
// Config.Workers is: the tenant and the incidents derive from the seed,
// and events are made in chunks of 4096 whose random source derives from
// the seed and the chunk's index. Nothing reads the clock.
package gen
