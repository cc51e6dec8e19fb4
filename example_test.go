package signinq_test

import (
	"context"
	"fmt"
	"log"

	"github.com/signinq/signinq"
	"github.com/signinq/signinq/engine"
)

// Open a store, ingest an export, and ask it a question.
func Example() {
	db, err := signinq.Open("", &signinq.Options{Options: engine.Options{InMemory: true}})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Ingest(ctx, []string{"engine/testdata/samples/elastic"}, engine.IngestOptions{}); err != nil {
		log.Fatal(err)
	}
	res, err := db.Query(ctx, "count, dcount(user) as users group by status order by status", signinq.QueryOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range res.Rows {
		fmt.Printf("%q: %s sign-ins, %s users\n", row[0].Str(), row[1], row[2])
	}
	// Output:
	// "": 12 sign-ins, 0 users
	// "failure": 1 sign-ins, 0 users
	// "interrupted": 4 sign-ins, 2 users
	// "success": 62 sign-ins, 5 users
}

// Set a named list of networks and ask which sign-ins came from them.
func ExampleDB_SetList() {
	db, err := signinq.Open("", &signinq.Options{Options: engine.Options{InMemory: true}})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Ingest(ctx, []string{"engine/testdata/samples/elastic"}, engine.IngestOptions{}); err != nil {
		log.Fatal(err)
	}
	if err := db.SetList("everywhere", []string{"0.0.0.0/0", "::/0"}); err != nil {
		log.Fatal(err)
	}
	all, err := db.Query(ctx, "count where ip != \"\"", signinq.QueryOptions{})
	if err != nil {
		log.Fatal(err)
	}
	in, err := db.Query(ctx, "count where ip in @everywhere", signinq.QueryOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s sign-ins with an address, %s of them in @everywhere\n", all.Rows[0][0], in.Rows[0][0])
	// Output:
	// 34 sign-ins with an address, 34 of them in @everywhere
}
