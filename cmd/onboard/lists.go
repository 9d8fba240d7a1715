package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

func listsImport(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("lists import", "lists import --source ofac-sdn --dir DIR | --source un --file FILE [--database-url URL]", e)
	source := fs.String("source", "", "the list: ofac-sdn (its sdn.csv, alt.csv and add.csv in --dir) or un (the Consolidated List XML in --file)")
	dir := fs.String("dir", "", "the folder of the OFAC SDN list's CSV files")
	file := fs.String("file", "", "the UN Consolidated List's XML file")
	check := func() error {
		switch {
		case *source == screening.SourceOFAC && *dir != "" && *file == "":
		case *source == screening.SourceUN && *file != "" && *dir == "":
		default:
			return command.Usage("lists import: give --source ofac-sdn --dir DIR or --source un --file FILE")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		l, err := readList(*source, *dir, *file)
		if err != nil {
			return err
		}
		snap, imported, err := svc.ImportList(ctx, cliActor, l)
		if err != nil {
			return err
		}
		if !imported {
			_, err = fmt.Fprintf(e.stdout, "%s: unchanged, snapshot %s (sha256 %s) stays in force\n", snap.Source, snap.ID, snap.SHA256)
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s: imported snapshot %s: %d entries, %d aliases, sha256 %s\n", snap.Source, snap.ID, snap.Entries, snap.Aliases, snap.SHA256)
		return err
	})
}

// readList parses a publication from its files.
func readList(source, dir, file string) (screening.List, error) {
	if source == screening.SourceUN {
		f, err := os.Open(file)
		if err != nil {
			return screening.List{}, err
		}
		defer f.Close()
		return screening.ParseUN(f)
	}
	var files [3]*os.File
	for i, name := range []string{"sdn.csv", "alt.csv", "add.csv"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return screening.List{}, err
		}
		defer f.Close()
		files[i] = f
	}
	return screening.ParseOFAC(files[0], files[1], files[2])
}

func listsList(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("lists list", "lists list [--database-url URL]", e)
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		snaps, err := svc.ListSnapshots(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SNAPSHOT\tSOURCE\tIN FORCE\tPUBLISHED\tENTRIES\tALIASES\tIMPORTED\tSHA256")
		current := map[string]bool{}
		for _, s := range snaps {
			inForce := !current[s.Source]
			current[s.Source] = true
			published := "-"
			if !s.PublishedAt.IsZero() {
				published = kyb.FormatTime(s.PublishedAt)
			}
			fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t%d\t%d\t%s\t%s\n", s.ID, s.Source, inForce, published, s.Entries, s.Aliases, kyb.FormatTime(s.ImportedAt), s.SHA256)
		}
		return tw.Flush()
	})
}

func partnersPolicy(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("partners policy", "partners policy PARTNER_ID [--set manual|auto_approve_clean] [--database-url URL]", e)
	set := fs.String("set", "", "the new policy: manual (every new customer waits for review) or auto_approve_clean (a customer screened with no hit and no risk flag is approved at create)")
	id, args, err := leadingID(fs, args, "the partner id")
	if err != nil {
		return err
	}
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		if *set != "" {
			if err := svc.SetPolicy(ctx, cliActor, id, kyb.DecisionPolicy(*set)); err != nil {
				return err
			}
		}
		p, err := svc.PartnerPolicy(ctx, id)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s: decision policy %s\n", id, p)
		return err
	})
}
