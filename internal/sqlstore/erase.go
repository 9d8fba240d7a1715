package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// EraseCustomer destroys a customer's data key and everything sealed,
// hashed or digested from its profile, deletes the files fileIDs, and stops the
// pending deliveries of its events, recording audit; see
// kyb.ErasureStore.
func (c *Core) EraseCustomer(ctx context.Context, audit kyb.AuditEvent, version int, fileIDs []string) (kyb.Customer, error) {
	var erased kyb.Customer
	err := c.transactAudited(ctx, func(tx Queryer) error {
		// The fingerprint goes too: it is a digest of the whole profile.
		n, err := tx.Exec(ctx, `UPDATE customers SET data_key = NULL, data_key_kek = NULL, sealed_profile = NULL, profile = '', fingerprint = '', sealed_screening = NULL,
				business_identifier_hmac = NULL, id_number_hmacs = NULL, erased_at = ?
			WHERE id = ? AND status = ? AND version = ? AND erased_at IS NULL`, c.Dialect.Time(audit.At), audit.CustomerID, audit.FromStatus, version)
		if err != nil {
			return fmt.Errorf("erase customer: %w", err)
		}
		if n == 0 {
			// Its status moved on, an update came in, or another erasure
			// came first.
			return kyb.ErrCustomerChanged
		}
		// The hashes of a rejected customer's identifiers go too: kept, they
		// would still tell whoever holds an ID number that it was here.
		if _, err := tx.Exec(ctx, "DELETE FROM rejected_identifiers WHERE customer_id = ?", audit.CustomerID); err != nil {
			return fmt.Errorf("erase rejected identifiers: %w", err)
		}
		// Events sealed under the destroyed key are unreadable already;
		// clearing them also removes those from before encryption.
		if _, err := tx.Exec(ctx, "UPDATE events SET data = '', sealed_data = NULL WHERE customer_id = ?", audit.CustomerID); err != nil {
			return fmt.Errorf("erase events: %w", err)
		}
		// So are the versions' profiles and the requirements' messages and
		// answers; the update digests are cleared like the fingerprint.
		if _, err := tx.Exec(ctx, "UPDATE customer_versions SET sealed_profile = NULL, patch_digest = '' WHERE customer_id = ?", audit.CustomerID); err != nil {
			return fmt.Errorf("erase versions: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE requirements SET sealed_message = NULL, sealed_answer = NULL WHERE customer_id = ?", audit.CustomerID); err != nil {
			return fmt.Errorf("erase requirements: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET status = ?, next_attempt_at = NULL, lease_until = NULL
			WHERE status = ? AND event_id IN (SELECT id FROM events WHERE customer_id = ?)`,
			kyb.DeliveryFailed, kyb.DeliveryPending, audit.CustomerID); err != nil {
			return fmt.Errorf("stop deliveries: %w", err)
		}
		for _, id := range fileIDs {
			if _, err := tx.Exec(ctx, "DELETE FROM files WHERE id = ? AND partner_id = ?", id, audit.PartnerID); err != nil {
				return fmt.Errorf("delete file: %w", err)
			}
		}
		if err := InsertAudit(ctx, c.Dialect, tx, audit); err != nil {
			return err
		}
		erased, err = c.ScanCustomer(tx.QueryRow(ctx, "SELECT "+CustomerColumns+" FROM customers WHERE id = ?", audit.CustomerID))
		return err
	})
	return erased, err
}

// ErasableCustomers returns up to limit customers rejected before cutoff
// and not yet erased, oldest rejection first.
func (c *Core) ErasableCustomers(ctx context.Context, rejectedBefore time.Time, limit int) ([]string, error) {
	rows, err := c.Read.Query(ctx, `SELECT id FROM customers WHERE status = ? AND erased_at IS NULL AND status_updated_at < ?
		ORDER BY status_updated_at LIMIT ?`, kyb.StatusRejected, c.Dialect.Time(rejectedBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("select erasable customers: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan erasable customer: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
