package plugins

// The canonical input format, read by logfile's own code; see
// logfile.Formats for what it is.
func init() { Register(newBuiltinReader("canonical")) }
