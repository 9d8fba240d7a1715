package kyb

import (
	"context"
	"fmt"
	"strings"
)

// RejectedMatch is an identifier of a customer's profile that is also on a
// rejected customer of the same partner: its business identifier or a
// person's ID number, each with its country, compared by keyed hashes.
type RejectedMatch struct {
	// Field is the profile's field, such as
	// business_person_list[0].identification.id_number.
	Field string
	// CustomerID is the rejected customer's id.
	CustomerID string
}

// DuplicateStore finds identifiers shared with rejected customers.
type DuplicateStore interface {
	// RejectedMatches returns, by customer id, the identifiers of each
	// customer's profile also on a rejected customer of its partner other
	// than itself, by an index probe of their keyed hashes. Customers
	// without any are absent from the map.
	RejectedMatches(ctx context.Context, customers []Customer) (map[string][]RejectedMatch, error)
}

// withRejectedMatches sets the RejectedMatches of customers, so that
// their risk flags them.
func (s *Service) withRejectedMatches(ctx context.Context, customers []Customer) error {
	if len(customers) == 0 {
		return nil
	}
	m, err := s.store.RejectedMatches(ctx, customers)
	if err != nil {
		return fmt.Errorf("find identifiers of rejected customers: %w", err)
	}
	for i := range customers {
		customers[i].RejectedMatches = m[customers[i].ID]
	}
	return nil
}

// rejectedFlags are the flags of identifiers on rejected customers.
func rejectedFlags(matches []RejectedMatch) []RiskFlag {
	var flags []RiskFlag
	for _, m := range matches {
		what := "The ID number, with its issuing country,"
		if strings.HasPrefix(m.Field, "business_details.") {
			what = "The business identifier, with its country,"
		}
		flags = append(flags, RiskFlag{Code: "identifier_on_rejected_customer", Level: RiskHigh, Field: m.Field,
			Message: what + " is also on rejected customer " + m.CustomerID + " of the same partner."})
	}
	return flags
}
