package sqlstore

import (
	"context"
	"fmt"

	"github.com/onboardkyb/onboard/internal/envelope"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// RewrapBatch puts up to limit values of the kind from names under the
// newest key, walking each kind in id order from from.After, so that one
// rotation reads each row once; see kyb.EncryptionStore. Every
// replacement compares the old value, so a value changed meanwhile (by an
// erasure, another rotation) is left alone.
func (c *Core) RewrapBatch(ctx context.Context, from kyb.RewrapCursor, limit int) (kyb.RewrapCursor, int, error) {
	steps := []func(ctx context.Context, after string, limit int) (last string, found, changed int, err error){
		c.rewrapDataKeys, c.sealPlainCustomers, c.sealPlainEvents, c.rewrapWrappedKeys, c.rewrapSecrets, c.rewrapPreviousSecrets, c.rewrapFiles,
		c.rewrapOperators("email_sealed", operatorEmailPurpose), c.rewrapOperators("totp_sealed", operatorTOTPPurpose),
	}
	if from.Step >= len(steps) {
		return kyb.RewrapCursor{Step: len(steps), Done: true}, 0, nil
	}
	last, found, changed, err := steps[from.Step](ctx, from.After, limit)
	if err != nil {
		return from, changed, err
	}
	if found < limit {
		// This kind is done; the next batch starts the next kind.
		next := kyb.RewrapCursor{Step: from.Step + 1}
		next.Done = next.Step == len(steps)
		return next, changed, nil
	}
	return kyb.RewrapCursor{Step: from.Step, After: last}, changed, nil
}

// sealedValue is one value to move onto the newest key.
type sealedValue struct {
	id     string
	sealed []byte
}

// selectValues runs a query of (id, value) rows.
func (c *Core) selectValues(ctx context.Context, query string, args ...any) ([]sealedValue, error) {
	rows, err := c.Read.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sealedValue
	for rows.Next() {
		var v sealedValue
		if err := rows.Scan(&v.id, &v.sealed); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// rewrap re-seals each value under the newest key with the associated
// data ad gives it and stores it with update (new value, id, old value),
// in one transaction.
func (c *Core) rewrap(ctx context.Context, what string, values []sealedValue, ad func(id string) []byte, update string) (int, error) {
	if len(values) == 0 {
		return 0, nil
	}
	changed := 0
	err := c.Transact(ctx, func(tx Queryer) error {
		for _, v := range values {
			fresh, err := c.Keys.Rewrap(ad(v.id), v.sealed)
			if err != nil {
				return fmt.Errorf("rewrap %s %s: %w", what, v.id, err)
			}
			n, err := tx.Exec(ctx, update, fresh, v.id, v.sealed)
			if err != nil {
				return fmt.Errorf("rewrap %s %s: %w", what, v.id, err)
			}
			changed += int(n)
		}
		return nil
	})
	return changed, err
}

func (c *Core) newestHex() string { return fmt.Sprintf("%02X", c.Keys.Newest()) }

func (c *Core) rewrapDataKeys(ctx context.Context, after string, limit int) (string, int, int, error) {
	values, err := c.selectValues(ctx, "SELECT id, data_key FROM customers WHERE id > ? AND data_key IS NOT NULL AND data_key_kek <> ? ORDER BY id LIMIT ?",
		after, int(c.Keys.Newest()), limit)
	if err != nil {
		return "", 0, 0, fmt.Errorf("select data keys: %w", err)
	}
	n, err := c.rewrap(ctx, "data key of", values, dataKeyAD,
		"UPDATE customers SET data_key = ?, data_key_kek = "+fmt.Sprint(int(c.Keys.Newest()))+" WHERE id = ? AND data_key = ?")
	return lastID(values), len(values), n, err
}

func (c *Core) rewrapWrappedKeys(ctx context.Context, after string, limit int) (string, int, int, error) {
	values, err := c.selectValues(ctx, "SELECT name, wrapped FROM wrapped_keys WHERE name > ? AND "+c.Dialect.KeyIDOf("wrapped")+" <> ? ORDER BY name LIMIT ?",
		after, c.newestHex(), limit)
	if err != nil {
		return "", 0, 0, fmt.Errorf("select wrapped keys: %w", err)
	}
	n, err := c.rewrap(ctx, "key", values, wrappedKeyAD, "UPDATE wrapped_keys SET wrapped = ? WHERE name = ? AND wrapped = ?")
	return lastID(values), len(values), n, err
}

func (c *Core) rewrapSecrets(ctx context.Context, after string, limit int) (string, int, int, error) {
	values, err := c.selectValues(ctx, "SELECT id, secret_sealed FROM webhook_endpoints WHERE id > ? AND "+c.Dialect.KeyIDOf("secret_sealed")+" <> ? ORDER BY id LIMIT ?",
		after, c.newestHex(), limit)
	if err != nil {
		return "", 0, 0, fmt.Errorf("select webhook secrets: %w", err)
	}
	n, err := c.rewrap(ctx, "secret of endpoint", values, rowAD, "UPDATE webhook_endpoints SET secret_sealed = ? WHERE id = ? AND secret_sealed = ?")
	return lastID(values), len(values), n, err
}

// rewrapPreviousSecrets re-seals the secrets before the last rotation,
// which sign during their grace.
func (c *Core) rewrapPreviousSecrets(ctx context.Context, after string, limit int) (string, int, int, error) {
	values, err := c.selectValues(ctx, "SELECT id, previous_secret_sealed FROM webhook_endpoints WHERE id > ? AND previous_secret_sealed IS NOT NULL AND "+
		c.Dialect.KeyIDOf("previous_secret_sealed")+" <> ? ORDER BY id LIMIT ?", after, c.newestHex(), limit)
	if err != nil {
		return "", 0, 0, fmt.Errorf("select previous webhook secrets: %w", err)
	}
	n, err := c.rewrap(ctx, "previous secret of endpoint", values, rowAD,
		"UPDATE webhook_endpoints SET previous_secret_sealed = ? WHERE id = ? AND previous_secret_sealed = ?")
	return lastID(values), len(values), n, err
}

// rowAD is what files and webhook secrets authenticate: their row's id.
func rowAD(id string) []byte { return []byte(id) }

func lastID(values []sealedValue) string {
	if len(values) == 0 {
		return ""
	}
	return values[len(values)-1].id
}

// rewrapFiles re-seals files a few at a time, whatever limit says: each
// may be megabytes.
func (c *Core) rewrapFiles(ctx context.Context, after string, limit int) (string, int, int, error) {
	few := min(limit, 8)
	values, err := c.selectValues(ctx, "SELECT id, content FROM files WHERE id > ? AND "+c.Dialect.KeyIDOf("content")+" <> ? ORDER BY id LIMIT ?",
		after, c.newestHex(), few)
	if err != nil {
		return "", 0, 0, fmt.Errorf("select files: %w", err)
	}
	n, err := c.rewrap(ctx, "file", values, rowAD, "UPDATE files SET content = ? WHERE id = ? AND content = ?")
	found := len(values)
	if found == few {
		found = limit // a full batch of files: more may follow
	}
	return lastID(values), found, n, err
}

// sealPlainCustomers seals customers written before encryption: each gets
// a data key, its profile sealed and its identifiers hashed.
func (c *Core) sealPlainCustomers(ctx context.Context, after string, limit int) (string, int, int, error) {
	values, err := c.selectValues(ctx, "SELECT id, profile FROM customers WHERE id > ? AND data_key IS NULL AND erased_at IS NULL ORDER BY id LIMIT ?", after, limit)
	if err != nil {
		return "", 0, 0, fmt.Errorf("select plain customers: %w", err)
	}
	changed := 0
	err = c.Transact(ctx, func(tx Queryer) error {
		for _, v := range values {
			p, err := DecodeProfile(v.sealed)
			if err != nil {
				return fmt.Errorf("customer %s: %w", v.id, err)
			}
			stored, err := EncodeProfile(p)
			if err != nil {
				return fmt.Errorf("customer %s: %w", v.id, err)
			}
			key, wrapped := c.Keys.NewDataKey(dataKeyAD(v.id))
			business, idNumbers := c.identifierHashes(p)
			n, err := tx.Exec(ctx, `UPDATE customers SET profile = '', sealed_profile = ?, data_key = ?, data_key_kek = ?,
					business_identifier_hmac = ?, id_number_hmacs = ?
				WHERE id = ? AND data_key IS NULL AND erased_at IS NULL AND profile = ?`,
				key.Seal(profileAD(v.id), stored), wrapped, int(c.Keys.Newest()), business, idNumbers, v.id, string(v.sealed))
			if err != nil {
				return fmt.Errorf("seal customer %s: %w", v.id, err)
			}
			changed += int(n)
		}
		return nil
	})
	return lastID(values), len(values), changed, err
}

// sealPlainEvents seals events written in plain: before encryption, or by
// a status change that raced sealPlainCustomers.
func (c *Core) sealPlainEvents(ctx context.Context, after string, limit int) (string, int, int, error) {
	rows, err := c.Read.Query(ctx, `SELECT e.id, e.customer_id, e.data, cu.data_key FROM events e JOIN customers cu ON cu.id = e.customer_id
		WHERE e.id > ? AND e.sealed_data IS NULL AND e.data <> '' AND cu.data_key IS NOT NULL ORDER BY e.id LIMIT ?`, after, limit)
	if err != nil {
		return "", 0, 0, fmt.Errorf("select plain events: %w", err)
	}
	type plainEvent struct {
		e          kyb.Event
		wrappedKey []byte
	}
	var events []plainEvent
	for rows.Next() {
		var p plainEvent
		var data []byte
		if err := rows.Scan(&p.e.ID, &p.e.CustomerID, &data, &p.wrappedKey); err != nil {
			rows.Close()
			return "", 0, 0, fmt.Errorf("scan plain event: %w", err)
		}
		p.e.Data = data
		events = append(events, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", 0, 0, fmt.Errorf("select plain events: %w", err)
	}
	changed := 0
	err = c.Transact(ctx, func(tx Queryer) error {
		for _, p := range events {
			key, err := c.Keys.OpenDataKey(dataKeyAD(p.e.CustomerID), p.wrappedKey)
			if err != nil {
				return fmt.Errorf("customer %s: %w", p.e.CustomerID, err)
			}
			n, err := tx.Exec(ctx, "UPDATE events SET data = '', sealed_data = ? WHERE id = ? AND sealed_data IS NULL AND data = ?",
				key.Seal(eventAD(p.e.CustomerID, p.e.ID), p.e.Data), p.e.ID, string(p.e.Data))
			if err != nil {
				return fmt.Errorf("seal event %s: %w", p.e.ID, err)
			}
			changed += int(n)
		}
		return nil
	})
	last := ""
	if len(events) > 0 {
		last = events[len(events)-1].e.ID
	}
	return last, len(events), changed, err
}

// rewrapOperators re-seals one sealed column of operators.
func (c *Core) rewrapOperators(column, purpose string) func(ctx context.Context, after string, limit int) (string, int, int, error) {
	return func(ctx context.Context, after string, limit int) (string, int, int, error) {
		values, err := c.selectValues(ctx, "SELECT id, "+column+" FROM operators WHERE id > ? AND "+column+" IS NOT NULL AND "+
			c.Dialect.KeyIDOf(column)+" <> ? ORDER BY id LIMIT ?", after, c.newestHex(), limit)
		if err != nil {
			return "", 0, 0, fmt.Errorf("select operators' %s: %w", purpose, err)
		}
		ad := func(id string) []byte { return envelope.AD(id, purpose) }
		n, err := c.rewrap(ctx, purpose+" of", values, ad, "UPDATE operators SET "+column+" = ? WHERE id = ? AND "+column+" = ?")
		return lastID(values), len(values), n, err
	}
}
