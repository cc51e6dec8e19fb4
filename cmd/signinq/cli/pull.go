package cli

// pullCmd collects sign-ins from Microsoft's services into a store.
type pullCmd struct {
	Graph   pullGraphCmd   `cmd:"" help:"Read sign-ins of all four types from Microsoft Graph (auditLogs/signIns), from where the last pull stopped."`
	Storage pullStorageCmd `cmd:"" help:"Read the sign-in logs diagnostic settings archive to a storage account (insights-logs-* containers), each blob's new bytes once."`
}
