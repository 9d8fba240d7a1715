package client

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// FuzzVerifyWebhook checks VerifyWebhook against what a receiver may be
// sent. Random headers, bodies and secrets never panic and are never
// accepted without the right signature; a delivery signed as the relay
// signs it always verifies, and changing any one byte of its body makes it
// fail. Its seeds are in testdata/fuzz/FuzzVerifyWebhook.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "evt_1", "1800000000", "v1,AAAA", "00",
		[]byte(`{"id":"evt_1","type":"customer.active","sequence":2,"data":{"customer_id":"cus_1"}}`), uint(7), byte(1))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, secret, id, timestamp, signature, bodySignature string, body []byte, at uint, flip byte) {
		// Whatever is sent.
		h := http.Header{}
		h.Set(api.HeaderID, id)
		h.Set(api.HeaderTimestamp, timestamp)
		h.Set(api.HeaderStandardSignature, signature)
		h.Set(api.HeaderSignature, bodySignature)
		if ev, err := verifyWebhookAt(secret, h, body, 0, now); err == nil {
			ts, _ := strconv.ParseInt(timestamp, 10, 64)
			want, _ := api.StandardSignature(secret, id, ts, body)
			if !slices.Contains(strings.Fields(signature), want) || ev.ID != id {
				t.Fatalf("accepted a delivery not signed with the secret: %q", signature)
			}
		}

		// A delivery signed as the relay signs it, with a key made of the
		// fuzzed secret and an event made of the fuzzed id and body.
		key := api.WebhookSecretPrefix + base64.StdEncoding.EncodeToString(append([]byte{1}, secret...))
		id = strings.ToValidUTF8(id, "\uFFFD") // as JSON will carry it
		event, err := json.Marshal(map[string]any{
			"id": id, "type": "customer.created", "created_at": "2026-11-30T06:00:00Z", "sequence": 1,
			"data": map[string]any{"customer_id": "cus_1", "status": "pending", "partner_customer_id": string(body)},
		})
		if err != nil {
			t.Fatal(err)
		}
		signed := signedDelivery(t, key, id, now.Unix(), event)
		if ev, err := verifyWebhookAt(key, signed, event, 0, now); err != nil || ev.ID != id {
			t.Fatalf("a correctly signed delivery = %+v, %v; want it verified\n%s", ev, err, event)
		}
		tampered := slices.Clone(event)
		tampered[at%uint(len(tampered))] ^= max(flip, 1)
		if _, err := verifyWebhookAt(key, signed, tampered, 0, now); !errors.Is(err, ErrWebhookSignature) {
			t.Fatalf("body changed at byte %d: error = %v, want ErrWebhookSignature\n%s", at%uint(len(tampered)), err, tampered)
		}
	})
}

// signedDelivery returns the headers with which the relay delivers body.
func signedDelivery(t *testing.T, secret, id string, ts int64, body []byte) http.Header {
	t.Helper()
	std, err := api.StandardSignature(secret, id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(api.HeaderID, id)
	h.Set(api.HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(api.HeaderStandardSignature, std)
	h.Set(api.HeaderSignature, api.BodySignature(secret, body))
	return h
}
