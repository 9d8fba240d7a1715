// Command onboard is the customer-onboarding service: it serves the partner
// API and administers partners and keys on the same database.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/onboardkyb/onboard/internal/command"
)

const usage = `onboard: customer onboarding (KYB) for payment platforms

Usage:
  onboard serve [flags]                   serve the API (default 127.0.0.1:8083, SQLite in ./data)
  onboard migrate [flags]                 bring the database schema up to date
  onboard partners create --name NAME [--json]
                                          create a partner and print its first API key and secret
  onboard partners list [--json]          list partners
  onboard partners policy ID [--set manual|auto_approve_clean]
                                          show or set how a partner's new customers are decided
  onboard partners rate-limit ID [--rps N --burst M | --default]
                                          show or set the rate limit of each of a partner's API keys
  onboard keys create --partner ID [--json]
                                          issue another key for a partner (at most two live keys)
  onboard keys revoke KEY                 revoke a key; it stops working within 5 seconds
  onboard keys rotate-encryption [--batch N]
                                          re-wrap everything encrypted under an older encryption key with the newest
  onboard operators create --name NAME [--admin] [--json]
                                          create a compliance operator and print their admin API token
  onboard operators create --name NAME --email EMAIL --role reviewer|admin [--console-url URL] [--json]
                                          create an operator with a console account and print its one-time set-up link
  onboard operators reset ID [--email EMAIL] [--console-url URL] [--json]
                                          clear an operator's console password and second factor, end their sessions, print a new set-up link
  onboard operators list [--json]         list operators, their console account, token expiry and whether disabled
  onboard operators disable ID            refuse an operator's token from now on, on every instance
  onboard operators rotate-token ID [--json]
                                          issue an operator a new token (shown once); the old one stops working
  onboard customers list [--status pending] [--partner ID]
                                          the review queue, oldest first
  onboard customers review ID --status active|rejected|suspended --reason TEXT
                                          decide on a customer (recorded in the audit trail)
  onboard customers request-info ID --kind field|document|question [--field PATH] [--file-type TYPE] --message TEXT [--due 168h]
                                          ask the customer's partner to correct a field, provide a file or answer
  onboard customers erase ID --reason TEXT
                                          erase a customer's personal data (not while active)
  onboard customers erase-expired [--retain-rejected 43800h]
                                          erase customers rejected longer ago than the retention period
  onboard lists import --source ofac-sdn --dir DIR | --source un --file FILE
                                          import a sanctions list as its new snapshot (unchanged files: none)
  onboard lists list                      the imported snapshots, the one in force of each source first
  onboard lists update [--source ofac-sdn|un]
                                          fetch the lists from their publishers and import what changed
  onboard lists rescreen                  re-screen every customer against the lists in force, to the end (serve does it too)
  onboard lists status [--limit N]        the re-screening jobs: snapshots, customers done of total, started, finished
  onboard customers clear-review ID --reason TEXT
                                          clear the mark for review that monitoring set on an active customer
  onboard webhooks create --partner ID --url URL [--json]
                                          register a partner's endpoint and print its signing secret
  onboard webhooks list --partner ID      list a partner's endpoints
  onboard webhooks delete --partner ID --endpoint ID
  onboard webhooks rotate-secret --partner ID --endpoint ID [--json]
  onboard webhooks redeliver --event ID   send an event again
  onboard audit verify [--head SEQ:HASH]  walk the audit trail's hash chain; exit 1 at its first broken link

Every command takes --database-url (env ONBOARD_DATABASE_URL):
  sqlite:PATH (default sqlite:./data/onboard.db) or postgres://USER@HOST:PORT/DB
and the encryption keys (env ONBOARD_ENCRYPTION_KEYS, ONBOARD_ENCRYPTION_KEY_FILE
or ONBOARD_FILE_ENCRYPTION_KEY; on SQLite a key beside the database by default).

Run "onboard COMMAND --help" for a command's flags. Load tests and bulk
loads are another command, onboard-bench (go run ./cmd/onboard-bench --help).
`

// env is what a command may touch of the outside world, so that tests can
// run the whole program in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// listening, when set, is told the address serve listens on.
	listening func(addr string)
}

func main() {
	command.Main("onboard", func(ctx context.Context, args []string) error {
		return run(ctx, args, env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	})
}

// run runs one command line.
func run(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return command.Usage("no command given")
	}
	cmd, rest := args[0], args[1:]
	sub := ""
	if len(rest) > 0 {
		sub = rest[0]
	}
	switch {
	case cmd == "help" || cmd == "-h" || cmd == "--help" || cmd == "-help":
		fmt.Fprint(e.stdout, usage)
		return nil
	case cmd == "serve":
		return serve(ctx, rest, e)
	case cmd == "migrate":
		return migrate(ctx, rest, e)
	case cmd == "partners" && sub == "create":
		return partnersCreate(ctx, rest[1:], e)
	case cmd == "partners" && sub == "list":
		return partnersList(ctx, rest[1:], e)
	case cmd == "partners" && sub == "policy":
		return partnersPolicy(ctx, rest[1:], e)
	case cmd == "partners" && sub == "rate-limit":
		return partnersRateLimit(ctx, rest[1:], e)
	case cmd == "keys" && sub == "create":
		return keysCreate(ctx, rest[1:], e)
	case cmd == "keys" && sub == "revoke":
		return keysRevoke(ctx, rest[1:], e)
	case cmd == "operators" && sub == "create":
		return operatorsCreate(ctx, rest[1:], e)
	case cmd == "operators" && sub == "reset":
		return operatorsReset(ctx, rest[1:], e)
	case cmd == "operators" && sub == "list":
		return operatorsList(ctx, rest[1:], e)
	case cmd == "operators" && sub == "disable":
		return operatorsDisable(ctx, rest[1:], e)
	case cmd == "operators" && sub == "rotate-token":
		return operatorsRotateToken(ctx, rest[1:], e)
	case cmd == "customers" && sub == "list":
		return customersList(ctx, rest[1:], e)
	case cmd == "customers" && sub == "review":
		return customersReview(ctx, rest[1:], e)
	case cmd == "customers" && sub == "request-info":
		return customersRequestInfo(ctx, rest[1:], e)
	case cmd == "customers" && sub == "erase":
		return customersErase(ctx, rest[1:], e)
	case cmd == "customers" && sub == "erase-expired":
		return customersEraseExpired(ctx, rest[1:], e)
	case cmd == "lists" && sub == "import":
		return listsImport(ctx, rest[1:], e)
	case cmd == "lists" && sub == "list":
		return listsList(ctx, rest[1:], e)
	case cmd == "lists" && sub == "update":
		return listsUpdate(ctx, rest[1:], e)
	case cmd == "lists" && sub == "rescreen":
		return listsRescreen(ctx, rest[1:], e)
	case cmd == "lists" && sub == "status":
		return listsStatus(ctx, rest[1:], e)
	case cmd == "customers" && sub == "clear-review":
		return customersClearReview(ctx, rest[1:], e)
	case cmd == "keys" && sub == "rotate-encryption":
		return keysRotateEncryption(ctx, rest[1:], e)
	case cmd == "webhooks" && sub == "create":
		return webhooksCreate(ctx, rest[1:], e)
	case cmd == "webhooks" && sub == "list":
		return webhooksList(ctx, rest[1:], e)
	case cmd == "webhooks" && sub == "delete":
		return webhooksDelete(ctx, rest[1:], e)
	case cmd == "webhooks" && sub == "rotate-secret":
		return webhooksRotate(ctx, rest[1:], e)
	case cmd == "webhooks" && sub == "redeliver":
		return webhooksRedeliver(ctx, rest[1:], e)
	case cmd == "audit" && sub == "verify":
		return auditVerify(ctx, rest[1:], e)
	}
	fmt.Fprint(e.stderr, usage)
	return command.Usage(fmt.Sprintf("unknown command %q", joinArgs(cmd, sub)))
}

func joinArgs(cmd, sub string) string {
	if sub == "" {
		return cmd
	}
	return cmd + " " + sub
}

// newFlagSet returns a flag set for a command of this program.
func newFlagSet(name, synopsis string, e env) *flag.FlagSet {
	return command.NewFlagSet("onboard", name, synopsis, e.stderr)
}

// leadingID returns the id a command takes before its flags (onboard
// customers review ID --status …) and the arguments after it. Without an
// id, --help and bad flags are answered as every command answers them,
// and otherwise the usage is printed: define the flags first, so that
// the usage lists them. what names the id in the error ("the customer
// id").
func leadingID(fs *flag.FlagSet, args []string, what string) (string, []string, error) {
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		return args[0], args[1:], nil
	}
	if err := command.ParseFlags(fs, args); err != nil {
		return "", nil, err // the flag package has printed the usage
	}
	fs.Usage()
	return "", nil, command.Usage(fs.Name() + ": " + what + " is required")
}
