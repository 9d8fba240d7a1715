package openapi

import (
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/api"
)

// TestExpandWebhooksNeedsEveryEventType: an event type of api.EventTypes
// the overlay says nothing of, one it describes that does not exist, or an
// entry with more than its three keys fails the run.
func TestExpandWebhooksNeedsEveryEventType(t *testing.T) {
	entry := func() *obj { return newObj("summary", "S", "description", "D", "example", newObj()) }
	every := func() *obj {
		w := newObj()
		for _, e := range api.EventTypes {
			w.set(e, entry())
		}
		return w
	}
	missing := every()
	missing.del(api.EventCustomerPending)
	extra := every()
	extra.set("customer.merged", entry())
	tooMuch := every()
	tooMuch.child(api.EventCustomerActive).set("security", []any{})
	for _, tc := range []struct {
		name     string
		webhooks *obj
		want     string // in the error; "" for none
	}{
		{"every type", every(), ""},
		{"a type missing", missing, api.EventCustomerPending},
		{"an unknown type", extra, "customer.merged"},
		{"a key too many", tooMuch, api.EventCustomerActive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := newObj(webhookDeliveryKey, "How events are delivered.", "webhooks", tc.webhooks)
			err := expandWebhooks(doc)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				post := doc.path("webhooks", api.EventCustomerRequirementsUpdated, "post")
				if post.get("operationId") != "webhookCustomerRequirementsUpdated" || post.get("description") != "D\n\nHow events are delivered." || doc.has(webhookDeliveryKey) {
					t.Fatalf("expanded to %s", mustMarshal(t, doc))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("expandWebhooks = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
