package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// What each sealed value authenticates: its customer's id and its purpose
// (and an event's id), so a value moved to another row or column does not
// open.
func dataKeyAD(customerID string) []byte { return envelope.AD(customerID, "data key") }
func profileAD(customerID string) []byte { return envelope.AD(customerID, "profile") }
func screeningAD(customerID string) []byte {
	return envelope.AD(customerID, "screening")
}
func eventAD(customerID, eventID string) []byte {
	return envelope.AD(customerID, eventID, "event")
}

// identifierIndexKey names the key of the keyed hashes in wrapped_keys.
const identifierIndexKey = "identifier-hmac"

// wrappedKeyAD is what a key of wrapped_keys authenticates: its name.
func wrappedKeyAD(name string) []byte { return envelope.AD(name) }

// LoadIndexKey reads the key of the keyed hashes, creating it on first
// use; instances starting together agree on the first one written.
func (c *Core) LoadIndexKey(ctx context.Context) error {
	ad := wrappedKeyAD(identifierIndexKey)
	read := func() ([]byte, error) {
		var wrapped []byte
		err := c.Read.QueryRow(ctx, "SELECT wrapped FROM wrapped_keys WHERE name = ?", identifierIndexKey).Scan(&wrapped)
		return wrapped, err
	}
	wrapped, err := read()
	if errors.Is(err, ErrNoRows) {
		_, fresh := c.Keys.NewIndexKey(ad)
		if err := c.Transact(ctx, func(tx Queryer) error {
			_, err := tx.Exec(ctx, "INSERT INTO wrapped_keys (name, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
				identifierIndexKey, fresh, c.Dialect.Time(time.Now()))
			return err
		}); err != nil {
			return fmt.Errorf("store index key: %w", err)
		}
		wrapped, err = read()
	}
	if err != nil {
		return fmt.Errorf("read index key: %w", err)
	}
	if c.index, err = c.Keys.OpenIndexKey(ad, wrapped); err != nil {
		return fmt.Errorf("the database was written with other encryption keys than these (%w); configure the keys it was written with", err)
	}
	return nil
}

// SealedCustomer is a new customer's personal data as its row keeps it.
type SealedCustomer struct {
	Profile []byte // the stored profile, sealed under the data key
	DataKey []byte // the data key, wrapped
	KEK     int    // the id of the key that wrapped it
	// BusinessIdentifier and IDNumbers are keyed hashes, nil when absent.
	BusinessIdentifier, IDNumbers any
	// Event is the data of the customer's first event, sealed.
	Event []byte
	// Screening is what screening found, sealed; nil when not screened.
	Screening []byte
}

// SealNew makes a data key for a new customer and seals its profile and
// first event under it.
func (c *Core) SealNew(cust kyb.Customer, event kyb.Event) (SealedCustomer, error) {
	stored, err := EncodeProfile(cust.Profile)
	if err != nil {
		return SealedCustomer{}, fmt.Errorf("encode profile: %w", err)
	}
	key, wrapped := c.Keys.NewDataKey(dataKeyAD(cust.ID))
	s := SealedCustomer{
		Profile: key.Seal(profileAD(cust.ID), stored),
		DataKey: wrapped,
		KEK:     int(c.Keys.Newest()),
		Event:   key.Seal(eventAD(cust.ID, event.ID), event.Data),
	}
	s.BusinessIdentifier, s.IDNumbers = c.identifierHashes(cust.Profile)
	if s.Screening, err = sealScreening(key, cust.ID, cust.Screening); err != nil {
		return SealedCustomer{}, err
	}
	return s, nil
}

// sealScreening seals what screening found under the customer's data key;
// nil when the customer was not screened.
func sealScreening(key envelope.DataKey, customerID string, sc *kyb.Screening) ([]byte, error) {
	if sc == nil {
		return nil, nil
	}
	b, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("encode screening: %w", err)
	}
	return key.Seal(screeningAD(customerID), b), nil
}

// SaveScreening replaces what a customer's screening found; see
// kyb.CustomerStore.
func (c *Core) SaveScreening(ctx context.Context, customerID string, sc *kyb.Screening, riskLevel string) error {
	return c.Transact(ctx, func(tx Queryer) error { return c.SaveScreeningTx(ctx, tx, customerID, sc, riskLevel) })
}

// SaveScreeningTx replaces what a customer's screening found, sealed, with
// the plain hit count and risk level the review queue filters on, in the
// caller's transaction tx. An erased customer has nothing to screen and
// is left alone.
func (c *Core) SaveScreeningTx(ctx context.Context, q Queryer, customerID string, sc *kyb.Screening, riskLevel string) error {
	var wrapped []byte
	if err := q.QueryRow(ctx, "SELECT data_key FROM customers WHERE id = ?", customerID).Scan(&wrapped); err != nil {
		if errors.Is(err, ErrNoRows) {
			return kyb.NotFound("customer")
		}
		return fmt.Errorf("read data key: %w", err)
	}
	if wrapped == nil {
		return nil // erased, or written before encryption: rotate-encryption seals it first
	}
	key, err := c.Keys.OpenDataKey(dataKeyAD(customerID), wrapped)
	if err != nil {
		return fmt.Errorf("customer %s: %w", customerID, err)
	}
	sealed, err := sealScreening(key, customerID, sc)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, "UPDATE customers SET sealed_screening = ?, hit_count = ?, risk_level = ? WHERE id = ? AND erased_at IS NULL",
		sealed, hitCount(sc), riskLevel, customerID); err != nil {
		return fmt.Errorf("save screening: %w", err)
	}
	return nil
}

// identifierHashes returns the keyed hashes of a profile's business
// identifier and its people's ID numbers, each with its country.
func (c *Core) identifierHashes(p api.Profile) (business, idNumbers any) {
	var hashes []string
	for _, id := range c.identifiers(p) {
		if id.kind == identifierBusiness {
			business = id.hash
		} else {
			hashes = append(hashes, id.hash)
		}
	}
	if len(hashes) > 0 {
		idNumbers = strings.Join(hashes, " ")
	}
	return business, idNumbers
}

// The kinds of identifier kept as keyed hashes: rejected_identifiers.kind,
// which migration 0019's triggers spell too.
const (
	identifierBusiness = "business"
	identifierIDNumber = "id_number"
)

// identifier is one identifier of a profile, as its keyed hash.
type identifier struct{ field, kind, hash string }

// identifiers are a profile's business identifier and its people's ID
// numbers, each hashed with its country; absent ones are left out.
func (c *Core) identifiers(p api.Profile) []identifier {
	var out []identifier
	if d := p.BusinessDetails; d != nil {
		if h := c.index.Hash(d.BusinessIdentifierCountryCode, d.BusinessIdentifierNumber); h != "" {
			out = append(out, identifier{"business_details.business_identifier_number", identifierBusiness, h})
		}
	}
	for i, bp := range p.BusinessPersonList {
		if id := bp.Identification; id != nil {
			if h := c.index.Hash(id.IssuingCountryCode, id.IDNumber); h != "" {
				out = append(out, identifier{"business_person_list[" + strconv.Itoa(i) + "].identification.id_number", identifierIDNumber, h})
			}
		}
	}
	return out
}

// CustomerInsertColumns are the columns CustomerInsertArgs fills, in its
// order.
const CustomerInsertColumns = "id, partner_id, status, created_at, status_reason, status_updated_at, profile, fingerprint, partner_customer_id, " +
	"sealed_profile, data_key, data_key_kek, business_identifier_hmac, id_number_hmacs, sealed_screening, hit_count, risk_level"

// CustomerInsertCount is how many columns CustomerInsertColumns names.
var CustomerInsertCount = strings.Count(CustomerInsertColumns, ",") + 1

// CustomerInsertArgs are a new customer's values for CustomerInsertColumns.
func CustomerInsertArgs(d Dialect, c kyb.Customer, s SealedCustomer) []any {
	var updated any
	if !c.StatusUpdatedAt.IsZero() {
		updated = d.Time(c.StatusUpdatedAt)
	}
	return []any{c.ID, c.PartnerID, c.Status, d.Time(c.CreatedAt), c.StatusReason, updated, "", c.Fingerprint, c.Profile.PartnerCustomerID,
		s.Profile, s.DataKey, s.KEK, s.BusinessIdentifier, s.IDNumbers, s.Screening, hitCount(c.Screening), c.RiskLevel}
}

// hitCount is the number of hits of a screening, none when not screened.
func hitCount(sc *kyb.Screening) int {
	if sc == nil {
		return 0
	}
	return len(sc.Hits)
}

// SealEvent seals a later event of a customer under the customer's data
// key, read through q. A customer whose data was erased gets nil: there is
// nothing left to send. A customer written before encryption (no data key
// yet) keeps its events plain until rotate-encryption seals them; the
// event's data is then returned in plain.
func (c *Core) SealEvent(ctx context.Context, q Queryer, e kyb.Event) (sealed []byte, plain string, err error) {
	var wrapped []byte
	var erased Time
	if err := q.QueryRow(ctx, "SELECT data_key, erased_at FROM customers WHERE id = ?", e.CustomerID).Scan(&wrapped, &erased); err != nil {
		if errors.Is(err, ErrNoRows) {
			return nil, "", kyb.NotFound("customer")
		}
		return nil, "", fmt.Errorf("read data key: %w", err)
	}
	switch {
	case !erased.T.IsZero():
		return nil, "", nil
	case wrapped == nil:
		return nil, string(e.Data), nil
	}
	key, err := c.Keys.OpenDataKey(dataKeyAD(e.CustomerID), wrapped)
	if err != nil {
		return nil, "", fmt.Errorf("customer %s: %w", e.CustomerID, err)
	}
	return key.Seal(eventAD(e.CustomerID, e.ID), e.Data), "", nil
}

// OpenEvent sets e.Data from what its row holds: sealed data under the
// customer's wrapped data key, or plain data written before encryption.
// An erased customer's events have no data.
func (c *Core) OpenEvent(e *kyb.Event, plain, sealed, wrappedKey []byte) error {
	switch {
	case sealed == nil:
		e.Data = plain
		if len(plain) == 0 {
			e.Data = nil
		}
		return nil
	case wrappedKey == nil:
		e.Data = nil // erased
		return nil
	}
	key, err := c.Keys.OpenDataKey(dataKeyAD(e.CustomerID), wrappedKey)
	if err != nil {
		return fmt.Errorf("event %s: %w", e.ID, err)
	}
	if e.Data, err = key.Open(eventAD(e.CustomerID, e.ID), sealed); err != nil {
		return fmt.Errorf("event %s: %w", e.ID, err)
	}
	return nil
}

// openProfile reads a customer's profile (and screening) from its row:
// sealed under its data key, plain from before encryption, or erased.
func (c *Core) openProfile(cust *kyb.Customer, plain, sealed, wrappedKey, sealedScreening []byte, partnerCustomerID string) error {
	var stored []byte
	switch {
	case !cust.ErasedAt.IsZero():
		cust.Profile = api.Profile{PartnerCustomerID: partnerCustomerID}
		return nil
	case wrappedKey == nil:
		stored = plain
	default:
		key, err := c.Keys.OpenDataKey(dataKeyAD(cust.ID), wrappedKey)
		if err != nil {
			return err
		}
		if stored, err = key.Open(profileAD(cust.ID), sealed); err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		if sealedScreening != nil {
			b, err := key.Open(screeningAD(cust.ID), sealedScreening)
			if err != nil {
				return fmt.Errorf("screening: %w", err)
			}
			cust.Screening = new(kyb.Screening)
			if err := json.Unmarshal(b, cust.Screening); err != nil {
				return fmt.Errorf("decode screening: %w", err)
			}
		}
	}
	var err error
	cust.Profile, err = DecodeProfile(stored)
	return err
}
