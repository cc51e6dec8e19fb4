// Package pull collects sign-ins from Microsoft's services into a store:
// package [github.com/signinq/signinq/pull/graph] reads Microsoft Graph's
// auditLogs/signIns, package [github.com/signinq/signinq/pull/storage] the
// append blobs diagnostic settings archive to a storage account. Both keep
// in the store's metadata how far they have read, so that a repeated pull
// misses nothing and stores nothing twice.
package pull
