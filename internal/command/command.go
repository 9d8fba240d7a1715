// Package command is what onboard's programs share about running a
// command line: flag sets that report errors instead of exiting, usage
// errors and exit statuses, and opening the database a --database-url
// names.
package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/sqlite"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// Main runs a program's command line with a context that ends on SIGINT or
// SIGTERM, and exits: 0 when it succeeds or only printed help, 2 when the
// command line cannot be run, 1 for any other error, which it prints after
// the program's name.
func Main(program string, run func(ctx context.Context, args []string) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	os.Exit(exitStatus(program, err, os.Stderr))
}

func exitStatus(program string, err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v\n", program, err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError is a command line that cannot be run.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Usage returns the error of a command line that cannot be run.
func Usage(msg string) error { return usageError{msg} }

// NewFlagSet returns a flag set for a command that reports errors to
// stderr instead of exiting; its --help shows the synopsis, which starts
// with the command's name, after the program's.
func NewFlagSet(program, name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s %s\n\nFlags:\n", program, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// ParseFlags parses args, turning a bad flag into a usage error and
// refusing stray arguments. --help is flag.ErrHelp.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return Usage(err.Error())
	}
	if fs.NArg() > 0 {
		return Usage(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	return nil
}

// OpenStore opens the database a URL names and migrates it.
func OpenStore(ctx context.Context, databaseURL string, opts ...sqlstore.Option) (kyb.Store, error) {
	engine, target, err := config.ParseDatabaseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	if engine == config.SQLite {
		return sqlite.Open(ctx, target, opts...)
	}
	return postgres.Open(ctx, target, opts...)
}
