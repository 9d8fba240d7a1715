// Command onboard-bench measures onboard and fills its databases: it loads
// a running server and compares it with ceilings measured in the same run,
// and bulk-loads realistic customers through the same service that serves
// them. It is kept out of the onboard binary, which ships to production.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/onboardkyb/onboard/internal/command"
)

const usage = `onboard-bench: load tests and bulk loads for onboard

Usage:
  onboard-bench run [--url URL] [--scenario create|get|list|mixed] [--concurrency N] [--duration D]
                                 load a running server and compare it with same-run ceilings
  onboard-bench seed --customers N [--partner ID]
                                 add N realistic customers (for measuring reads at scale)

Both take --database-url (env ONBOARD_DATABASE_URL):
  sqlite:PATH (seed's default: sqlite:./data/onboard.db) or postgres://USER@HOST:PORT/DB

Run "onboard-bench COMMAND --help" for a command's flags.
`

// env is what a command may touch of the outside world, so that tests can
// run the whole program in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

func main() {
	command.Main("onboard-bench", func(ctx context.Context, args []string) error {
		return run(ctx, args, env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	})
}

// run runs one command line.
func run(ctx context.Context, args []string, e env) error {
	name := ""
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	switch name {
	case "run":
		return bench(ctx, args, e)
	case "seed":
		return seed(ctx, args, e)
	case ceilingCommandName: // started by run, not listed
		return benchCeiling(ctx, args, e)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	if name == "" {
		return command.Usage("no command given")
	}
	return command.Usage(fmt.Sprintf("unknown command %q", name))
}

// newFlagSet returns a flag set for a command of this program.
func newFlagSet(name, synopsis string, e env) *flag.FlagSet {
	return command.NewFlagSet("onboard-bench", name, synopsis, e.stderr)
}
