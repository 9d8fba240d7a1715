package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

// listUpdate is what updating one source came to.
type listUpdate struct {
	source   string
	snapshot kyb.ListSnapshot
	imported bool
	err      error
}

func (u listUpdate) String() string {
	switch {
	case u.err != nil:
		return fmt.Sprintf("%s: refused, the snapshot in force stays: %v", u.source, u.err)
	case !u.imported:
		return fmt.Sprintf("%s: unchanged, snapshot %s (sha256 %s) stays in force", u.source, u.snapshot.ID, u.snapshot.SHA256)
	}
	return fmt.Sprintf("%s: imported snapshot %s: %d entries, %d aliases, sha256 %s", u.source, u.snapshot.ID, u.snapshot.Entries, u.snapshot.Aliases, u.snapshot.SHA256)
}

// updateLists fetches the publication of each source from the configured
// URL and imports it unless it is the snapshot in force already. A source
// that cannot be fetched or parsed leaves its snapshot in force and the
// others go on.
func updateLists(ctx context.Context, svc *kyb.Service, actor kyb.Actor, cfg config.Config, sources []string) []listUpdate {
	urls := map[string]string{screening.SourceOFAC: cfg.OFACSDNURL, screening.SourceUN: cfg.UNListURL}
	var out []listUpdate
	for _, source := range sources {
		u := listUpdate{source: source}
		l, err := screening.Fetcher{}.Fetch(ctx, source, urls[source])
		if err == nil {
			u.snapshot, u.imported, err = svc.ImportList(ctx, actor, l)
		}
		u.err = err
		out = append(out, u)
	}
	return out
}

func listsUpdate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("lists update", "lists update [--source ofac-sdn|un] [--ofac-sdn-url URL] [--un-list-url URL] [--database-url URL]", e)
	source := fs.String("source", "", "update only this list: ofac-sdn or un (default both)")
	check := func() error {
		switch *source {
		case "", screening.SourceOFAC, screening.SourceUN:
			return nil
		}
		return command.Usage("lists update: --source must be ofac-sdn or un")
	}
	return openService(ctx, fs, args, e, []string{"database-url", "ofac-sdn-url", "un-list-url"}, check, nil, func(cfg config.Config, svc *kyb.Service) error {
		if err := cfg.Validate(); err != nil {
			return err
		}
		sources := []string{screening.SourceOFAC, screening.SourceUN}
		if *source != "" {
			sources = []string{*source}
		}
		var errs []error
		for _, u := range updateLists(ctx, svc, cliActor, cfg, sources) {
			fmt.Fprintln(e.stdout, u)
			if u.err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", u.source, u.err))
			}
		}
		return errors.Join(errs...)
	})
}

// runListUpdates updates the lists every interval in serve, until the
// returned stop is called; an interval of 0 does nothing.
func runListUpdates(ctx context.Context, svc *kyb.Service, cfg config.Config, log *slog.Logger) (stop func()) {
	if cfg.ListUpdateInterval <= 0 {
		return func() {}
	}
	actor := kyb.Actor{Type: kyb.ActorSystem, ID: "list-update"}
	return runEvery(ctx, cfg.ListUpdateInterval, func(ctx context.Context) {
		for _, u := range updateLists(ctx, svc, actor, cfg, []string{screening.SourceOFAC, screening.SourceUN}) {
			switch {
			case u.err != nil && ctx.Err() == nil:
				log.Error("lists: update refused; the snapshot in force stays", "source", u.source, "err", u.err)
			case u.imported:
				log.Info("lists: imported a new snapshot", "source", u.source, "snapshot", u.snapshot.ID, "entries", u.snapshot.Entries, "sha256", u.snapshot.SHA256)
			}
		}
	})
}
