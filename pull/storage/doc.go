// Package storage reads the sign-in logs that diagnostic settings archive
// to an Azure storage account into a store: one container per category
// (SignInContainers), one append blob per hour
// (tenantId=…/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json) that grows during
// its hour, holding diagnostic-settings records as JSON lines.
//
// [Pull] lists the containers, reads each blob's bytes once (of a blob
// read before, only those appended since, with ranged downloads), reads
// them with the store's diag reader (engine/logfile) and stores their
// sign-ins, deduplicated, committing as an ingest does. The store keeps,
// per blob, in its metadata space [MetaSpace], how far it has read the
// blob: the end of its last whole line. The cursor is written only after
// the sign-ins before it are committed.
//
// The package talks to the account through the Azure SDK for Go's blob
// module (azblob), whose retry policy handles throttling and server
// errors; it is tested against Azurite, the storage emulator.
package storage
