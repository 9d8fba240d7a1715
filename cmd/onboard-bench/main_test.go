package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/drill"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// cli runs an onboard-bench command line in-process and returns its
// standard output, or its error with its standard error.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
	if err != nil {
		return stdout.String(), errors.Join(err, errors.New(stderr.String()))
	}
	return stdout.String(), nil
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
		var stderr bytes.Buffer
		err := run(context.Background(), []string{name, "--help"}, env{stdout: &stderr, stderr: &stderr, getenv: func(string) string { return "" }})
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "Usage: onboard-bench "+name) {
			t.Errorf("%s --help = %v, printing %q; want flag.ErrHelp and its usage", name, err, stderr.String())
		}
	}
}
