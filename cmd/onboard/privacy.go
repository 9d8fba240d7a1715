package main

import (
	"context"
	"fmt"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
)

func customersErase(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("customers erase", "customers erase CUSTOMER_ID --reason TEXT [--database-url URL]", e)
	reason := fs.String("reason", "", "why, for the audit trail (required)")
	id, args, err := leadingID(fs, args, "the customer id")
	if err != nil {
		return err
	}
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		c, err := svc.EraseCustomer(ctx, cliActor, id, kyb.Erasure{Reason: *reason})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s: personal data erased; its data key is destroyed\n", c.ID)
		return err
	})
}

func customersEraseExpired(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("customers erase-expired", "customers erase-expired [--retain-rejected DURATION] [--database-url URL]", e)
	settings := []string{"database-url", "retain-rejected"}
	return openService(ctx, fs, args, e, settings, nil, nil, func(cfg config.Config, svc *kyb.Service) error {
		n, err := svc.EraseExpired(ctx, cfg.RetainRejected)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "erased %d customers rejected more than %s ago\n", n, cfg.RetainRejected)
		return err
	})
}

func keysRotateEncryption(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("keys rotate-encryption", "keys rotate-encryption [--batch N] [--database-url URL]", e)
	batch := fs.Int("batch", 500, "values re-wrapped per transaction")
	check := func() error {
		if *batch < 1 {
			return command.Usage("keys rotate-encryption: --batch must be at least 1")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		n, err := svc.RotateEncryption(ctx, *batch, func(done int) { fmt.Fprintf(e.stderr, "re-wrapped %d\n", done) })
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "everything is under the newest key; re-wrapped %d values\n", n)
		return err
	})
}
