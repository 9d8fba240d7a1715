package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
	"github.com/onboardkyb/onboard/internal/storetest"
)

const listTestdata = "../../internal/screening/testdata"

// TestListsImport imports the excerpts of both lists on each store, again
// unchanged, and a damaged file, which must leave the snapshot in force
// as it was; the entries read back from the database match as parsed.
func TestListsImport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL := ownDatabase(t, e)
		ofacDir := filepath.Join(listTestdata, "ofac-sdn")
		unFile := filepath.Join(listTestdata, "un", "consolidated.xml")
		out, err := cli(t, "lists", "import", "--source", "ofac-sdn", "--dir", ofacDir, "--database-url", dbURL)
		if err != nil || !strings.Contains(out, "ofac-sdn: imported snapshot lst_") || !strings.Contains(out, "45 entries") {
			t.Fatalf("lists import ofac-sdn = %s, %v", out, err)
		}
		if out, err := cli(t, "lists", "import", "--source", "un", "--file", unFile, "--database-url", dbURL); err != nil || !strings.Contains(out, "18 entries") {
			t.Fatalf("lists import un = %s, %v", out, err)
		}
		if out, err := cli(t, "lists", "import", "--source", "un", "--file", unFile, "--database-url", dbURL); err != nil || !strings.Contains(out, "unchanged") {
			t.Errorf("the same file again = %s, %v; want unchanged", out, err)
		}

		// A damaged publication is refused, naming where, and changes nothing.
		damaged := t.TempDir()
		for _, name := range []string{"sdn.csv", "alt.csv", "add.csv"} {
			b, err := os.ReadFile(filepath.Join(ofacDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if name == "sdn.csv" {
				b = b[:len(b)/2] // cut short
			}
			os.WriteFile(filepath.Join(damaged, name), b, 0o600)
		}
		if out, err := cli(t, "lists", "import", "--source", "ofac-sdn", "--dir", damaged, "--database-url", dbURL); err == nil || !strings.Contains(err.Error(), "sdn.csv") {
			t.Errorf("a cut file = %s, %v; want it refused naming sdn.csv", out, err)
		}
		listed, err := cli(t, "lists", "list", "--database-url", dbURL)
		if err != nil || strings.Count(listed, "lst_") != 2 || strings.Count(listed, "true") != 2 {
			t.Errorf("lists list = %s, %v; want the two snapshots, both in force", listed, err)
		}
		if _, err := cli(t, "lists", "import", "--source", "ofac-sdn", "--database-url", dbURL); err == nil {
			t.Error("lists import without --dir succeeded")
		}

		svc := serviceAt(t, dbURL)
		lists, err := svc.CurrentLists(context.Background())
		if err != nil || len(lists) != 2 {
			t.Fatalf("CurrentLists = %d lists, %v", len(lists), err)
		}
		hits := screening.NewIndex(lists...).Screen(screening.Query{Name: "Manuel Noriega", Kind: screening.KindPerson}, screening.DefaultThreshold)
		if len(hits) == 0 || hits[0].EntryID != "1572" {
			t.Errorf("screening against the lists read back = %+v, want NORIEGA (1572)", hits)
		}
		snapshot := strings.TrimSuffix(strings.Fields(strings.SplitN(out, "snapshot ", 2)[1])[0], ":")
		events, err := svc.AuditTrail(context.Background(), kyb.AuditFilter{TargetID: snapshot})
		if err != nil || len(events) != 1 || events[0].Action != kyb.ActionListImported {
			t.Errorf("audit of snapshot %s = %+v, %v; want its import", snapshot, events, err)
		}
	})
}

func TestPartnersPolicy(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	out, err := cli(t, "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	id := jsonCredentials(t, out).PartnerID
	if out, err := cli(t, "partners", "policy", id, "--database-url", dbURL); err != nil || !strings.Contains(out, "decision policy manual") {
		t.Errorf("partners policy = %s, %v; want manual, the default", out, err)
	}
	if out, err := cli(t, "partners", "policy", id, "--set", "auto_approve_clean", "--database-url", dbURL); err != nil || !strings.Contains(out, "auto_approve_clean") {
		t.Errorf("partners policy --set = %s, %v", out, err)
	}
	if _, err := cli(t, "partners", "policy", id, "--set", "approve_all", "--database-url", dbURL); err == nil || !strings.Contains(err.Error(), "policy") {
		t.Errorf("an unknown policy: %v, want it refused", err)
	}
}
