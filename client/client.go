// Package client is the Go client of the onboard partner API: customers
// (created, read, updated, their information requests answered),
// documents, webhook endpoints and their deliveries, and verification of
// the webhooks onboard sends. Request and response bodies are the types of
// package api, which the server uses too. API errors come back as *Error.
//
//	c := client.New("http://127.0.0.1:8083", apiKey, apiSecret)
//	customer, err := c.CreateCustomer(ctx, api.Profile{...})
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// Error is an error answer of the API.
type Error struct {
	api.ErrorInfo
	StatusCode int
	// RetryAfter is how long the server asked the caller to wait (429 and
	// 503), zero when it did not say.
	RetryAfter time.Duration
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
// is safe to retry; different details with the same PartnerCustomerID are
// a 409 whose Error names the existing customer.
func (c *Client) CreateCustomer(ctx context.Context, p api.Profile) (*api.Customer, error) {
	return call[api.Customer](ctx, c, http.MethodPost, "/api/customers/create", p)
}

// Customer reads one of the partner's customers.
func (c *Client) Customer(ctx context.Context, customerID string) (*api.Customer, error) {
	return call[api.Customer](ctx, c, http.MethodGet, "/api/customers/"+url.PathEscape(customerID), nil)
}

// ListParams selects a page of customers; zero values are left out.
type ListParams struct {
	Status            api.Status
	PartnerCustomerID string
	CreatedAfter      time.Time // exclusive
	CreatedBefore     time.Time // exclusive
	Limit             int       // 1 to 100; the server's default is 20
	// StartingAfter is the NextCursor of the previous page.
	StartingAfter string
}

func (p ListParams) query() string {
	q := url.Values{}
	set := func(name, v string) {
		if v != "" {
			q.Set(name, v)
		}
	}
	set("status", string(p.Status))
	set("partner_customer_id", p.PartnerCustomerID)
	if !p.CreatedAfter.IsZero() {
		set("created_after", p.CreatedAfter.UTC().Format(time.RFC3339))
	}
	if !p.CreatedBefore.IsZero() {
		set("created_before", p.CreatedBefore.UTC().Format(time.RFC3339))
	}
	if p.Limit != 0 {
		set("limit", strconv.Itoa(p.Limit))
	}
	set("starting_after", p.StartingAfter)
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// ListCustomers returns a page of the partner's customers, newest first.
func (c *Client) ListCustomers(ctx context.Context, p ListParams) (*api.List[api.Customer], error) {
	return call[api.List[api.Customer]](ctx, c, http.MethodGet, "/api/customers"+p.query(), nil)
}

// CustomerEvents returns every event of a customer in sequence, exactly as
// its webhooks carried (or will carry) them, to reconcile missed ones.
func (c *Client) CustomerEvents(ctx context.Context, customerID string) ([]api.Event[api.Customer], error) {
	out, err := call[api.Data[api.Event[api.Customer]]](ctx, c, http.MethodGet, "/api/customers/"+url.PathEscape(customerID)+"/events", nil)
	if err != nil {
		return nil, err
	}
	return out.Data, nil
}

// UploadFile uploads a document (PDF, JPEG or PNG, at most 10 MiB) of a
// type such as api.FileBusinessRegistration, and returns its metadata;
// its FileID is what a profile refers to.
func (c *Client) UploadFile(ctx context.Context, fileType, filename string, content io.Reader) (*api.File, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("fileType", fileType); err != nil {
		return nil, fmt.Errorf("onboard: encode upload: %w", err)
	}
	part, err := mw.CreateFormFile("file", filename)
	if err != nil {
		return nil, fmt.Errorf("onboard: encode upload: %w", err)
	}
	if _, err := io.Copy(part, content); err != nil {
		return nil, fmt.Errorf("onboard: read upload: %w", err)
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("onboard: encode upload: %w", err)
	}
	resp, err := c.send(ctx, http.MethodPost, "/api/files/upload", mw.FormDataContentType(), &body)
	if err != nil {
		return nil, err
	}
	return decode[api.File](resp)
}

// File reads a document's metadata.
func (c *Client) File(ctx context.Context, fileID string) (*api.File, error) {
	return call[api.File](ctx, c, http.MethodGet, "/api/files/"+url.PathEscape(fileID), nil)
}

// FileContent downloads a document, with its content type.
func (c *Client) FileContent(ctx context.Context, fileID string) (content []byte, contentType string, err error) {
	resp, err := c.send(ctx, http.MethodGet, "/api/files/"+url.PathEscape(fileID)+"/content", "", nil)
	if err != nil {
		return nil, "", err
	}
	b, err := readBody(resp)
	if err != nil {
		return nil, "", err
	}
	return b, resp.Header.Get("Content-Type"), nil
}

// CreateEndpoint registers a webhook endpoint. The answer's Secret, which
// signs every delivery, is shown only now.
func (c *Client) CreateEndpoint(ctx context.Context, endpointURL string) (*api.Endpoint, error) {
	return call[api.Endpoint](ctx, c, http.MethodPost, "/api/webhooks/endpoints", api.EndpointRequest{URL: endpointURL})
}

// Endpoints lists the partner's webhook endpoints, without secrets.
func (c *Client) Endpoints(ctx context.Context) ([]api.Endpoint, error) {
	out, err := call[api.Data[api.Endpoint]](ctx, c, http.MethodGet, "/api/webhooks/endpoints", nil)
	if err != nil {
		return nil, err
	}
	return out.Data, nil
}

// DeleteEndpoint removes a webhook endpoint; its pending deliveries fail.
func (c *Client) DeleteEndpoint(ctx context.Context, endpointID string) error {
	_, err := call[api.Deleted](ctx, c, http.MethodDelete, "/api/webhooks/endpoints/"+url.PathEscape(endpointID), nil)
	return err
}

// RotateEndpointSecret gives an endpoint a new secret, shown only now.
func (c *Client) RotateEndpointSecret(ctx context.Context, endpointID string) (*api.Endpoint, error) {
	return call[api.Endpoint](ctx, c, http.MethodPost, "/api/webhooks/endpoints/"+url.PathEscape(endpointID)+"/rotate-secret", nil)
}

// Deliveries returns the deliveries of one event to the partner's
// endpoints, each with its attempts.
func (c *Client) Deliveries(ctx context.Context, eventID string) ([]api.Delivery, error) {
	out, err := call[api.Data[api.Delivery]](ctx, c, http.MethodGet, "/api/webhooks/deliveries?event_id="+url.QueryEscape(eventID), nil)
	if err != nil {
		return nil, err
	}
	return out.Data, nil
}

// call sends in (as JSON, when not nil) and decodes the answer as T.
func call[T any](ctx context.Context, c *Client, method, path string, in any) (*T, error) {
	var body io.Reader
	contentType := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("onboard: encode request: %w", err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	resp, err := c.send(ctx, method, path, contentType, body)
	if err != nil {
		return nil, err
	}
	return decode[T](resp)
}

// send sends an authenticated request; an answer other than 2xx comes back
// as an *Error.
// headers are more request headers, name then value.
func (c *Client) send(ctx context.Context, method, path, contentType string, body io.Reader, headers ...string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return nil, fmt.Errorf("onboard: %w", err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-API-Key", c.apiKey)
	req.Header.Set("X-API-Secret", c.apiSecret)
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("onboard: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	b, err := readBody(resp)
	if err != nil {
		return nil, err
	}
	e := &Error{StatusCode: resp.StatusCode}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	var wire api.ErrorResponse
	if json.Unmarshal(b, &wire) != nil || wire.Error.Code == "" {
		e.Code, e.Message, e.RequestID = "unexpected_response", http.StatusText(resp.StatusCode), resp.Header.Get("X-Request-Id")
		return nil, e
	}
	e.ErrorInfo = wire.Error
	return nil, e
}

// maxResponseBytes bounds what the client reads of one answer: a document
// of 10 MiB and room to spare.
const maxResponseBytes = 16 << 20

func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("onboard: read response: %w", err)
	}
	if len(b) > maxResponseBytes {
		return nil, errors.New("onboard: response larger than 16 MiB")
	}
	return b, nil
}

func decode[T any](resp *http.Response) (*T, error) {
	b, err := readBody(resp)
	if err != nil {
		return nil, err
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("onboard: decode response: %w", err)
	}
	return &out, nil
}
