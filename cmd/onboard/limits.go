package main

import (
	"context"
	"fmt"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// partnersRateLimit shows, sets or removes a partner's own rate limit.
func partnersRateLimit(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("partners rate-limit", "partners rate-limit PARTNER_ID [--rps N --burst M | --default] [--database-url URL]", e)
	rps := fs.String("rps", "", "requests a second each of the partner's API keys may make on average (with --burst)")
	burst := fs.String("burst", "", "requests a key may make at once after a pause (with --rps)")
	toDefault := fs.Bool("default", false, "remove the partner's own limit, so that its keys get serve's --rate-limit and --rate-burst again")
	id, args, err := leadingID(fs, args, "the partner id")
	if err != nil {
		return err
	}
	check := func() error {
		switch {
		case *toDefault && (*rps != "" || *burst != ""):
			return command.Usage("partners rate-limit: --default goes without --rps and --burst")
		case (*rps == "") != (*burst == ""):
			return command.Usage("partners rate-limit: --rps and --burst go together")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		changed := *toDefault || *rps != ""
		if changed {
			var l kyb.RateLimit
			if !*toDefault {
				var err error
				if l, err = kyb.ParseRateLimit(*rps, *burst); err != nil {
					return err
				}
			}
			if err := svc.SetRateLimit(ctx, cliActor, id, l); err != nil {
				return err
			}
		}
		l, err := svc.PartnerRateLimit(ctx, id)
		if err != nil {
			return err
		}
		what := l.String() + " for each API key"
		if l.IsZero() {
			what = "the default rate limit (serve's --rate-limit and --rate-burst)"
		}
		fmt.Fprintf(e.stdout, "%s: %s\n", id, what)
		if changed {
			fmt.Fprintf(e.stdout, "every instance applies it within %s; each counts requests on its own\n", kyb.KeyCacheTTL)
		}
		return nil
	})
}
