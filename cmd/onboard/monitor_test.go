package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// monitoredCustomers stores, in the database dbURL, two active customers
// of a new partner, one whose representative is a listed person, and
// returns that one's id.
func monitoredCustomers(t *testing.T, dbURL string) string {
	t.Helper()
	store, err := storetest.OpenURL(t, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := kyb.NewService(store)
	ctx := context.Background()
	creds, err := svc.CreatePartner(ctx, cliActor, "P", false)
	if err != nil {
		t.Fatal(err)
	}
	var listed string
	for i, name := range [][2]string{{"Manuel Antonio", "Noriega"}, {"Jane", "Example"}} {
		c, _, err := svc.CreateCustomer(ctx, creds.PartnerID, api.Profile{
			PartnerCustomerID:   "monitored-customer-" + name[1],
			BusinessDetails:     &api.BusinessDetails{BusinessName: "Example Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB"},
			RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
			BusinessPersonList:  []api.BusinessPerson{{BasicInfo: &api.BasicInfo{FirstName: name[0], LastName: name[1]}}},
		})
		if err != nil {
			t.Fatalf("%v: %+v", err, err)
		}
		if _, err := svc.ChangeStatus(ctx, cliActor, c.ID, kyb.StatusChange{Status: kyb.StatusActive, Reason: "checked"}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			listed = c.ID
		}
	}
	return listed
}

func importExcerpts(t *testing.T, dbURL string) {
	t.Helper()
	if out, err := cli(t, "lists", "import", "--source", "ofac-sdn", "--dir", filepath.Join(listTestdata, "ofac-sdn"), "--database-url", dbURL); err != nil {
		t.Fatalf("lists import = %s, %v", out, err)
	}
	if out, err := cli(t, "lists", "import", "--source", "un", "--file", filepath.Join(listTestdata, "un", "consolidated.xml"), "--database-url", dbURL); err != nil {
		t.Fatalf("lists import = %s, %v", out, err)
	}
}

// TestRescreenOnTheCommandLine: lists rescreen screens every customer
// against the lists in force to the end, lists status shows the job, and
// customers clear-review takes the mark off the listed one.
func TestRescreenOnTheCommandLine(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL := ownDatabase(t, e)
		listed := monitoredCustomers(t, dbURL)
		if out, err := cli(t, "lists", "rescreen", "--rescreen-delay", "0s", "--database-url", dbURL); err != nil || !strings.Contains(out, "nothing to re-screen") {
			t.Errorf("lists rescreen before any list = %s, %v", out, err)
		}
		importExcerpts(t, dbURL)
		out, err := cli(t, "lists", "rescreen", "--rescreen-delay", "0s", "--database-url", dbURL)
		if err != nil || !strings.Contains(out, "2 of 2 customers re-screened against lst_") || !strings.Contains(out, "1 marked for review, finished") {
			t.Errorf("lists rescreen = %s, %v", out, err)
		}
		status, err := cli(t, "lists", "status", "--database-url", dbURL)
		if err != nil || !strings.Contains(status, "finished") || !strings.Contains(status, "2/2") || !strings.Contains(status, "STARTED") {
			t.Errorf("lists status = %s, %v", status, err)
		}
		if _, err := cli(t, "lists", "status", "--limit", "0", "--database-url", dbURL); err == nil {
			t.Error("lists status --limit 0 succeeded")
		}
		if out, err := cli(t, "customers", "clear-review", listed, "--reason", "another person", "--database-url", dbURL); err != nil || !strings.Contains(out, "still active") {
			t.Errorf("customers clear-review = %s, %v", out, err)
		}
		if _, err := cli(t, "customers", "clear-review", listed, "--reason", "again", "--database-url", dbURL); err == nil {
			t.Error("clearing a customer not marked succeeded")
		}
	})
}

// TestServeRescreensInTheBackground: lists imported beside a serving
// instance are re-screened against by it, without a command.
func TestServeRescreensInTheBackground(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	monitoredCustomers(t, dbURL)
	startServe(t, "--database-url", dbURL, "--rescreen-delay", "1s")
	importExcerpts(t, dbURL)
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, err := cli(t, "lists", "status", "--database-url", dbURL)
		if err == nil && strings.Contains(status, "finished") && strings.Contains(status, "2/2") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not re-screen: %s, %v", status, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
