// Package client is the Go client of the onboard API, for partners: it
// creates and reads customers and reports API errors as *Error.
//
//	c := client.New("http://127.0.0.1:8083", apiKey, apiSecret)
//	customer, err := c.CreateCustomer(ctx, client.CustomerRequest{...})
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// The request types are the service's own, so the client can never drift
// from the contract.
type (
	CustomerRequest     = api.Profile
	BusinessDetails     = api.BusinessDetails
	RegistrationAddress = api.RegistrationAddress
	AccountUsage        = api.AccountUsage
	PrimaryContact      = api.PrimaryContact
	BusinessPerson      = api.BusinessPerson
	BasicInfo           = api.BasicInfo
	ResidentialAddress  = api.ResidentialAddress
	Identification      = api.Identification
	FieldError          = api.FieldError
)

// Customer is a customer as the API returns it.
type Customer struct {
	CustomerRequest
	CustomerID      string    `json:"customer_id"`
	Status          string    `json:"status"`
	CreatedAt       time.Time `json:"created_at"`
	StatusReason    string    `json:"status_reason,omitempty"`
	StatusUpdatedAt time.Time `json:"status_updated_at,omitzero"`
}

// Error is an error answer of the API.
type Error struct {
	StatusCode int          `json:"-"`
	Code       string       `json:"code"`
	Message    string       `json:"message"`
	RequestID  string       `json:"request_id"`
	Details    []FieldError `json:"details,omitempty"`
	CustomerID string       `json:"customer_id,omitempty"`
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "onboard: %d %s: %s", e.StatusCode, e.Code, e.Message)
	for _, d := range e.Details {
		fmt.Fprintf(&b, "; %s: %s", d.Field, d.Message)
	}
	fmt.Fprintf(&b, " (request %s)", e.RequestID)
	return b.String()
}

// Client calls the onboard API with one partner's credentials.
type Client struct {
	baseURL   string
	apiKey    string
	apiSecret string
	// HTTPClient sends the requests; replace it to set timeouts or
	// transports.
	HTTPClient *http.Client
}

// New returns a client for the API at baseURL, such as
// "http://127.0.0.1:8083".
func New(baseURL, apiKey, apiSecret string) *Client {
	return &Client{
		baseURL:    strings.TrimRight(baseURL, "/"),
		apiKey:     apiKey,
		apiSecret:  apiSecret,
		HTTPClient: &http.Client{Timeout: 30 * time.Second},
	}
}

// CreateCustomer submits a customer. Repeating the call with the same
// PartnerCustomerID and the same details returns the same customer, so it
// is safe to retry.
func (c *Client) CreateCustomer(ctx context.Context, req CustomerRequest) (*Customer, error) {
	var out Customer
	if err := c.do(ctx, http.MethodPost, "/api/customers/create", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Customer reads one of the partner's customers.
func (c *Client) Customer(ctx context.Context, customerID string) (*Customer, error) {
	var out Customer
	if err := c.do(ctx, http.MethodGet, "/api/customers/"+url.PathEscape(customerID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("onboard: encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return fmt.Errorf("onboard: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-API-Key", c.apiKey)
	req.Header.Set("X-API-Secret", c.apiSecret)
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("onboard: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("onboard: read response: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Error Error }
		if json.Unmarshal(b, &e) != nil || e.Error.Code == "" {
			return &Error{StatusCode: resp.StatusCode, Code: "unexpected_response", Message: http.StatusText(resp.StatusCode), RequestID: resp.Header.Get("X-Request-Id")}
		}
		e.Error.StatusCode = resp.StatusCode
		return &e.Error
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("onboard: decode response: %w", err)
	}
	return nil
}
