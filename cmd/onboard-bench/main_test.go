package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/drill"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// runCLI runs an onboard-bench command line in-process, with an empty
// environment, and returns what it printed.
func runCLI(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }})
	return out.String(), errOut.String(), err
}

// cli is runCLI for commands expected to work: their standard output, or
// their error followed by what they printed on standard error.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	stdout, stderr, err := runCLI(args...)
	if err != nil {
		return stdout, fmt.Errorf("%w\n%s", err, stderr)
	}
	return stdout, nil
}

// startServe runs the onboard binary's serve on dbURL with the rate limit
// off, as a separate process, until the test ends.
func startServe(t *testing.T, dbURL string) *drill.Server {
	t.Helper()
	bin, err := drill.Build()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := drill.Serve(bin, "--database-url", dbURL, "--rate-limit", "0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Kill)
	return srv
}

func TestHelp(t *testing.T) {
	out, err := cli(t, "help")
	if err != nil || !strings.Contains(out, "onboard-bench run") || !strings.Contains(out, "onboard-bench seed") {
		t.Errorf("help = %q, %v; want the usage naming run and seed", out, err)
	}
	for _, name := range []string{"run", "seed"} {
		_, stderr, err := runCLI(name, "--help")
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "Usage: onboard-bench "+name) {
			t.Errorf("%s --help = %v, printing %q; want flag.ErrHelp and its usage", name, err, stderr)
		}
	}
}
