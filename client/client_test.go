package client_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
	"github.com/onboardkyb/onboard/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// server is a real onboard server with a webhook relay, on a real store.
type server struct {
	url string
	svc *kyb.Service
}

func startServer(t *testing.T, e storetest.Engine) server {
	t.Helper()
	store := e.Open(t)
	cipher, err := kyb.NewCipher([]byte("client-test-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	relay := webhook.New(webhook.Options{
		Store: store, Cipher: cipher, Log: log, Timeout: 2 * time.Second, Poll: 20 * time.Millisecond, AllowPrivate: true,
		Schedule: webhook.Schedule{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond, GiveUpAfter: time.Minute},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { relay.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	svc := kyb.NewService(store, kyb.WithCipher(cipher), kyb.WithInsecureWebhooks(true), kyb.WithEventNotifier(relay.Notify))
	srv := httptest.NewServer(httpapi.New(svc, log))
	t.Cleanup(srv.Close)
	return server{srv.URL, svc}
}

func (s server) partner(t *testing.T) *client.Client {
	t.Helper()
	creds, err := s.svc.CreatePartner(t.Context(), kyb.Actor{Type: kyb.ActorSystem, ID: "test"}, "Client test partner", false)
	if err != nil {
		t.Fatal(err)
	}
	return client.New(s.url, creds.APIKey, creds.APISecret)
}

// receiver verifies every delivery it gets with client.VerifyWebhook.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	events []*client.WebhookEvent
	errs   []error
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		ev, err := client.VerifyWebhook(r.secret, req.Header, body, 0)
		if err != nil {
			r.errs = append(r.errs, err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.events = append(r.events, ev)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) wait(t *testing.T, n int) []*client.WebhookEvent {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		r.mu.Lock()
		got, errs := slices.Clone(r.events), slices.Clone(r.errs)
		r.mu.Unlock()
		if len(errs) > 0 {
			t.Fatalf("a delivery failed verification: %v", errs[0])
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d webhooks, want %d", len(got), n)
		}
	}
}

func upload(t *testing.T, c *client.Client, fileType, path string) *api.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := c.UploadFile(t.Context(), fileType, path, f)
	if err != nil {
		t.Fatalf("UploadFile %s: %v", path, err)
	}
	return file
}

// TestEveryPartnerRoute walks a partner's whole integration through the
// client against a real server: documents, a customer, reads, a list, the
// webhook endpoint with its deliveries and a verified webhook, rotation and
// deletion, and the errors a partner must be able to tell apart.
func TestEveryPartnerRoute(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		srv := startServer(t, e)
		c := srv.partner(t)
		ctx := t.Context()

		rcv := newReceiver(t)
		endpoint, err := c.CreateEndpoint(ctx, rcv.URL+"/hooks")
		if err != nil || endpoint.Secret == "" || endpoint.URL != rcv.URL+"/hooks" {
			t.Fatalf("CreateEndpoint = %+v, %v", endpoint, err)
		}
		rcv.mu.Lock()
		rcv.secret = endpoint.Secret
		rcv.mu.Unlock()

		registration := upload(t, c, api.FileBusinessRegistration, "../docs/samples/business-registration.pdf")
		front := upload(t, c, api.FileMainPage, "../docs/samples/id-front.png")
		if registration.ContentType != "application/pdf" || registration.FileType != api.FileBusinessRegistration || registration.CreatedAt.IsZero() {
			t.Errorf("uploaded file = %+v", registration)
		}
		if got, err := c.File(ctx, front.FileID); err != nil || *got != *front {
			t.Errorf("File = %+v, %v; want %+v", got, err, front)
		}
		want, _ := os.ReadFile("../docs/samples/id-front.png")
		if content, contentType, err := c.FileContent(ctx, front.FileID); err != nil || string(content) != string(want) || contentType != "image/png" {
			t.Errorf("FileContent = %d bytes of %s, %v; want the %d bytes uploaded", len(content), contentType, err, len(want))
		}

		profile := api.Profile{
			PartnerCustomerID: "client-customer-000001",
			BusinessDetails: &api.BusinessDetails{
				BusinessName: "Example Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB",
				BusinessIdentifierDocumentList: []string{registration.FileID},
			},
			RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
			AccountUsage:        &api.AccountUsage{EstimatedMonthlyRevenueCurrency: "GBP", EstimatedMonthlyRevenueAmount: "100.50"},
			BusinessPersonList: []api.BusinessPerson{{
				BasicInfo:      &api.BasicInfo{FirstName: "Ada", LastName: "Lovelace", BirthDate: "1985-06-15T02:00:00+02:00"},
				Identification: &api.Identification{IDNumber: "E12345678", DocumentFrontFileID: front.FileID},
			}},
		}
		created, err := c.CreateCustomer(ctx, profile)
		if err != nil {
			t.Fatalf("CreateCustomer: %v", err)
		}
		if created.Status != api.StatusPending || created.CreatedAt.IsZero() || created.CreatedAt.Location() != time.UTC ||
			created.AccountUsage.EstimatedMonthlyRevenueAmount != "100.50" || created.BusinessPersonList[0].BasicInfo.BirthDate != "1985-06-15T00:00:00Z" {
			t.Errorf("created = %+v", created)
		}
		again, err := c.CreateCustomer(ctx, profile)
		if err != nil || again.CustomerID != created.CustomerID {
			t.Errorf("the same create again = %+v, %v; want customer %s", again, err, created.CustomerID)
		}
		got, err := c.Customer(ctx, created.CustomerID)
		if err != nil || got.CustomerID != created.CustomerID || !got.CreatedAt.Equal(created.CreatedAt) || got.BusinessDetails.BusinessName != "Example Ltd" {
			t.Errorf("Customer = %+v, %v", got, err)
		}
		page, err := c.ListCustomers(ctx, client.ListParams{Status: api.StatusPending, Limit: 1, CreatedAfter: created.CreatedAt.Add(-time.Hour)})
		if err != nil || len(page.Data) != 1 || page.Data[0].CustomerID != created.CustomerID || page.HasMore {
			t.Errorf("ListCustomers = %+v, %v", page, err)
		}

		hooks := rcv.wait(t, 1)
		if hooks[0].Type != api.EventCustomerCreated || hooks[0].Data.CustomerID != created.CustomerID || hooks[0].Sequence != 1 {
			t.Errorf("webhook = %+v", hooks[0])
		}
		events, err := c.CustomerEvents(ctx, created.CustomerID)
		if err != nil || len(events) != 1 || events[0].ID != hooks[0].ID || events[0].Data.Status != api.StatusPending {
			t.Errorf("CustomerEvents = %+v, %v", events, err)
		}
		var deliveries []api.Delivery
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			deliveries, err = c.Deliveries(ctx, events[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(deliveries) == 1 && deliveries[0].Status == "succeeded" || time.Now().After(deadline) {
				break
			}
		}
		if len(deliveries) != 1 || deliveries[0].Status != "succeeded" || len(deliveries[0].Attempts) != 1 || deliveries[0].Attempts[0].StatusCode != 200 {
			t.Errorf("Deliveries = %+v", deliveries)
		}

		endpoints, err := c.Endpoints(ctx)
		if err != nil || len(endpoints) != 1 || endpoints[0].ID != endpoint.ID || endpoints[0].Secret != "" {
			t.Errorf("Endpoints = %+v, %v; want the one endpoint, without its secret", endpoints, err)
		}
		rotated, err := c.RotateEndpointSecret(ctx, endpoint.ID)
		if err != nil || rotated.Secret == "" || rotated.Secret == endpoint.Secret {
			t.Errorf("RotateEndpointSecret = %+v, %v", rotated, err)
		}
		if err := c.DeleteEndpoint(ctx, endpoint.ID); err != nil {
			t.Errorf("DeleteEndpoint: %v", err)
		}
		if endpoints, err := c.Endpoints(ctx); err != nil || len(endpoints) != 0 {
			t.Errorf("Endpoints after the deletion = %+v, %v", endpoints, err)
		}

		// The errors a partner acts on, each with its status and code.
		conflicting := profile
		conflicting.RegistrationAddress = &api.RegistrationAddress{Line1: "2 High Street", City: "London", CountryCode: "GB"}
		invalid := api.Profile{PartnerCustomerID: "short"}
		other := srv.partner(t)
		errorCases := []struct {
			name   string
			call   func() error
			status int
			code   string
		}{
			{"conflicting create", func() error { _, err := c.CreateCustomer(ctx, conflicting); return err }, 409, "duplicate_partner_customer_id"},
			{"invalid create", func() error { _, err := c.CreateCustomer(ctx, invalid); return err }, 400, "invalid_request"},
			{"another partner's customer", func() error { _, err := other.Customer(ctx, created.CustomerID); return err }, 404, "not_found"},
			{"another partner's file", func() error { _, err := other.File(ctx, front.FileID); return err }, 404, "not_found"},
			{"a deleted endpoint", func() error { return c.DeleteEndpoint(ctx, endpoint.ID) }, 404, "not_found"},
			{"bad credentials", func() error {
				_, err := client.New(srv.url, "ak_nope", "sk_nope").Customer(ctx, created.CustomerID)
				return err
			}, 401, "unauthorized"},
		}
		for _, tc := range errorCases {
			var apiErr *client.Error
			if err := tc.call(); !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status || apiErr.Code != tc.code || apiErr.RequestID == "" {
				t.Errorf("%s: error = %v, want %d %s with a request id", tc.name, err, tc.status, tc.code)
			}
		}
		var apiErr *client.Error
		_, err = c.CreateCustomer(ctx, conflicting)
		if errors.As(err, &apiErr); apiErr == nil || apiErr.CustomerID != created.CustomerID {
			t.Errorf("conflict error = %v, want it to name %s", err, created.CustomerID)
		}
		_, err = c.CreateCustomer(ctx, invalid)
		if errors.As(err, &apiErr); apiErr == nil || len(apiErr.Details) == 0 || apiErr.Details[0].Field != "partner_customer_id" {
			t.Errorf("invalid error = %v, want details naming partner_customer_id", err)
		}
	})
}
