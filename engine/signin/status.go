package signin

import (
	"slices"
)

// DefaultInterruptCodes are the error codes classified as interrupted
// rather than failed: the user was stopped to do something (enrol in MFA,
// change an expired password, answer "Keep me signed in", consent) and was
// not refused. The list follows the portal's three-state Status as
// recorded by LETHAL-FORENSICS Microsoft-Analyzer-Suite Config/Status.csv:
//
//	16000, 16001, 16003  account selection and home-tenant prompts
//	50055, 50144         password expired (cloud, on-premises)
//	50058                silent SSO needs more session information
//	50059                no tenant-identifying information yet
//	50072, 50074         MFA enrolment or strong authentication required
//	50125                password reset or registration interrupt
//	50127, 50129         broker app / workplace join required
//	50140                "Keep me signed in" prompt
//	50143                session mismatch with the domain hint
//	51006                Windows Integrated Authentication needed
//	52004, 65001         consent required
//	81010, 81012, 81014  Seamless SSO (Kerberos) fallbacks
//
// Every other non-zero code is a failure. Use [NewClassifier] for another
// set; Sentinel rules, for instance, also treat 70043 and 70044 as benign.
var DefaultInterruptCodes = []int64{
	16000, 16001, 16003, 50055, 50058, 50059, 50072, 50074, 50125, 50127,
	50129, 50140, 50143, 50144, 51006, 52004, 65001, 81010, 81012, 81014,
}

// Classifier maps an error code to a Status: 0 is success, a code in the
// interrupt set is interrupted, and every other code is failure. A nil
// *Classifier uses DefaultInterruptCodes. A Classifier is immutable and
// safe for concurrent use.
type Classifier struct {
	interrupt []int64 // sorted
}

var defaultClassifier = NewClassifier(DefaultInterruptCodes)

// NewClassifier returns a Classifier whose interrupt set is codes.
func NewClassifier(codes []int64) *Classifier {
	s := slices.Clone(codes)
	slices.Sort(s)
	return &Classifier{interrupt: slices.Compact(s)}
}

// InterruptCodes returns the interrupt set in ascending order.
func (c *Classifier) InterruptCodes() []int64 {
	if c == nil {
		c = defaultClassifier
	}
	return slices.Clone(c.interrupt)
}

// Status classifies an error code. NoInt (no code) is StatusUnknown.
func (c *Classifier) Status(code int64) Status {
	if c == nil {
		c = defaultClassifier
	}
	switch {
	case code == NoInt:
		return StatusUnknown
	case code == 0:
		return StatusSuccess
	}
	if _, ok := slices.BinarySearch(c.interrupt, code); ok {
		return StatusInterrupted
	}
	return StatusFailure
}
