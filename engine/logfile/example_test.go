package logfile_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
)

// Read files, directories or standard input in any export format, in
// batches, with rejects and a summary.
func ExampleScan() {
	failures := map[string]int{}
	sum, err := logfile.Scan(context.Background(), []string{"testdata/samples/elastic"}, logfile.Options{},
		func(b *logfile.Batch) error {
			for i := range b.Records {
				if r := &b.Records[i]; r.Status == signin.StatusFailure {
					failures[r.Type.String()]++
				}
			}
			for _, rej := range b.Rejects {
				fmt.Println("rejected:", rej)
			}
			return nil
		})
	if err != nil {
		panic(err)
	}
	fmt.Println(sum.String())
	fmt.Println("failed service principal sign-ins:", failures["servicePrincipal"])
	// Output:
	// read 82 records from 13 inputs (133 KiB): 82 accepted, 0 rejected
	// failed service principal sign-ins: 1
}

// All is the same as an iterator; a reject comes as an error in its place.
func ExampleAll() {
	for r, err := range logfile.All(context.Background(), []string{"testdata/samples/graph"}, logfile.Options{}) {
		var rej *logfile.Reject
		if errors.As(err, &rej) {
			fmt.Printf("rejected %s line %d: %s\n", filepath.Base(rej.Input), rej.Line, rej.Reason)
			continue
		}
		fmt.Println(r.Time.Format("2006-01-02 15:04"), r.Type, r.Identity, r.Status, r.SignInCount)
	}
	// Output:
	// 2021-06-30 16:34 interactive testaccount1@contoso.com failure 1
	// 2025-02-26 06:08 managedIdentity Azure Logic Apps success 18
	// 2025-02-26 06:18 managedIdentity Azure Portal success 9
	// 2025-02-26 06:42 managedIdentity Azure DevOps failure 5
	// 2025-02-26 06:15 nonInteractive automation@contoso.com success 15
	// 2025-02-26 06:22 nonInteractive serviceaccount@contoso.com success 8
	// 2025-02-26 06:45 nonInteractive monitoring@contoso.com failure 3
	// 2025-02-26 06:05 servicePrincipal teams-bot-service success 24
	// 2025-02-26 06:12 servicePrincipal automation-service success 12
	// 2025-02-26 06:33 servicePrincipal exchange-connector success 7
	// rejected graph-v1-signins-list-example1.json line 64: invalid JSON: invalid character ']' looking for beginning of value
}

// Add a format of one's own: here, lines of "time user error-code" under
// a "#spaced" header. Decode runs on several goroutines at once, so it
// keeps no state.
func ExampleFormat() {
	spaced := logfile.Format{
		Name:   "spaced",
		Help:   "time, user and error code separated by spaces",
		Sniff:  func(head []byte) bool { return strings.HasPrefix(string(head), "#spaced\n") },
		Header: true, // the "#spaced" line
		Decode: func(l logfile.Line, rec *signin.Record) error {
			var t, user string
			if _, err := fmt.Sscan(string(l.Text), &t, &user, &rec.Error); err != nil {
				return err
			}
			tm, err := logfile.ParseTime([]byte(t))
			if err != nil {
				return &logfile.ColumnError{Col: 1, Err: err}
			}
			rec.Time, rec.User = tm, user
			return nil
		},
	}
	in := logfile.ReaderInput("signins.txt", strings.NewReader("#spaced\n"+
		"2026-11-01T08:00:00Z adele@contoso.com 0\n"+
		"2026-11-01T08:05:00Z alex@contoso.com 50126\n"+
		"yesterday meg@contoso.com 0\n"))
	_, err := logfile.ScanInputs(context.Background(), []logfile.Input{in}, logfile.Options{Formats: []logfile.Format{spaced}},
		func(b *logfile.Batch) error {
			for _, r := range b.Records {
				fmt.Println(r.Time.Format(time.Kitchen), r.Identity, r.Status)
			}
			for _, rej := range b.Rejects {
				fmt.Println("rejected:", rej)
			}
			return nil
		})
	if err != nil {
		panic(err)
	}
	// Output:
	// 8:00AM adele@contoso.com success
	// 8:05AM alex@contoso.com failure
	// rejected: signins.txt:4:1: cannot parse time "yesterday": not a recognized time format
}
