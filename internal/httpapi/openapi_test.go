package httpapi_test

import (
	"net/http"
	"testing"
)

// checkAgainstOpenAPI fails the test when a response does not match the
// OpenAPI document. (Placeholder until the document is written.)
func checkAgainstOpenAPI(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
}
