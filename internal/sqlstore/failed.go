package sqlstore

import (
	"context"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// FailedDeliveries returns up to limit deliveries that failed for good,
// newest first, each with its attempts.
func (c *Core) FailedDeliveries(ctx context.Context, limit int) ([]kyb.Delivery, error) {
	rows, err := c.Read.Query(ctx, `SELECT d.event_id, d.endpoint_id, d.partner_id, w.url, d.status, d.created_at
		FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
		WHERE d.status = 'failed' ORDER BY d.created_at DESC, d.event_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("select failed deliveries: %w", err)
	}
	var out []kyb.Delivery
	for rows.Next() {
		var d kyb.Delivery
		var created Time
		if err := rows.Scan(&d.EventID, &d.EndpointID, &d.PartnerID, &d.URL, &d.Status, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		d.CreatedAt = created.T
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select failed deliveries: %w", err)
	}
	for i := range out {
		attempts, err := c.attempts(ctx, out[i].EventID)
		if err != nil {
			return nil, err
		}
		out[i].Attempts = attempts[out[i].EndpointID]
	}
	return out, nil
}
