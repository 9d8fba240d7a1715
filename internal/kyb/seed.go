package kyb

import (
	"encoding/json"
	"strings"

	"github.com/onboardkyb/onboard/api"
)

// CreationRecords returns the audit event and the webhook event (sequence
// 1) that creating c records, for bulk loads that write customers
// directly. Their ids are c's under the audit and event prefixes, so they
// are unique and sort as c does.
func CreationRecords(c Customer) (AuditEvent, Event) {
	suffix := strings.TrimPrefix(c.ID, PrefixCustomer)
	audit := AuditEvent{
		ID: PrefixAuditEvent + suffix, At: c.CreatedAt, Actor: Actor{Type: ActorPartner, ID: c.PartnerID},
		Action: ActionCustomerCreated, PartnerID: c.PartnerID, CustomerID: c.ID, ToStatus: c.Status,
	}
	data, err := json.Marshal(c.View())
	if err != nil {
		panic("kyb: marshal customer: " + err.Error())
	}
	event := Event{
		ID: PrefixEvent + suffix, PartnerID: c.PartnerID, CustomerID: c.ID, Type: api.EventCustomerCreated,
		Sequence: 1, CreatedAt: c.CreatedAt, Data: data,
	}
	return audit, event
}
