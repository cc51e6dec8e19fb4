package logfile

import "unsafe"

// unsafeString views b as a string without copying. The string must not
// outlive b's next modification; callers use it only for lookups.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
