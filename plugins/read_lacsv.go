package plugins

// The la-csv input format, read by logfile's own code; see
// logfile.Formats for what it is.
func init() { Register(newBuiltinReader("la-csv")) }
