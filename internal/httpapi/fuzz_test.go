package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// fuzzNow is the clock of FuzzCreateRequest's validation, fixed so that a
// finding replays the same way on another day.
var fuzzNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// FuzzCreateRequest feeds bytes to the create-customer path: the strict
// decoder and validation the handler uses, then the whole handler on a
// real store. Its seeds, in testdata/fuzz/FuzzCreateRequest, run with every
// go test; scripts/fuzz searches for more.
func FuzzCreateRequest(f *testing.F) {
	f.Add([]byte(validBody))
	f.Add([]byte(minimalBody("fuzz-seed-customer-000001")))

	svc := kyb.NewService(storetest.SQLite(f), kyb.WithCipher(testFileCipher(f)))
	creds, err := svc.CreatePartner(context.Background(), testActor, "Fuzz partner", false)
	if err != nil {
		f.Fatal(err)
	}
	h := httpapi.New(svc, slog.New(slog.DiscardHandler), withoutRateLimit())

	f.Fuzz(func(t *testing.T, body []byte) {
		checkNormalizedEcho(t, body)

		// The made-up file ids of validBody become real uploads, so that
		// bodies derived from it can get as far as the database.
		sent := substituteFiles(t, svc, creds.PartnerID, string(body))
		req := httptest.NewRequest("POST", "/api/customers/create", bytes.NewReader([]byte(sent)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-Key", creds.APIKey)
		req.Header.Set("X-API-Secret", creds.APISecret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict,
			http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("status = %d, want 200, 400, 401, 409, 413 or 415: %s", rec.Code, rec.Body)
		}
	})
}

// checkNormalizedEcho decodes and validates body as the create handler
// does. A refusal must be a validation error; an accepted profile must be
// what encoding/json reads from the body and, once normalised, must be
// accepted again as a request, with the same echo and the same
// fingerprint, so that a partner may resend what we returned.
func checkNormalizedEcho(t *testing.T, body []byte) {
	t.Helper()
	p, err := decodeProfile(body)
	if err != nil {
		if !errors.Is(err, kyb.ErrInvalid) {
			t.Fatalf("refused with %v, want a validation error", err)
		}
		return
	}
	// What the strict decoder accepts, and validation too, encoding/json
	// reads the same: the decoder's bounds cut only what validation refuses.
	var reference api.Profile
	if err := json.Unmarshal(body, &reference); err != nil || !reflect.DeepEqual(p, reference) {
		t.Fatalf("encoding/json reads the accepted body otherwise (%v):\nsent:     %q\ndecoder:  %+v\nreference: %+v", err, body, p, reference)
	}
	kyb.NormalizeProfile(&p)
	echo, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("marshal the accepted profile: %v", err)
	}
	again, err := decodeProfile(echo)
	if err != nil {
		t.Fatalf("the normalised echo is refused: %v\nsent: %q\necho: %s", err, body, echo)
	}
	kyb.NormalizeProfile(&again)
	if echoAgain, _ := json.Marshal(again); !bytes.Equal(echoAgain, echo) {
		t.Fatalf("normalising twice changes the echo:\nonce:  %s\ntwice: %s", echo, echoAgain)
	}
	if kyb.Fingerprint(p) != kyb.Fingerprint(again) {
		t.Fatalf("the fingerprint changes when the echo is sent back:\nsent: %q\necho: %s", body, echo)
	}
}

// decodeProfile is the create handler's decode and validate, with every
// refusal as an error.
func decodeProfile(body []byte) (api.Profile, error) {
	var p api.Profile
	fields, err := httpapi.DecodeJSON(body, &p)
	if err != nil {
		return api.Profile{}, err
	}
	for _, fe := range fields {
		// Only the key "" of the top-level object has the path "".
		if fe.Code == "" || fe.Message == "" || fe.Field == "" && fe.Code != api.CodeUnknownField {
			return api.Profile{}, errors.New("a decode error without field, code or message")
		}
	}
	if len(fields) > 0 {
		return api.Profile{}, kyb.Invalid(fields)
	}
	if err := kyb.ValidateProfile(&p, fuzzNow); err != nil {
		return api.Profile{}, err
	}
	return p, nil
}
