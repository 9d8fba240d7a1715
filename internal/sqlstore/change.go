package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// What the sealed values of versions and requirements authenticate.
func versionAD(customerID string, n int) []byte {
	return envelope.AD(customerID, strconv.Itoa(n), "version")
}
func requirementAD(customerID, id, what string) []byte { return envelope.AD(customerID, id, what) }

// ChangeCustomer makes a change of a customer after create in one
// transaction: see kyb.ChangeStore.
func (c *Core) ChangeCustomer(ctx context.Context, ch kyb.CustomerChange) (kyb.Customer, error) {
	var out kyb.Customer
	err := c.transactAudited(ctx, func(tx Queryer) error {
		cur, err := c.customerIn(ctx, tx, ch.CustomerID, c.Dialect.ForUpdate)
		if err != nil {
			return err
		}
		if cur.Version != ch.Version || cur.Status != ch.Status || !cur.ErasedAt.IsZero() {
			return kyb.ErrCustomerChanged
		}
		key, err := c.customerKey(ctx, tx, cur)
		if err != nil {
			return err
		}
		if ch.Update != nil {
			if err := c.writeVersion(ctx, tx, key, cur, ch.Update); err != nil {
				return err
			}
		}
		if ch.ToStatus != "" {
			if _, err := tx.Exec(ctx, "UPDATE customers SET status = ?, status_reason = ?, status_updated_at = ? WHERE id = ?",
				ch.ToStatus, ch.StatusReason, c.Dialect.Time(ch.StatusAt), cur.ID); err != nil {
				return fmt.Errorf("update status: %w", err)
			}
		}
		if ch.MarkReview != "" {
			if _, err := tx.Exec(ctx, "UPDATE customers SET needs_review = TRUE, review_reason = ? WHERE id = ?", ch.MarkReview, cur.ID); err != nil {
				return fmt.Errorf("mark for review: %w", err)
			}
		}
		for _, r := range ch.Add {
			var due any
			if !r.DueAt.IsZero() {
				due = c.Dialect.Time(r.DueAt)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO requirements (id, customer_id, kind, field, file_type, sealed_message, created_at, created_by, due_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, cur.ID, r.Kind, r.Field, string(r.FileType),
				key.Seal(requirementAD(cur.ID, r.ID, "message"), []byte(r.Message)), c.Dialect.Time(r.CreatedAt), r.CreatedBy, due); err != nil {
				return fmt.Errorf("insert requirement: %w", err)
			}
		}
		for _, r := range ch.Resolve {
			var answer []byte
			if r.Answer != "" {
				answer = key.Seal(requirementAD(cur.ID, r.ID, "answer"), []byte(r.Answer))
			}
			n, err := tx.Exec(ctx, `UPDATE requirements SET resolved_at = ?, resolution = ?, resolved_by_type = ?, resolved_by_id = ?, sealed_answer = ?
				WHERE id = ? AND customer_id = ? AND resolved_at IS NULL`,
				c.Dialect.Time(r.ResolvedAt), r.Resolution, r.ResolvedBy.Type, r.ResolvedBy.ID, answer, r.ID, cur.ID)
			if err != nil {
				return fmt.Errorf("resolve requirement: %w", err)
			}
			if n == 0 {
				return kyb.ErrRequirementResolved
			}
		}
		if len(ch.Add) > 0 || len(ch.Resolve) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE customers SET open_requirements =
				(SELECT count(*) FROM requirements WHERE customer_id = ? AND resolved_at IS NULL) WHERE id = ?`, cur.ID, cur.ID); err != nil {
				return fmt.Errorf("count requirements: %w", err)
			}
		}
		for _, a := range ch.Audit {
			if err := InsertAudit(ctx, c.Dialect, tx, a); err != nil {
				return err
			}
		}
		if out, err = c.customerIn(ctx, tx, cur.ID, ""); err != nil {
			return err
		}
		if ch.Events != nil {
			for _, e := range ch.Events(out) {
				if err := c.insertEvent(ctx, tx, key, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// customerKey opens a customer's data key. A customer written before
// encryption gets one now, its profile sealed, as rotate-encryption would
// do: what the change seals needs it.
func (c *Core) customerKey(ctx context.Context, tx Queryer, cur kyb.Customer) (envelope.DataKey, error) {
	var wrapped []byte
	if err := tx.QueryRow(ctx, "SELECT data_key FROM customers WHERE id = ?", cur.ID).Scan(&wrapped); err != nil {
		return envelope.DataKey{}, fmt.Errorf("read data key: %w", err)
	}
	if wrapped != nil {
		key, err := c.Keys.OpenDataKey(dataKeyAD(cur.ID), wrapped)
		if err != nil {
			return envelope.DataKey{}, fmt.Errorf("customer %s: %w", cur.ID, err)
		}
		return key, nil
	}
	stored, err := EncodeProfile(cur.Profile)
	if err != nil {
		return envelope.DataKey{}, fmt.Errorf("encode profile: %w", err)
	}
	key, wrapped := c.Keys.NewDataKey(dataKeyAD(cur.ID))
	business, idNumbers := c.identifierHashes(cur.Profile)
	if _, err := tx.Exec(ctx, `UPDATE customers SET profile = '', sealed_profile = ?, data_key = ?, data_key_kek = ?,
			business_identifier_hmac = ?, id_number_hmacs = ? WHERE id = ?`,
		key.Seal(profileAD(cur.ID), stored), wrapped, int(c.Keys.Newest()), business, idNumbers, cur.ID); err != nil {
		return envelope.DataKey{}, fmt.Errorf("seal customer %s: %w", cur.ID, err)
	}
	return key, nil
}

// writeVersion stores the profile's next version: the row of the version
// before when it has none yet (the create's), the new one, and the
// customer's profile, fingerprint, hashes and, when screened again, its
// screening and risk level (through SaveScreeningTx, as every rewrite of
// a screening goes).
func (c *Core) writeVersion(ctx context.Context, tx Queryer, key envelope.DataKey, cur kyb.Customer, up *kyb.ProfileUpdate) error {
	if cur.Version == 1 {
		first := kyb.Version{Number: 1, CreatedAt: cur.CreatedAt, Actor: kyb.Actor{Type: kyb.ActorPartner, ID: cur.PartnerID}}
		if err := c.insertVersion(ctx, tx, key, cur.ID, first, cur.Profile); err != nil {
			return err
		}
	}
	if err := c.insertVersion(ctx, tx, key, cur.ID, up.Version, up.Profile); err != nil {
		return err
	}
	stored, err := EncodeProfile(up.Profile)
	if err != nil {
		return fmt.Errorf("encode profile: %w", err)
	}
	business, idNumbers := c.identifierHashes(up.Profile)
	if _, err := tx.Exec(ctx, `UPDATE customers SET sealed_profile = ?, fingerprint = ?, business_identifier_hmac = ?, id_number_hmacs = ?, version = ?
		WHERE id = ?`, key.Seal(profileAD(cur.ID), stored), up.Fingerprint, business, idNumbers, up.Version.Number, cur.ID); err != nil {
		return fmt.Errorf("update profile: %w", err)
	}
	if up.Rescreened {
		return c.SaveScreeningTx(ctx, tx, cur.ID, up.Screening, up.RiskLevel)
	}
	return nil
}

func (c *Core) insertVersion(ctx context.Context, tx Queryer, key envelope.DataKey, customerID string, v kyb.Version, p api.Profile) error {
	stored, err := EncodeProfile(p)
	if err != nil {
		return fmt.Errorf("encode profile: %w", err)
	}
	changed, err := json.Marshal(nonNil(v.Changed))
	if err != nil {
		return fmt.Errorf("encode changed paths: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO customer_versions (customer_id, version, created_at, actor_type, actor_id, base_version, changed, patch_digest, sealed_profile)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, customerID, v.Number, c.Dialect.Time(v.CreatedAt), v.Actor.Type, v.Actor.ID, v.BaseVersion, string(changed), v.PatchDigest,
		key.Seal(versionAD(customerID, v.Number), stored)); err != nil {
		return fmt.Errorf("insert version: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// insertEvent adds a later event of a customer to the outbox inside tx,
// with the customer's next sequence, its data sealed under key, and a
// pending delivery to each of the partner's endpoints.
func (c *Core) insertEvent(ctx context.Context, tx Queryer, key envelope.DataKey, e kyb.Event) error {
	if err := tx.QueryRow(ctx, "UPDATE customers SET event_sequence = event_sequence + 1 WHERE id = ? RETURNING event_sequence", e.CustomerID).Scan(&e.Sequence); err != nil {
		return fmt.Errorf("next event sequence: %w", err)
	}
	at := c.Dialect.Time(e.CreatedAt)
	if _, err := tx.Exec(ctx, "INSERT INTO events (id, partner_id, customer_id, type, sequence, created_at, data, sealed_data) VALUES (?, ?, ?, ?, ?, ?, '', ?)",
		e.ID, e.PartnerID, e.CustomerID, e.Type, e.Sequence, at, key.Seal(eventAD(e.CustomerID, e.ID), e.Data)); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO deliveries (event_id, endpoint_id, partner_id, status, next_attempt_at, created_at)
		SELECT ?, id, partner_id, 'pending', ?, ? FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS NULL`,
		e.ID, at, at, e.PartnerID); err != nil {
		return fmt.Errorf("insert deliveries: %w", err)
	}
	return nil
}

// openRequirements reads a customer's open requirements through q when it
// has any.
func (c *Core) openRequirements(ctx context.Context, q Queryer, cust *kyb.Customer) error {
	if cust.OpenRequirements == 0 || !cust.ErasedAt.IsZero() {
		return nil
	}
	rs, err := c.requirements(ctx, q, cust.ID, true)
	cust.Requirements = rs
	return err
}

// Requirements returns every requirement of a customer, oldest first.
func (c *Core) Requirements(ctx context.Context, customerID string) ([]kyb.Requirement, error) {
	return c.requirements(ctx, c.Read, customerID, false)
}

func (c *Core) requirements(ctx context.Context, q Queryer, customerID string, open bool) ([]kyb.Requirement, error) {
	query := `SELECT r.id, r.kind, r.field, r.file_type, r.sealed_message, r.created_at, r.created_by, r.due_at, r.resolved_at, r.resolution,
			r.resolved_by_type, r.resolved_by_id, r.sealed_answer, cu.data_key
		FROM requirements r JOIN customers cu ON cu.id = r.customer_id WHERE r.customer_id = ?`
	if open {
		query += " AND r.resolved_at IS NULL"
	}
	rows, err := q.Query(ctx, query+" ORDER BY r.created_at, r.id", customerID)
	if err != nil {
		return nil, fmt.Errorf("select requirements: %w", err)
	}
	defer rows.Close()
	out := []kyb.Requirement{}
	var key *envelope.DataKey // every row's is the customer's: opened once
	for rows.Next() {
		r := kyb.Requirement{CustomerID: customerID}
		var created, due, resolved Time
		var message, answer, wrapped []byte
		var fileType string
		if err := rows.Scan(&r.ID, &r.Kind, &r.Field, &fileType, &message, &created, &r.CreatedBy, &due, &resolved, &r.Resolution,
			&r.ResolvedBy.Type, &r.ResolvedBy.ID, &answer, &wrapped); err != nil {
			return nil, fmt.Errorf("scan requirement: %w", err)
		}
		r.FileType, r.CreatedAt, r.DueAt, r.ResolvedAt = kyb.FileType(fileType), created.T, due.T, resolved.T
		if wrapped != nil && message != nil {
			// Erased customers' requirements keep their kind and path alone.
			if key == nil {
				k, err := c.Keys.OpenDataKey(dataKeyAD(customerID), wrapped)
				if err != nil {
					return nil, fmt.Errorf("customer %s: %w", customerID, err)
				}
				key = &k
			}
			m, err := key.Open(requirementAD(customerID, r.ID, "message"), message)
			if err != nil {
				return nil, fmt.Errorf("requirement %s: %w", r.ID, err)
			}
			r.Message = string(m)
			if answer != nil {
				a, err := key.Open(requirementAD(customerID, r.ID, "answer"), answer)
				if err != nil {
					return nil, fmt.Errorf("requirement %s: %w", r.ID, err)
				}
				r.Answer = string(a)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CustomerVersions lists a customer's stored versions without profiles.
func (c *Core) CustomerVersions(ctx context.Context, customerID string) ([]kyb.Version, error) {
	rows, err := c.Read.Query(ctx, `SELECT version, created_at, actor_type, actor_id, base_version, changed, patch_digest
		FROM customer_versions WHERE customer_id = ? ORDER BY version`, customerID)
	if err != nil {
		return nil, fmt.Errorf("select versions: %w", err)
	}
	defer rows.Close()
	var out []kyb.Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanVersion(row Row, extra ...any) (kyb.Version, error) {
	var v kyb.Version
	var created Time
	var changed string
	err := row.Scan(append([]any{&v.Number, &created, &v.Actor.Type, &v.Actor.ID, &v.BaseVersion, &changed, &v.PatchDigest}, extra...)...)
	if errors.Is(err, ErrNoRows) {
		return kyb.Version{}, kyb.NotFound("version")
	}
	if err != nil {
		return kyb.Version{}, fmt.Errorf("scan version: %w", err)
	}
	v.CreatedAt = created.T
	if err := json.Unmarshal([]byte(changed), &v.Changed); err != nil {
		return kyb.Version{}, fmt.Errorf("version %d: decode changed paths: %w", v.Number, err)
	}
	return v, nil
}

// CustomerVersion returns one stored version with its profile; an erased
// customer's has its partner_customer_id alone.
func (c *Core) CustomerVersion(ctx context.Context, customerID string, n int) (kyb.Version, error) {
	var sealed, wrapped []byte
	var pcid string
	v, err := scanVersion(c.Read.QueryRow(ctx, `SELECT v.version, v.created_at, v.actor_type, v.actor_id, v.base_version, v.changed, v.patch_digest,
			v.sealed_profile, cu.data_key, cu.partner_customer_id
		FROM customer_versions v JOIN customers cu ON cu.id = v.customer_id WHERE v.customer_id = ? AND v.version = ?`, customerID, n), &sealed, &wrapped, &pcid)
	if err != nil {
		return kyb.Version{}, err
	}
	if sealed == nil || wrapped == nil {
		v.Profile = api.Profile{PartnerCustomerID: pcid}
		return v, nil
	}
	key, err := c.Keys.OpenDataKey(dataKeyAD(customerID), wrapped)
	if err != nil {
		return kyb.Version{}, fmt.Errorf("customer %s: %w", customerID, err)
	}
	stored, err := key.Open(versionAD(customerID, n), sealed)
	if err != nil {
		return kyb.Version{}, fmt.Errorf("version %d: %w", n, err)
	}
	v.Profile, err = DecodeProfile(stored)
	return v, err
}
