// Command drill runs the fault drills of RELIABILITY.md against the real
// onboard binary (see internal/drill):
//
//	go run ./scripts/drill kill9 --engine sqlite --runs 5
//	go run ./scripts/drill kill9 --engine postgres --runs 5
//	go run ./scripts/drill pg-outage --outage 10s
//	go run ./scripts/drill pg-blackhole --db-timeout 5s --hold 15s
//
// PostgreSQL drills need ONBOARD_TEST_POSTGRES_URL. pg-outage stops and
// starts the PostgreSQL server itself: run it only where nothing else needs
// that server.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/onboardkyb/onboard/internal/drill"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: drill kill9|pg-outage|pg-blackhole [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "kill9":
		fs := flag.NewFlagSet("kill9", flag.ExitOnError)
		k := drill.Kill9{}
		fs.StringVar(&k.Engine, "engine", "sqlite", "sqlite or postgres")
		fs.IntVar(&k.Runs, "runs", 5, "how many kills")
		fs.IntVar(&k.Workers, "workers", 8, "concurrent clients")
		fs.DurationVar(&k.MaxWait, "max-wait", 4*time.Second, "longest time under load before a kill")
		fs.Parse(os.Args[2:])
		err = k.Run(os.Stdout)
	case "pg-outage":
		fs := flag.NewFlagSet("pg-outage", flag.ExitOnError)
		o := drill.Outage{}
		fs.DurationVar(&o.Duration, "outage", 10*time.Second, "how long PostgreSQL stays down")
		fs.StringVar(&o.Stop, "stop", "pg_ctlcluster --skip-systemctl-redirect 15 main stop -m fast", "command that stops PostgreSQL")
		fs.StringVar(&o.Start, "start", "pg_ctlcluster --skip-systemctl-redirect 15 main start", "command that starts PostgreSQL")
		fs.IntVar(&o.Workers, "workers", 4, "concurrent clients")
		fs.Parse(os.Args[2:])
		err = o.Run(os.Stdout)
	case "pg-blackhole":
		fs := flag.NewFlagSet("pg-blackhole", flag.ExitOnError)
		b := drill.Blackhole{}
		fs.DurationVar(&b.Timeout, "db-timeout", 5*time.Second, "the service's --db-timeout")
		slack := fs.Duration("slack", 2*time.Second, "how much longer than --db-timeout a create may take to answer during the blackhole")
		fs.DurationVar(&b.Hold, "hold", 15*time.Second, "how long the proxy drops bytes")
		fs.IntVar(&b.Workers, "workers", 4, "concurrent clients")
		fs.Parse(os.Args[2:])
		b.Bound = b.Timeout + *slack
		err = b.Run(os.Stdout)
	default:
		err = fmt.Errorf("unknown drill %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drill:", err)
		os.Exit(1)
	}
}
