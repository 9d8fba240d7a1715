package kyb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// Prefixes of webhook ids.
const (
	PrefixEndpoint = "we_"
	PrefixEvent    = "evt_"
)

// newWebhookSecret returns a new endpoint secret: whsec_ and the base64 of
// 32 random bytes, the form Standard Webhooks libraries accept.
func newWebhookSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return api.WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// MaxEndpoints bounds how many webhook endpoints a partner may register.
const MaxEndpoints = 5

// Endpoint is where a partner receives its webhook events.
type Endpoint struct {
	ID        string
	PartnerID string
	URL       string
	CreatedAt time.Time
	// Secret signs deliveries. Stores keep it sealed; it is set only when
	// the endpoint is created or its secret rotated, and when the relay
	// needs it.
	Secret string
	// PreviousSecret is the secret before the last rotation, which also
	// signs deliveries until PreviousSecretExpiresAt (see
	// WithWebhookSecretGrace). Like Secret, the relay's alone, sealed.
	PreviousSecret          string
	PreviousSecretExpiresAt time.Time
}

// Event is one change of a customer, told to its partner. It is written in
// the same transaction as the change (a transactional outbox) and its body
// never changes, so every retry sends the same bytes.
type Event struct {
	ID         string
	PartnerID  string
	CustomerID string
	Type       string
	// Sequence grows with every event of the customer, so a receiver can
	// ignore a stale event that arrives after a newer one. The store
	// assigns it.
	Sequence  int64
	CreatedAt time.Time
	// Data is the customer as GET /api/customers/{id} showed it right
	// after the change.
	Data json.RawMessage
}

// Body returns the JSON a receiver gets for the event.
func (e Event) Body() []byte {
	b, err := json.Marshal(api.Event[json.RawMessage]{ID: e.ID, Type: e.Type, CreatedAt: api.Time(e.CreatedAt), Sequence: e.Sequence, Data: e.Data})
	if err != nil {
		panic("kyb: marshal event: " + err.Error()) // Data is JSON we wrote
	}
	return b
}

// newEvent returns the event telling of customer c's current state.
func newEvent(c Customer, eventType string, at time.Time) Event {
	data, err := json.Marshal(c.View())
	if err != nil {
		panic("kyb: marshal customer: " + err.Error())
	}
	return Event{ID: NewID(PrefixEvent, at), PartnerID: c.PartnerID, CustomerID: c.ID, Type: eventType, CreatedAt: at, Data: data}
}

// statusEvent is the event type of a move to status s.
func statusEvent(s Status) string { return "customer." + string(s) }

// DeliveryStatus is where a delivery of an event to an endpoint stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySucceeded DeliveryStatus = "succeeded"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Delivery is an event on its way to one endpoint.
type Delivery struct {
	EventID       string
	EndpointID    string
	PartnerID     string
	URL           string
	Status        DeliveryStatus
	Attempts      []Attempt
	NextAttemptAt time.Time // zero once finished
	CreatedAt     time.Time
}

// Attempt is one try at delivering an event.
type Attempt struct {
	At         time.Time
	StatusCode int // zero when no answer came
	Latency    time.Duration
	Error      string // empty on success
}

// Job is a delivery claimed by a relay worker, with all it needs to send.
type Job struct {
	Event    Event
	Endpoint Endpoint
	// Attempt counts this try, from 1.
	Attempt int
}

// WebhookStore keeps endpoints and the outbox of events and deliveries.
type WebhookStore interface {
	// CreateEndpoint stores an endpoint with its sealed secret and the
	// audit event, unless allow, given how many endpoints the partner
	// has, refuses it; as with AddAPIKey, the count is taken with the
	// partner locked in the transaction that adds the endpoint.
	CreateEndpoint(ctx context.Context, e Endpoint, sealedSecret []byte, audit AuditEvent, allow func(endpoints int) error) error
	// Endpoints lists a partner's endpoints, without secrets.
	Endpoints(ctx context.Context, partnerID string) ([]Endpoint, error)
	// DeleteEndpoint removes a partner's endpoint; its pending deliveries
	// end as failed.
	// The deletion happens at audit.At and is recorded with it.
	DeleteEndpoint(ctx context.Context, partnerID, id string, audit AuditEvent) error
	// SetEndpointSecret replaces an endpoint's sealed secret, keeping the
	// one it replaces as the previous secret until previousUntil, and
	// records the audit event.
	SetEndpointSecret(ctx context.Context, partnerID, id string, sealedSecret []byte, previousUntil time.Time, audit AuditEvent) (Endpoint, error)

	// ClaimDeliveries leases up to limit pending deliveries that are due
	// at now, so that no other worker takes them until the lease ends.
	// Sealed secrets come back in Endpoint.Secret, still sealed.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Job, error)
	// RecordAttempt stores the outcome of the claim-th claim of a
	// delivery: next is the time of the next try, or zero when status is
	// final. The attempt is always recorded; the delivery's state changes
	// only if nothing else (a newer claim, a redelivery, a deleted
	// endpoint) has changed it since the claim.
	RecordAttempt(ctx context.Context, eventID, endpointID string, claim int, a Attempt, status DeliveryStatus, next time.Time) error
	// Deliveries returns a partner's deliveries of an event with their
	// attempts; partnerID empty means any partner (operators).
	Deliveries(ctx context.Context, partnerID, eventID string) ([]Delivery, error)
	// CustomerEvents returns a customer's events, in sequence.
	CustomerEvents(ctx context.Context, customerID string) ([]Event, error)
	// Redeliver makes an event's deliveries pending again, due at
	// audit.At, and when there were any records the audit event with the
	// event's partner and customer filled in.
	Redeliver(ctx context.Context, eventID string, audit AuditEvent) (int, error)
	// PendingDeliveries counts the deliveries of every partner still to be
	// sent or retried, for monitoring.
	PendingDeliveries(ctx context.Context) (int, error)
}

// publicHost reports whether a URL's host may be public: an IP literal must
// be a public address, and localhost names never are.
func publicHost(host string) bool {
	if ip, err := netip.ParseAddr(host); err == nil {
		return PublicAddress(ip)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host != "localhost" && !strings.HasSuffix(host, ".localhost")
}

// blockedPrefixes lists address ranges beyond the ones netip classifies:
// special-purpose ranges, and the IPv6 ranges that carry or reach an IPv4
// address (which may be a private one) by translation or tunnelling.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated), such as ::7f00:1
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// PublicAddress reports whether ip is one a webhook may be delivered to: a
// global unicast address that is not private, shared, reserved, for
// documentation, or a way to reach IPv4 through IPv6. An IPv4-mapped
// address is judged as the IPv4 address it holds.
func PublicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// CheckEndpointURL validates a webhook URL: absolute, https (http only
// when insecure is allowed), with a host and no credentials.
func CheckEndpointURL(raw string, allowInsecure bool) error {
	var ch checker
	ch.text("url", raw, true, maxURLLength)
	if len(ch.errs) == 0 {
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "":
			ch.add("url", api.CodeInvalidFormat, "must be an absolute https URL")
		case u.User != nil:
			ch.add("url", api.CodeInvalidFormat, "must not carry credentials")
		case u.Fragment != "":
			ch.add("url", api.CodeInvalidFormat, "must not have a fragment")
		case !strings.EqualFold(u.Scheme, "https") && !(strings.EqualFold(u.Scheme, "http") && allowInsecure):
			ch.add("url", api.CodeInvalidFormat, "must use https")
		case !allowInsecure && !publicHost(u.Hostname()):
			// Names are checked again when connecting, after DNS.
			ch.add("url", api.CodeInvalidValue, "must not point at a loopback, private or link-local address")
		}
	}
	if len(ch.errs) > 0 {
		return Invalid(ch.errs)
	}
	return nil
}

// ErrTooManyEndpoints is returned when a partner already has MaxEndpoints.
var ErrTooManyEndpoints = Conflict("too_many_endpoints", "the partner already has the most webhook endpoints allowed; delete one first")

// AllowAnotherEndpoint is the rule a new endpoint is stored under: a
// partner holds at most MaxEndpoints.
func AllowAnotherEndpoint(endpoints int) error {
	if endpoints >= MaxEndpoints {
		return ErrTooManyEndpoints
	}
	return nil
}

// CreateEndpoint registers a partner's endpoint and returns it with its
// signing secret, which is shown only now.
func (s *Service) CreateEndpoint(ctx context.Context, actor Actor, partnerID, rawURL string) (Endpoint, error) {
	if err := CheckEndpointURL(rawURL, s.allowInsecureWebhooks); err != nil {
		return Endpoint{}, err
	}
	if s.cipher == nil {
		return Endpoint{}, errNoCipher
	}
	now := s.Now().UTC()
	e := Endpoint{ID: NewID(PrefixEndpoint, now), PartnerID: partnerID, URL: rawURL, CreatedAt: now.Truncate(time.Second), Secret: newWebhookSecret()}
	if err := s.store.CreateEndpoint(ctx, e, s.cipher.Seal(e.ID, []byte(e.Secret)), endpointAudit(now, actor, ActionEndpointCreated, partnerID, e.ID), AllowAnotherEndpoint); err != nil {
		return Endpoint{}, fmt.Errorf("create endpoint: %w", err)
	}
	return e, nil
}

// RotateEndpointSecret gives an endpoint a new secret, returned only now;
// deliveries from then on are signed with it, and for the service's
// secret grace period with the secret it replaces as well, so that
// deliveries in flight and receivers not yet updated keep verifying.
// Rotating again within the grace period ends the older secret's.
func (s *Service) RotateEndpointSecret(ctx context.Context, actor Actor, partnerID, id string) (Endpoint, error) {
	if s.cipher == nil {
		return Endpoint{}, errNoCipher
	}
	secret := newWebhookSecret()
	now := s.Now().UTC()
	audit := endpointAudit(now, actor, ActionEndpointRotated, partnerID, id)
	e, err := s.store.SetEndpointSecret(ctx, partnerID, id, s.cipher.Seal(id, []byte(secret)), now.Add(s.secretGrace), audit)
	if err != nil {
		return Endpoint{}, fmt.Errorf("rotate endpoint secret: %w", err)
	}
	e.Secret = secret
	return e, nil
}

// Redeliver sends an event again to every live endpoint it was meant for,
// whatever became of the earlier deliveries.
func (s *Service) Redeliver(ctx context.Context, actor Actor, eventID string) (int, error) {
	audit := newAuditEvent(s.Now().UTC(), actor, ActionEventRedelivered)
	audit.TargetID = eventID
	n, err := s.store.Redeliver(ctx, eventID, audit)
	if err != nil {
		return 0, fmt.Errorf("redeliver %s: %w", eventID, err)
	}
	if n == 0 {
		return 0, NotFound("event delivery")
	}
	s.notifyEvents()
	return n, nil
}

// endpointAudit is the audit event of an action on a partner's endpoint.
func endpointAudit(at time.Time, actor Actor, action, partnerID, endpointID string) AuditEvent {
	audit := newAuditEvent(at, actor, action)
	audit.PartnerID, audit.TargetID = partnerID, endpointID
	return audit
}

// Endpoints lists a partner's endpoints, without their secrets.
func (s *Service) Endpoints(ctx context.Context, partnerID string) ([]Endpoint, error) {
	return s.store.Endpoints(ctx, partnerID)
}

// DeleteEndpoint removes a partner's endpoint; its pending deliveries end
// as failed.
func (s *Service) DeleteEndpoint(ctx context.Context, actor Actor, partnerID, id string) error {
	if err := s.store.DeleteEndpoint(ctx, partnerID, id, endpointAudit(s.Now().UTC(), actor, ActionEndpointDeleted, partnerID, id)); err != nil {
		return fmt.Errorf("delete endpoint %s: %w", id, err)
	}
	return nil
}

// Deliveries returns the deliveries of an event with their attempts. An
// event of another partner has none, like an event without endpoints;
// partnerID empty means any partner's, for operators.
func (s *Service) Deliveries(ctx context.Context, partnerID, eventID string) ([]Delivery, error) {
	return s.store.Deliveries(ctx, partnerID, eventID)
}

// CustomerEvents returns a customer's events in sequence, exactly as they
// were (or will be) delivered. partnerID empty means any partner's
// customer, for operators; another partner's customer is not found.
func (s *Service) CustomerEvents(ctx context.Context, partnerID, customerID string) ([]Event, error) {
	var err error
	if partnerID == "" {
		_, err = s.store.CustomerByID(ctx, customerID)
	} else {
		_, err = s.store.Customer(ctx, partnerID, customerID)
	}
	if err != nil {
		return nil, err
	}
	return s.store.CustomerEvents(ctx, customerID)
}

// PendingDeliveries counts the deliveries still to be sent or retried, for
// monitoring.
func (s *Service) PendingDeliveries(ctx context.Context) (int, error) {
	return s.store.PendingDeliveries(ctx)
}
