package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// identifierProbe is one identifier of a customer to look up among the
// rejected customers' (table rejected_identifiers, migration 0019).
type identifierProbe struct {
	customer, partner, field, kind string
}

// RejectedMatches finds the customers' identifiers that are also on a
// rejected customer of their partner: one query, an index probe for each
// keyed hash.
func (c *Core) RejectedMatches(ctx context.Context, customers []kyb.Customer) (map[string][]kyb.RejectedMatch, error) {
	probes := map[string][]identifierProbe{}
	for _, cust := range customers {
		if !cust.ErasedAt.IsZero() {
			continue
		}
		for _, id := range c.identifiers(cust.Profile) {
			probes[id.hash] = append(probes[id.hash], identifierProbe{cust.ID, cust.PartnerID, id.field, id.kind})
		}
	}
	out := map[string][]kyb.RejectedMatch{}
	if len(probes) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(probes))
	for h := range probes {
		args = append(args, h)
	}
	rows, err := c.Read.Query(ctx, "SELECT hash, partner_id, kind, customer_id FROM rejected_identifiers WHERE hash IN ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+") ORDER BY customer_id", args...)
	if err != nil {
		return nil, fmt.Errorf("select rejected identifiers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash, partner, kind, rejected string
		if err := rows.Scan(&hash, &partner, &kind, &rejected); err != nil {
			return nil, fmt.Errorf("scan rejected identifier: %w", err)
		}
		for _, p := range probes[hash] {
			if p.partner == partner && p.kind == kind && p.customer != rejected {
				out[p.customer] = append(out[p.customer], kyb.RejectedMatch{Field: p.field, CustomerID: rejected})
			}
		}
	}
	// By field, then by the rejected customer (rows come in its order).
	for _, m := range out {
		slices.SortStableFunc(m, func(a, b kyb.RejectedMatch) int { return strings.Compare(a.Field, b.Field) })
	}
	return out, rows.Err()
}
