package plugins

// The portal-csv input format, read by logfile's own code; see
// logfile.Formats for what it is.
func init() { Register(newBuiltinReader("portal-csv")) }
