package main

import (
	"context"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestRequestInfoOnTheCommandLine(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	srv := startServe(t, "--database-url", dbURL)
	out, err := cli(t, "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	creds := jsonCredentials(t, out)
	c := client.New(srv.URL, creds.APIKey, creds.APISecret)
	created, err := c.CreateCustomer(context.Background(), sampleCustomer)
	if err != nil {
		t.Fatal(err)
	}
	out, err = cli(t, "customers", "request-info", created.CustomerID, "--kind", "field", "--field", "business_details.business_name",
		"--message", "Give the registered name", "--due", "168h", "--database-url", dbURL)
	if err != nil || !strings.Contains(out, "asked req_") || !strings.Contains(out, "(1 open)") {
		t.Fatalf("customers request-info = %s, %v", out, err)
	}
	got, err := c.Customer(context.Background(), created.CustomerID)
	if err != nil || len(got.Requirements) != 1 || got.Requirements[0].Message != "Give the registered name" || got.Requirements[0].DueAt.IsZero() {
		t.Errorf("the partner sees %+v, %v; want the requirement with its due date", got.Requirements, err)
	}
	if _, err := cli(t, "customers", "request-info", created.CustomerID, "--kind", "field", "--field", "nope", "--message", "x", "--database-url", dbURL); err == nil ||
		!strings.Contains(err.Error(), "items[0].field") {
		t.Errorf("a field that does not exist: %v, want the error naming items[0].field", err)
	}
}
