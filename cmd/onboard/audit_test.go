package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// auditEngines are the databases the audit chain is tested on, each fresh
// for one test: tampering with the chain must not break another test's.
var auditEngines = []struct {
	name string
	url  func(t testing.TB) string
	// unprotect removes the append-only triggers, as the database's owner
	// (or whoever holds the SQLite file) could.
	unprotect []string
}{
	{"sqlite", storetest.SQLiteURL, []string{"DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"}},
	{"postgres", storetest.FreshPostgresURL, []string{"ALTER TABLE audit_events DISABLE TRIGGER USER"}},
}

// rawSQL runs statements on the database directly, bypassing the service.
func rawSQL(t *testing.T, dbURL string, statements ...string) {
	t.Helper()
	for _, s := range statements {
		if err := tryRawSQL(dbURL, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// fillAudit writes audit events from two service instances on one
// database at once, as a fleet behind a load balancer would: partners,
// keys, customers and status changes, operators and recorded reads.
func fillAudit(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	var services []*kyb.Service
	for range 2 {
		store, err := storetest.OpenURL(t, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		services = append(services, kyb.NewService(store))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		svc := services[i%2]
		wg.Go(func() {
			creds, err := svc.CreatePartner(ctx, cliActor, fmt.Sprintf("Partner %d", i), false)
			if err != nil {
				errs <- err
				return
			}
			if _, err := svc.CreateAPIKey(ctx, cliActor, creds.PartnerID); err != nil {
				errs <- err
			}
			for j := range 3 {
				p := sampleCustomer
				p.PartnerCustomerID = fmt.Sprintf("audit-chain-customer-%02d-%02d", i, j)
				c, _, err := svc.CreateCustomer(ctx, creds.PartnerID, p)
				if err != nil {
					errs <- err
					return
				}
				if _, err := svc.ChangeStatus(ctx, cliActor, c.ID, kyb.StatusChange{Status: kyb.StatusActive, Reason: "verified"}); err != nil {
					errs <- err
				}
				if _, err := svc.ViewCustomers(ctx, kyb.Actor{Type: kyb.ActorOperator, ID: "opr_test"}, kyb.CustomerQuery{PartnerID: creds.PartnerID}); err != nil {
					errs <- err
				}
			}
			if _, err := svc.CreateOperator(ctx, cliActor, fmt.Sprintf("Operator %d", i), false); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestAuditVerify(t *testing.T) {
	// reason rewrites an event's reason, and with it its digest and hash
	// when whole, so that the event looks untouched by itself.
	reason := func(v kyb.AuditLink, whole bool) string {
		v.Event.Reason = "nothing to see"
		if !whole {
			return "UPDATE audit_events SET reason = 'nothing to see' WHERE id = '" + v.Event.ID + "'"
		}
		digest := kyb.AuditDigest(v.Event)
		return fmt.Sprintf("UPDATE audit_events SET reason = '%s', digest = '%s', hash = '%s' WHERE id = '%s'",
			v.Event.Reason, digest, kyb.ChainHash(v.PrevHash, digest), v.Event.ID)
	}
	deletion := func(v kyb.AuditLink) string { return "DELETE FROM audit_events WHERE id = '" + v.Event.ID + "'" }
	// Each tampers with one event, the 10th or the last; verify must name
	// the event at ("victim", or "next" when the victim is gone or looks
	// whole, or none when nothing is left after it) and say want. At the
	// end of the chain only the head recorded by an earlier verify (--head)
	// shows it.
	tamper := []struct {
		name     string
		last     bool
		sql      func(victim kyb.AuditLink) string
		at       string
		withHead bool
		want     string
	}{
		{"edit", false, func(v kyb.AuditLink) string { return reason(v, false) }, "victim", false, "was edited"},
		{"delete", false, deletion, "next", false, "seq 10 missing: events were deleted"},
		{"edit with a new digest and hash", false, func(v kyb.AuditLink) string { return reason(v, true) }, "next", false, "the event before it was changed or replaced"},
		{"whole edit of the last event", true, func(v kyb.AuditLink) string { return reason(v, true) }, "victim", true, "the chain up to it was rewritten"},
		{"delete of the last event", true, deletion, "", true, "events were deleted from its end"},
	}
	for _, engine := range auditEngines {
		t.Run(engine.name, func(t *testing.T) {
			for _, tc := range tamper {
				t.Run(tc.name, func(t *testing.T) {
					dbURL := engine.url(t)
					fillAudit(t, dbURL)
					out, err := cli(t, "audit", "verify", "--database-url", dbURL)
					if err != nil || !strings.Contains(out, "audit trail intact") {
						t.Fatalf("audit verify on an untouched trail = %s, %v; want intact", out, err)
					}
					_, head, _ := strings.Cut(strings.SplitN(out, "\n", 2)[0], "; head ")
					if out, err := cli(t, "audit", "verify", "--head", head, "--database-url", dbURL); err != nil {
						t.Fatalf("audit verify --head %s on an untouched trail = %s, %v; want intact", head, out, err)
					}
					// The service's own statements cannot change the trail.
					for _, s := range []string{"UPDATE audit_events SET reason = 'x' WHERE seq = 1", "DELETE FROM audit_events WHERE seq = 1"} {
						if err := tryRawSQL(dbURL, s); err == nil || !strings.Contains(err.Error(), "append-only") {
							t.Errorf("%s: error = %v, want the append-only trigger's refusal", s, err)
						}
					}
					// Someone with the owner's rights tampers with an event.
					seq := int64(10)
					if tc.last {
						seq, _ = strconv.ParseInt(strings.Split(head, ":")[0], 10, 64)
					}
					victim := linkAt(t, dbURL, seq)
					var at string
					switch tc.at {
					case "victim":
						at = victim.Event.ID
					case "next":
						at = linkAt(t, dbURL, seq+1).Event.ID
					}
					rawSQL(t, dbURL, append(engine.unprotect, tc.sql(victim))...)
					args := []string{"audit", "verify", "--database-url", dbURL}
					if tc.withHead {
						if out, err := cli(t, args...); err != nil {
							t.Errorf("audit verify without the head = %s, %v; want it to pass (nothing else shows this)", out, err)
						}
						args = append(args, "--head", head)
					}
					out, err = cli(t, args...)
					if err == nil || !strings.Contains(err.Error(), at) || !strings.Contains(err.Error(), tc.want) {
						t.Errorf("audit verify after the tampering = %s, %v; want an error naming %q that says %q", out, err, at, tc.want)
					}
				})
			}
		})
	}
}

// linkAt returns the audit chain's link at seq.
func linkAt(t *testing.T, dbURL string, seq int64) kyb.AuditLink {
	t.Helper()
	store, err := storetest.OpenURL(t, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	links, err := store.AuditChain(context.Background(), seq-1, 1)
	if err != nil || len(links) != 1 {
		t.Fatalf("the audit chain at %d: %v, %v", seq, links, err)
	}
	return links[0]
}

// tryRawSQL runs one statement on the database directly and returns its
// error.
func tryRawSQL(dbURL, statement string) error { return rawRow(dbURL, statement, nil) }
