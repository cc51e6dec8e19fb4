// Package words writes the small words of signinq's messages the same way
// everywhere: a noun's plural after a count (Plural), a duration rounded
// for people to read (Round). It imports nothing of signinq's.
package words
