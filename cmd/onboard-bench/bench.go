package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/loadtest"
)

const benchSynopsis = `run [--url URL] [--scenario create|get|list|mixed] [--concurrency N] [--duration D | --requests N]
                   [--api-key KEY --api-secret SECRET | --database-url URL] [--json] [flags]

Drives a running server over HTTP and reports requests per second, latency
percentiles (p50, p95, p99, max, of successful requests) and errors by status.
In the same run and at the same concurrency it measures two ceilings, HTTP
servers on loopback ports driven with the same client settings:
  http   the same JSON decoding and encoding, no storage;
  db     the same plus one durable INSERT (create) or one SELECT by key (get,
         list) on the server's database (--database-url): a scratch SQLite file
         beside it (WAL, synchronous=FULL) or a scratch PostgreSQL table, removed
         afterwards.
Each ceiling runs in a child process, as the server runs in a process of its
own (--in-process-ceilings runs them in this one). The server and the ceilings
take turns in rounds, and throughput is reported as a ratio to each ceiling,
so that figures compare across machines and hold on a noisy one.

Credentials come from --api-key/--api-secret (or ONBOARD_API_KEY and
ONBOARD_API_SECRET); without them a partner is created in --database-url.`

func bench(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("run", benchSynopsis, e)
	baseURL := fs.String("url", "http://127.0.0.1:8083", "base URL of the running server")
	scenario := fs.String("scenario", string(loadtest.Create), "create, get, list or mixed (80% reads, get and list alike, and 20% creates)")
	concurrency := fs.Int("concurrency", 8, "requests in flight at once, one connection each")
	duration := fs.Duration("duration", 10*time.Second, "how long to measure the server, and each ceiling as long")
	requests := fs.Int("requests", 0, "measure this many requests instead of a duration")
	warmup := fs.Duration("warmup", time.Second, "unmeasured load before each measurement")
	rounds := fs.Int("rounds", 5, "the server and the ceilings take turns this many times, so that noise on the machine falls on all of them")
	apiKey := fs.String("api-key", "", "the partner's API key (env ONBOARD_API_KEY)")
	apiSecret := fs.String("api-secret", "", "the partner's API secret (env ONBOARD_API_SECRET)")
	dbURL := fs.String("database-url", "", "the server's database, sqlite:PATH or postgres://...: the durable ceiling runs on it, and without credentials a partner is created in it (env ONBOARD_DATABASE_URL)")
	limit := fs.Int("limit", kyb.DefaultPageSize, "page size of list requests, 1 to 100")
	pages := fs.String("pages", loadtest.BothPages, "which pages list requests read: first, deep (after a random customer) or both")
	docs := fs.Int("customers", 200, "how many existing customers get and list requests spread over; created first when the partner has fewer")
	ceilings := fs.Bool("ceilings", true, "measure the ceilings too; --ceilings=false measures only the server")
	inProcess := fs.Bool("in-process-ceilings", false, "run the ceilings in this process instead of child processes (cheap requests then look up to a third faster on them)")
	asJSON := fs.Bool("json", false, "print one JSON object: scenario, concurrency, url, store, server, ceiling_http and ceiling_db (each with requests, ok, errors by status, requests_per_second, p50_ms, p95_ms, p99_ms, max_ms), ratio_to_ceiling_http, ratio_to_ceiling_db")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	// Secrets come from the environment after parsing, so that --help
	// never prints them as defaults.
	for _, v := range []struct {
		dst *string
		env string
	}{{apiKey, "ONBOARD_API_KEY"}, {apiSecret, "ONBOARD_API_SECRET"}, {dbURL, "ONBOARD_DATABASE_URL"}} {
		if *v.dst == "" {
			*v.dst = e.getenv(v.env)
		}
	}
	var problems []string
	if !slices.Contains(loadtest.Scenarios, loadtest.Scenario(*scenario)) {
		problems = append(problems, fmt.Sprintf("--scenario %q: want create, get, list or mixed", *scenario))
	}
	if *concurrency < 1 || *concurrency > 1024 {
		problems = append(problems, "--concurrency: want 1 to 1024")
	}
	if *requests < 0 || *requests == 0 && *duration <= 0 {
		problems = append(problems, "--duration must be positive, or --requests given")
	}
	if *rounds < 1 {
		problems = append(problems, "--rounds: want at least 1")
	}
	if *limit < 1 || *limit > kyb.MaxPageSize {
		problems = append(problems, "--limit: want 1 to 100")
	}
	if *pages != loadtest.FirstPage && *pages != loadtest.DeepPage && *pages != loadtest.BothPages {
		problems = append(problems, fmt.Sprintf("--pages %q: want first, deep or both", *pages))
	}
	if (*apiKey == "") != (*apiSecret == "") || *apiKey == "" && *dbURL == "" {
		problems = append(problems, "give --api-key and --api-secret (or ONBOARD_API_KEY and ONBOARD_API_SECRET), or --database-url to create a partner")
	}
	engine := ""
	if *dbURL != "" {
		var err error
		if engine, _, err = config.ParseDatabaseURL(*dbURL); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return command.Usage("run: " + strings.Join(problems, "; "))
	}

	if *apiKey == "" {
		creds, err := benchPartner(ctx, *dbURL, e.getenv)
		if err != nil {
			return err
		}
		*apiKey, *apiSecret = creds.APIKey, creds.APISecret
		fmt.Fprintf(e.stderr, "onboard-bench run: created partner %s for this run\n", creds.PartnerID)
	}
	var mark [4]byte
	rand.Read(mark[:])
	b := loadtest.Bench{
		URL: strings.TrimRight(*baseURL, "/"),
		Workload: loadtest.Workload{
			Scenario: loadtest.Scenario(*scenario), APIKey: *apiKey, APISecret: *apiSecret,
			Limit: *limit, Pages: *pages, Prefix: "bench-" + hex.EncodeToString(mark[:]),
		},
		Options: loadtest.Options{Concurrency: *concurrency, Duration: *duration, Requests: *requests, Warmup: *warmup},
		Docs:    *docs,
		Store:   engine,
		Rounds:  *rounds,
	}
	if *ceilings {
		dbURLs := []string{""}
		if *dbURL != "" {
			dbURLs = append(dbURLs, *dbURL)
		}
		var starters []loadtest.Starter
		for _, u := range dbURLs {
			if *inProcess {
				starters = append(starters, loadtest.InProcess(ceilingStorage(u, *concurrency)))
				continue
			}
			starters = append(starters, loadtest.InChild(func() *exec.Cmd { return ceilingCommand(u, *concurrency) }))
		}
		b.HTTPCeiling = starters[0]
		if len(starters) > 1 {
			b.DBCeiling = starters[1]
		}
	}
	report, err := b.Run(ctx)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(report)
	}
	return printReport(e.stdout, report, b.Options, b.Rounds)
}

// ceilingStorage returns what opens a ceiling's storage: nothing stored
// for an empty databaseURL, else a scratch file or table on that database
// for readers at once.
func ceilingStorage(databaseURL string, readers int) func(context.Context) (loadtest.Storage, error) {
	return func(ctx context.Context) (loadtest.Storage, error) {
		if databaseURL == "" {
			return loadtest.Memory(), nil
		}
		engine, target, err := config.ParseDatabaseURL(databaseURL)
		if err != nil {
			return nil, err
		}
		if engine == config.SQLite {
			return loadtest.SQLiteScratch(ctx, filepath.Dir(target), readers)
		}
		return loadtest.PostgresScratch(ctx, target, readers)
	}
}

// ceilingCommandName is the hidden command that serves a ceiling in a
// child process of a run.
const ceilingCommandName = "ceiling"

// ceilingCommand is this program serving a ceiling for a run.
func ceilingCommand(databaseURL string, readers int) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, ceilingCommandName, "--connections", strconv.Itoa(readers))
	if databaseURL != "" {
		cmd.Args = append(cmd.Args, "--database-url", databaseURL)
	}
	return cmd
}

// benchCeiling serves a ceiling in the child process of a run, until the
// parent closes its standard input.
func benchCeiling(ctx context.Context, args []string, e env) error {
	fs := newFlagSet(ceilingCommandName, ceilingCommandName+" [--database-url URL] [--connections N]\n\nServes a ceiling of onboard-bench run, which starts it: reads the customers to load from\nstandard input, prints its URL and serves until standard input ends.", e)
	dbURL := fs.String("database-url", "", "the database of the durable ceiling; none for the HTTP-only one")
	readers := fs.Int("connections", 8, "database connections for readers")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	storage, err := ceilingStorage(*dbURL, *readers)(ctx)
	if err != nil {
		return err
	}
	return loadtest.ServeCeiling(ctx, storage, os.Stdin, e.stdout)
}

// benchPartner creates a partner for a run, in the database the server
// uses, opened with the encryption keys of the environment (the server's).
func benchPartner(ctx context.Context, dbURL string, getenv func(string) string) (kyb.Credentials, error) {
	cfg := config.Default()
	if err := cfg.Bind(flag.NewFlagSet("keys", flag.ContinueOnError), getenv, config.KeySettings...); err != nil {
		return kyb.Credentials{}, err
	}
	cfg.DatabaseURL = dbURL
	store, _, err := command.OpenStore(ctx, cfg, nil)
	if err != nil {
		return kyb.Credentials{}, err
	}
	defer store.Close()
	name := "bench " + time.Now().UTC().Format(time.RFC3339)
	return kyb.NewService(store).CreatePartner(ctx, kyb.Actor{Type: kyb.ActorSystem, ID: "bench"}, name, false)
}

func printReport(w io.Writer, r loadtest.Report, o loadtest.Options, rounds int) error {
	length := o.Duration.String()
	if o.Requests > 0 {
		length = fmt.Sprintf("%d requests", o.Requests)
	}
	where := "child processes"
	if r.CeilingsInProcess {
		where = "this process"
	}
	fmt.Fprintf(w, "onboard-bench run: %s at %d connections against %s, %s per measurement in %d rounds after %s warm-up; ceilings in %s\n\n",
		r.Scenario, r.Concurrency, r.URL, length, rounds, o.Warmup, where)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\treq/s\tp50\tp95\tp99\tmax\trequests\terrors\t")
	row := func(name string, s loadtest.Summary) {
		fmt.Fprintf(tw, "%s\t%.1f\t%s\t%s\t%s\t%s\t%d\t%s\t\n", name, s.Throughput, s.P50, s.P95, s.P99, s.Max, s.Requests, errorCounts(s.Errors))
	}
	row("onboard", r.Server)
	statement := "one SELECT by key"
	switch r.Scenario {
	case loadtest.Create:
		statement = "one INSERT"
	case loadtest.Mixed:
		statement = "one INSERT or SELECT"
	}
	if r.CeilingHTTP != nil {
		row("ceiling: HTTP + JSON", *r.CeilingHTTP)
	}
	if r.CeilingDB != nil {
		row("ceiling: + "+statement+" ("+r.Store+")", *r.CeilingDB)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Server.FirstError != "" {
		fmt.Fprintf(w, "\nfirst transport error: %s\n", r.Server.FirstError)
	}
	if r.Server.Errors["429"] > 0 {
		fmt.Fprintln(w, "\nThe server rate-limited the key: start serve with --rate-limit 0, or raise the partner's limit (onboard partners rate-limit).")
	}
	switch {
	case r.CeilingDB != nil:
		fmt.Fprintf(w, "\nonboard reaches %.0f%% of the HTTP + %s ceiling and %.0f%% of the HTTP-only ceiling.\n", r.RatioDB*100, statement, r.RatioHTTP*100)
	case r.CeilingHTTP != nil:
		fmt.Fprintf(w, "\nonboard reaches %.0f%% of the HTTP-only ceiling (give --database-url for the durable one).\n", r.RatioHTTP*100)
	}
	return nil
}

func errorCounts(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
