package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/drill"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// monitoredCustomers stores, in the database dbURL, two active customers
// of a new partner, one whose representative is a listed person, and
// returns that one's id.
func monitoredCustomers(t *testing.T, dbURL string) string {
	t.Helper()
	svc := serviceAt(t, dbURL)
	ctx := context.Background()
	creds, err := svc.CreatePartner(ctx, cliActor, "P", false)
	if err != nil {
		t.Fatal(err)
	}
	var listed string
	for i, name := range [][2]string{{"Manuel Antonio", "Noriega"}, {"Jane", "Example"}} {
		c, _, err := svc.CreateCustomer(ctx, creds.PartnerID, smallProfile("monitored-customer-"+name[1], "Example Ltd", name[0], name[1]))
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
		// The hit makes the customer's risk high: the command line counts
		// as one operator, and a second must clear the mark too.
		if out, err := cli(t, "customers", "clear-review", listed, "--reason", "another person", "--database-url", dbURL); err != nil || !strings.Contains(out, "until a second operator clears it too") {
			t.Errorf("customers clear-review = %s, %v; want the first clearance recorded", out, err)
		}
		if out, err := cli(t, "customers", "clear-review", listed, "--reason", "again", "--database-url", dbURL); err == nil || !strings.Contains(err.Error(), "second operator") {
			t.Errorf("the command line clearing twice = %s, %v; want refused", out, err)
		}
		svc := serviceAt(t, dbURL)
		op, err := svc.CreateOperator(context.Background(), cliActor, "second", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ClearReview(context.Background(), kyb.Actor{Type: kyb.ActorOperator, ID: op.OperatorID}, listed, kyb.ReviewClearance{Reason: "agreed"}); err != nil {
			t.Fatalf("the second operator's clearance: %v", err)
		}
		if _, err := cli(t, "customers", "clear-review", listed, "--reason", "again", "--database-url", dbURL); err == nil || !strings.Contains(err.Error(), "not marked") {
			t.Errorf("clearing a customer not marked = %v, want refused", err)
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

// TestRescreenResumesAfterSIGKILL kills a real lists rescreen process with
// SIGKILL in the middle of a job: started again, it takes over the batch
// the dead one held once its lease ends, finishes the job, and every
// customer is re-screened, once, against the snapshots in force.
func TestRescreenResumesAfterSIGKILL(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL := ownDatabase(t, e)
		svc := serviceAt(t, dbURL)
		ctx := context.Background()
		ids := seedCustomers(t, svc, 1500)
		importExcerpts(t, dbURL)

		bin, err := drill.Build()
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"lists", "rescreen", "--rescreen-delay", "0s", "--rescreen-lease", "1s", "--database-url", dbURL}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "ONBOARD_FILE_ENCRYPTION_KEY="+testFileKey)
		var output syncBuffer
		cmd.Stdout, cmd.Stderr = &output, &output
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it once it has done a batch or two, well before the end.
		var atKill kyb.RescreenJob
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			jobs, err := svc.RescreenJobs(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs) > 0 && jobs[0].DoneCustomers >= 100 {
				cmd.Process.Kill()
				cmd.Wait()
				if jobs, err = svc.RescreenJobs(ctx, 1); err != nil {
					t.Fatal(err)
				}
				atKill = jobs[0]
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("lists rescreen did no batch in 30 s:\n%s", output.String())
			}
		}
		if !atKill.FinishedAt.IsZero() || atKill.DoneCustomers >= len(ids) {
			t.Fatalf("the job finished before the kill (%d of %d): seed more customers", atKill.DoneCustomers, len(ids))
		}
		t.Logf("killed at %d of %d customers", atKill.DoneCustomers, atKill.Customers)

		out, err := cli(t, args...)
		want := fmt.Sprintf("%s: %d of %d customers re-screened", atKill.ID, len(ids), len(ids))
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("lists rescreen after the kill = %s, %v; want %q", out, err, want)
		}
		jobs, err := svc.RescreenJobs(ctx, 10)
		if err != nil || len(jobs) != 1 || jobs[0].DoneBatches != jobs[0].Batches || jobs[0].DoneCustomers != len(ids) {
			t.Fatalf("jobs after the restart = %+v, %v; want the one job, every batch done once", jobs, err)
		}
		for _, id := range ids {
			c, err := svc.CustomerForOperator(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.Screening == nil || !slices.Equal(c.Screening.Snapshots, jobs[0].Snapshots) {
				t.Fatalf("customer %s screened against %+v, want %v", id, c.Screening, jobs[0].Snapshots)
			}
		}
	})
}

// seedCustomers stores n customers of a new partner, eight at a time, and
// returns their ids.
func seedCustomers(t *testing.T, svc *kyb.Service, n int) []string {
	t.Helper()
	ctx := context.Background()
	creds, err := svc.CreatePartner(ctx, cliActor, "P", false)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				c, _, err := svc.CreateCustomer(ctx, creds.PartnerID,
					smallProfile(fmt.Sprintf("seeded-customer-%06d", i), fmt.Sprintf("Example %d Ltd", i), "Jane", fmt.Sprintf("Example%d", i)))
				if err != nil {
					errs <- err
					return
				}
				ids[i] = c.ID
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	return ids
}

// smallProfile is a valid profile with a company and one person.
func smallProfile(partnerCustomerID, business, first, last string) api.Profile {
	return api.Profile{
		PartnerCustomerID:   partnerCustomerID,
		BusinessDetails:     &api.BusinessDetails{BusinessName: business, BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB"},
		RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
		BusinessPersonList:  []api.BusinessPerson{{BasicInfo: &api.BasicInfo{FirstName: first, LastName: last}}},
	}
}

// serviceAt is a service on the database dbURL, open until the test ends.
func serviceAt(t *testing.T, dbURL string) *kyb.Service {
	t.Helper()
	store, err := storetest.OpenURL(t, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return kyb.NewService(store)
}
