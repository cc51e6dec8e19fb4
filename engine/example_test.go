package engine_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

// Open a store, ingest an export, and count.
func Example() {
	db, err := engine.Open("", &engine.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	st, err := db.Ingest(context.Background(), []string{"testdata/samples/elastic"}, engine.IngestOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stored %d, duplicates %d, rejected %d\n", st.Stored, st.Duplicates, st.Rejected)
	n, _ := db.Count()
	fmt.Println(n, "sign-ins")
	// Output:
	// stored 79, duplicates 3, rejected 0
	// 79 sign-ins
}

// Store typed records, then count the failures of a day with the status
// bitmap and the day's row range, without reading a row.
func ExampleSnapshot_Bitmap() {
	db, err := engine.Open("", &engine.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var recs []signin.Record
	for i := range 48 {
		r := signin.New()
		r.ID = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		r.Time = day.Add(time.Duration(i) * 30 * time.Minute)
		r.User = "alice@contoso.com"
		r.Error, r.Status = 0, signin.StatusSuccess
		if i%4 == 0 {
			r.Error, r.Status = 50126, signin.StatusFailure
		}
		recs = append(recs, r)
	}
	if _, err := db.IngestRecords(context.Background(), recs); err != nil {
		log.Fatal(err)
	}
	status := engine.LookupColumn("status")
	err = db.View(func(s *engine.Snapshot) error {
		from, to := day.Add(12*time.Hour), day.Add(24*time.Hour)
		total := uint64(0)
		for _, p := range s.PartsBetween(from, to) {
			dict, err := s.Dict(p, status)
			if err != nil {
				return err
			}
			id, ok := dict.Find("failure")
			if !ok {
				continue
			}
			bm, err := s.Bitmap(p, status, id)
			if err != nil {
				return err
			}
			lo, hi, err := s.Rows(p, from, to)
			if err != nil {
				return err
			}
			window := roaring.New()
			window.AddRange(uint64(lo), uint64(hi))
			total += bm.AndCardinality(window)
		}
		fmt.Println(total, "failures in the afternoon and evening")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 6 failures in the afternoon and evening
}
