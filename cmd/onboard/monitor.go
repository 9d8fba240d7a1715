package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// rescreenOptions are the service options of re-screening's settings:
// the risk flags' (it writes each customer's risk), its delay and lease.
func rescreenOptions(cfg config.Config) ([]kyb.Option, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return screeningOptions(cfg), nil
}

// screeningOptions are the service options of the settings of screening,
// risk and re-screening, which serve and lists rescreen share.
func screeningOptions(cfg config.Config) []kyb.Option {
	return []kyb.Option{riskPolicy(cfg), kyb.WithRescreenDelay(cfg.RescreenDelay), kyb.WithRescreenLease(cfg.RescreenLease)}
}

// riskPolicy is the service option of the risk flags' and screening's
// settings.
func riskPolicy(cfg config.Config) kyb.Option {
	return kyb.WithRiskPolicy(kyb.RiskPolicy{HighRiskCountries: cfg.HighRiskCountries, MinRegistrationAge: cfg.MinRegistrationAge, ScreeningThreshold: cfg.ScreeningThreshold})
}

// monitorInterval is how often serve looks for re-screening work: a new
// set of snapshots in force, or a batch whose worker died.
const monitorInterval = 5 * time.Second

// workerID names this process's re-screening worker in the leases it
// holds: host, process and a random part.
func workerID() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// runMonitoring re-screens customers in the background whenever the lists
// in force change, until the returned stop is called. Instances share the
// work batch by batch; one killed mid-batch leaves its batch to the others
// once the lease ends.
func runMonitoring(ctx context.Context, svc *kyb.Service, log *slog.Logger) (stop func()) {
	owner := workerID()
	return runEvery(ctx, monitorInterval, func(ctx context.Context) {
		n, err := svc.RunRescreen(ctx, owner)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("monitoring: re-screening failed", "err", err)
		case n > 0:
			logRescreen(ctx, svc, log, n)
		}
	})
}

// logRescreen logs the progress of the newest job after this instance did
// n of its batches.
func logRescreen(ctx context.Context, svc *kyb.Service, log *slog.Logger, n int) {
	jobs, err := svc.RescreenJobs(ctx, 1)
	if err != nil || len(jobs) == 0 {
		return
	}
	j := jobs[0]
	log.Info("monitoring: re-screened customers", "job", j.ID, "batches_here", n, "done", j.DoneCustomers, "total", j.Customers,
		"flagged", j.Flagged, "finished", !j.FinishedAt.IsZero())
}

func listsRescreen(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("lists rescreen", "lists rescreen [--rescreen-delay D] [--rescreen-lease D] [--database-url URL]", e)
	return openService(ctx, fs, args, e, []string{"database-url", "high-risk-countries", "min-registration-age", "screening-threshold", "rescreen-delay", "rescreen-lease"}, nil, rescreenOptions,
		func(_ config.Config, svc *kyb.Service) error {
			owner := workerID()
			for {
				if _, err := svc.RunRescreen(ctx, owner); err != nil {
					return err
				}
				j, started, current, err := svc.RescreenInForce(ctx)
				switch {
				case err != nil:
					return err
				case len(current) == 0:
					_, err := fmt.Fprintln(e.stdout, "no list imported: nothing to re-screen against")
					return err
				case !started:
					fmt.Fprintln(e.stderr, "waiting out --rescreen-delay after the last import, for every instance to screen against it")
				case !j.FinishedAt.IsZero():
					_, err := fmt.Fprintf(e.stdout, "%s: %d of %d customers re-screened against %s, %d marked for review, finished %s\n",
						j.ID, j.DoneCustomers, j.Customers, strings.Join(j.Snapshots, ", "), j.Flagged, kyb.FormatTime(j.FinishedAt))
					return err
				default:
					// Other workers hold the rest.
					fmt.Fprintf(e.stderr, "%s: %d of %d customers re-screened; waiting for the batches other workers hold\n", j.ID, j.DoneCustomers, j.Customers)
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Second):
				}
			}
		})
}

func listsStatus(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("lists status", "lists status [--limit N] [--database-url URL]", e)
	limit := fs.Int("limit", 10, "how many jobs to show, newest first (1 to 100)")
	check := func() error {
		if *limit < 1 || *limit > 100 {
			return command.Usage("lists status: --limit must be from 1 to 100")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		jobs, err := svc.RescreenJobs(ctx, *limit)
		if err != nil {
			return err
		}
		return printRescreenJobs(e.stdout, jobs)
	})
}

// printRescreenJobs writes the re-screening jobs as a table.
func printRescreenJobs(w io.Writer, jobs []kyb.RescreenJob) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSTATE\tSNAPSHOTS\tCUSTOMERS\tBATCHES\tFLAGGED\tSTARTED\tFINISHED")
	for _, j := range jobs {
		state, finished := "running", "-"
		switch {
		case !j.FinishedAt.IsZero():
			state, finished = "finished", kyb.FormatTime(j.FinishedAt)
		case !j.SupersededAt.IsZero():
			state = "superseded"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%d/%d\t%d\t%s\t%s\n", j.ID, state, strings.Join(j.Snapshots, ","),
			j.DoneCustomers, j.Customers, j.DoneBatches, j.Batches, j.Flagged, kyb.FormatTime(j.StartedAt), finished)
	}
	return tw.Flush()
}

func customersClearReview(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("customers clear-review", "customers clear-review ID --reason TEXT [--database-url URL]", e)
	reason := fs.String("reason", "", "why the customer needs no other action than the mark's removal (required; kept in the audit trail)")
	id, args, err := leadingID(fs, args, "the customer id")
	if err != nil {
		return err
	}
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		c, err := svc.ClearReview(ctx, cliActor, id, kyb.ReviewClearance{Reason: *reason})
		if err != nil {
			return err
		}
		if c.NeedsReview {
			_, err = fmt.Fprintf(e.stdout, "%s: clearance recorded; its risk is high, so it stays marked for review until a second operator clears it too\n", c.ID)
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s: no longer marked for review; still %s\n", c.ID, c.Status)
		return err
	})
}
