package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/onboardkyb/onboard/api"
)

// UpdateCustomer changes one of the partner's pending or active customers
// with a JSON Merge Patch (RFC 7396) of the create body: patch is a value
// that encodes to a JSON object, such as a map[string]any or a
// json.RawMessage, whose members replace the customer's, with nil (null)
// removing one and lists replacing whole. ifMatch, when not 0, is the
// Version the update is made on: a customer at another version is a 412
// *Error (code version_mismatch) and nothing changes. The same patch
// again on the same version returns the same customer and makes no new
// version, so the call is safe to retry.
func (c *Client) UpdateCustomer(ctx context.Context, customerID string, patch any, ifMatch int) (*api.Customer, error) {
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("onboard: encode request: %w", err)
	}
	var headers []string
	if ifMatch > 0 {
		headers = []string{"If-Match", `"` + strconv.Itoa(ifMatch) + `"`}
	}
	resp, err := c.send(ctx, http.MethodPost, "/api/customers/"+url.PathEscape(customerID)+"/update", "application/json", bytes.NewReader(b), headers...)
	if err != nil {
		return nil, err
	}
	return decode[api.Customer](resp)
}

// AnswerRequirement answers a question among a customer's Requirements,
// which resolves it, and returns the customer.
func (c *Client) AnswerRequirement(ctx context.Context, customerID, requirementID, text string) (*api.Customer, error) {
	return call[api.Customer](ctx, c, http.MethodPost,
		"/api/customers/"+url.PathEscape(customerID)+"/requirements/"+url.PathEscape(requirementID)+"/answer", api.Answer{Text: text})
}
