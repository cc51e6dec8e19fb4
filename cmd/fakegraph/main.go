package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/signinq/signinq/internal/fakegraph"
	"github.com/signinq/signinq/internal/gen"
)

func main() {
	count := flag.Int64("count", 1000000, "sign-ins to generate")
	seed := flag.Uint64("seed", 1, "seed of the generated tenant")
	days := flag.Int("days", 7, "days the sign-ins span, ending a minute before -end")
	end := flag.String("end", "2026-11-26T10:00:00Z", "the end of the sign-ins (RFC 3339): pull with --now at or after it")
	dir := flag.String("dir", "", "hold the sign-ins' JSON in a file in this directory (default: in memory)")
	ca := flag.String("ca", "fakegraph-ca.pem", "write the server's certificate here (PEM), for SSL_CERT_FILE")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	throttle := flag.Int("throttle-every", 0, "answer every Nth sign-in request 429 with Retry-After: -retry-after")
	retryAfter := flag.String("retry-after", "1", "the Retry-After of throttled responses")
	drop := flag.Int("drop-every", 0, "drop the connection midway through every Nth sign-in page")
	flag.Parse()
	if err := run(*count, *seed, *days, *end, *dir, *ca, *addr, *throttle, *retryAfter, *drop); err != nil {
		fmt.Fprintf(os.Stderr, "fakegraph: %v\n", err)
		os.Exit(1)
	}
}

func run(count int64, seed uint64, days int, endS, dir, ca, addr string, throttle int, retryAfter string, drop int) error {
	end, err := time.Parse(time.RFC3339, endS)
	if err != nil {
		return fmt.Errorf("-end: %v", err)
	}
	f, err := fakegraph.New(fakegraph.Options{Dir: dir, Addr: addr, ThrottleEvery: throttle, RetryAfter: retryAfter, DropEvery: drop})
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.WriteCA(ca); err != nil {
		return err
	}
	n, err := f.Generate(context.Background(), gen.Config{Count: count, Seed: seed, Days: days, End: end.Add(-time.Minute)})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "fakegraph: serving %v sign-ins by type\n", n)
	fmt.Printf("export SSL_CERT_FILE=%s AZURE_TENANT_ID=%s AZURE_CLIENT_ID=%s AZURE_CLIENT_SECRET=%s\n", ca, f.TenantID(), f.ClientID(), f.ClientSecret())
	fmt.Printf("signinq pull graph --graph-url %s --authority-url %s --now %s --db DIR\n", f.URL(), f.URL(), end.Format(time.RFC3339))
	os.Stdout.Sync()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
