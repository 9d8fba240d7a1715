package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
)

// Bench is one measured run against a server, with its ceilings.
type Bench struct {
	// URL is the server's base URL.
	URL      string
	Workload Workload
	Options  Options
	// Docs is how many existing customers reads are spread over.
	Docs int
	// HTTPCeiling and DBCeiling start the ceilings: the same HTTP and
	// JSON work without storage, and with one durable statement on the
	// server's database. A nil one is not measured.
	HTTPCeiling, DBCeiling Starter
	// Store names the server's database engine, for the report.
	Store string
	// Rounds is how many turns the server and the ceilings take.
	Rounds int
}

// Report is what a bench run found. The ratios are the server's
// throughput over each ceiling's, measured at the same concurrency in the
// same run.
type Report struct {
	Scenario    Scenario `json:"scenario"`
	Concurrency int      `json:"concurrency"`
	URL         string   `json:"url"`
	Store       string   `json:"store,omitempty"`
	Server      Summary  `json:"server"`
	// CeilingHTTP is the same HTTP and JSON work without storage.
	CeilingHTTP *Summary `json:"ceiling_http,omitempty"`
	// CeilingDB adds one durable INSERT (create) or one SELECT by key
	// (get and list) on the server's database.
	CeilingDB *Summary `json:"ceiling_db,omitempty"`
	RatioHTTP float64  `json:"ratio_to_ceiling_http,omitempty"`
	RatioDB   float64  `json:"ratio_to_ceiling_db,omitempty"`
	// CeilingsInProcess says whether the ceilings ran in the load
	// generator's process rather than in a process of their own.
	CeilingsInProcess bool `json:"ceilings_in_process,omitempty"`
}

// Run starts the ceilings and measures them and the server in turns.
func (b Bench) Run(ctx context.Context) (r Report, err error) {
	w := b.Workload
	conc := max(b.Options.Concurrency, 1)
	r = Report{Scenario: w.Scenario, Concurrency: conc, URL: b.URL, Store: b.Store}
	if w.NeedsDocs() {
		docs, err := w.FindDocs(ctx, b.URL, NewClient(8), max(b.Docs, 1))
		if err != nil {
			return r, fmt.Errorf("find customers to read: %w", err)
		}
		w.Docs = docs
	}
	procs := runtime.GOMAXPROCS(0)
	targets := []Target{{Do: w.Driver(b.URL, NewClient(conc), conc), Procs: procs}}
	var stops []func() error
	defer func() {
		for _, stop := range stops {
			err = errors.Join(err, stop())
		}
	}()
	for _, start := range []Starter{b.HTTPCeiling, b.DBCeiling} {
		if start == nil {
			continue
		}
		c, err := start(ctx, w.Docs, w.Limit)
		if err != nil {
			return r, fmt.Errorf("start ceiling: %w", err)
		}
		stops = append(stops, c.Stop)
		t := Target{Do: w.Driver(c.URL, NewClient(conc), conc), Procs: procs}
		if c.InProcess {
			// The ceiling shares this process's threads with the load
			// generator, where the server has a process of its own. On a
			// busy machine, where every runnable thread gets its share of
			// the cores, that would handicap it, so it gets as many
			// threads as the server and the generator have together.
			t.Procs, r.CeilingsInProcess = 2*procs, true
		}
		targets = append(targets, t)
	}
	s := Compare(ctx, b.Options, b.Rounds, targets)
	r.Server, s = s[0], s[1:]
	if b.HTTPCeiling != nil {
		r.CeilingHTTP, r.RatioHTTP, s = &s[0], Ratio(r.Server, s[0]), s[1:]
	}
	if b.DBCeiling != nil {
		r.CeilingDB, r.RatioDB = &s[0], Ratio(r.Server, s[0])
	}
	return r, ctx.Err()
}

// Starter starts a ceiling serving docs, with list pages of up to limit.
type Starter func(ctx context.Context, docs []Doc, limit int) (*Running, error)

// Running is a started ceiling.
type Running struct {
	URL string
	// InProcess says whether it shares this process with the load
	// generator.
	InProcess bool
	Stop      func() error
}

// InProcess starts ceilings in this process, on the storage open returns.
func InProcess(open func(ctx context.Context) (Storage, error)) Starter {
	return func(ctx context.Context, docs []Doc, limit int) (*Running, error) {
		storage, err := open(ctx)
		if err != nil {
			return nil, err
		}
		c, err := StartCeiling(ctx, storage, docs, limit)
		if err != nil {
			storage.Close()
			return nil, err
		}
		return &Running{URL: c.URL, InProcess: true, Stop: c.Close}, nil
	}
}

// ceilingInput is what a child process serving a ceiling reads.
type ceilingInput struct {
	Limit int   `json:"limit"`
	Docs  []Doc `json:"docs"`
}

// InChild starts ceilings in a child process, made by cmd, that runs
// ServeCeiling on its standard input and output; what it says on its
// standard error becomes part of the error if it fails. The server is
// measured across a process boundary, so its ceilings are too: a request
// that stays within one process skips the wake-ups of another, which for
// a cheap request is a third of its cost.
func InChild(cmd func() *exec.Cmd) Starter {
	return func(ctx context.Context, docs []Doc, limit int) (*Running, error) {
		c := cmd()
		var stderr bytes.Buffer
		c.Stderr = &stderr
		stdin, err := c.StdinPipe()
		if err != nil {
			return nil, err
		}
		stdout, err := c.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := c.Start(); err != nil {
			return nil, fmt.Errorf("start ceiling process: %w", err)
		}
		stop := func() error {
			stdin.Close()
			if err := c.Wait(); err != nil {
				return fmt.Errorf("ceiling process: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
			}
			return nil
		}
		line, err := func() (string, error) {
			if err := json.NewEncoder(stdin).Encode(ceilingInput{Limit: limit, Docs: docs}); err != nil {
				return "", err
			}
			return bufio.NewReader(stdout).ReadString('\n')
		}()
		if err != nil {
			return nil, errors.Join(fmt.Errorf("ceiling process: %w", err), stop())
		}
		return &Running{URL: strings.TrimSpace(line), Stop: stop}, nil
	}
}

// ServeCeiling is the child process of InChild: it reads the documents
// to load from r, starts a ceiling on storage, writes its URL and a
// newline to w, and serves until r ends, when the parent closes it or
// dies, or ctx does.
func ServeCeiling(ctx context.Context, storage Storage, r io.Reader, w io.Writer) error {
	br := bufio.NewReader(r)
	var in ceilingInput
	if err := json.NewDecoder(br).Decode(&in); err != nil {
		storage.Close()
		return fmt.Errorf("read ceiling documents: %w", err)
	}
	c, err := StartCeiling(ctx, storage, in.Docs, in.Limit)
	if err != nil {
		storage.Close()
		return err
	}
	if _, err := fmt.Fprintln(w, c.URL); err != nil {
		return errors.Join(err, c.Close())
	}
	ended := make(chan struct{})
	go func() { io.Copy(io.Discard, br); close(ended) }()
	select {
	case <-ended:
	case <-ctx.Done():
	}
	return c.Close()
}
