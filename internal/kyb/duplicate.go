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
func (s *Service) withRejectedMatches(ctx context.Context, customers ...*Customer) error {
	if len(customers) == 0 {
		return nil
	}
	all := make([]Customer, len(customers))
	for i, c := range customers {
		all[i] = *c
	}
	m, err := s.store.RejectedMatches(ctx, all)
	if err != nil {
		return fmt.Errorf("find identifiers of rejected customers: %w", err)
	}
	for _, c := range customers {
		c.RejectedMatches = m[c.ID]
	}
	return nil
}

// pointers points at each customer of a slice.
func pointers(customers []Customer) []*Customer {
	out := make([]*Customer, len(customers))
	for i := range customers {
		out[i] = &customers[i]
	}
	return out
}

// rejectedFlags are the flags of identifiers on rejected customers: one
// per field, naming the first rejected customer that holds it. They are
// medium: a company that was refused may apply again with its documents
// in order, and an operator is to judge; the flag keeps it from being
// approved automatically.
func rejectedFlags(matches []RejectedMatch) []RiskFlag {
	var flags []RiskFlag
	for i := 0; i < len(matches); {
		m, n := matches[i], 1
		for i+n < len(matches) && matches[i+n].Field == m.Field {
			n++
		}
		i += n
		what := "The ID number, with its issuing country,"
		if strings.HasPrefix(m.Field, "business_details.") {
			what = "The business identifier, with its country,"
		}
		more := ""
		if n > 1 {
			more = fmt.Sprintf(" (and %d other rejected customer(s))", n-1)
		}
		flags = append(flags, RiskFlag{Code: "identifier_on_rejected_customer", Level: RiskMedium, Field: m.Field,
			Message: what + " is also on rejected customer " + m.CustomerID + more + " of the same partner."})
	}
	return flags
}
