package client

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
)

func TestVerifyWebhook(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"id":"evt_1","type":"customer.active","created_at":"2026-11-30T06:00:00Z","sequence":2,"data":{"customer_id":"cus_1","status":"active"}}`)
	now := time.Unix(1_800_000_000, 0)
	signed := func(id string, ts int64, b []byte) http.Header { return signedDelivery(t, secret, id, ts, b) }
	good := signed("evt_1", now.Unix(), body)
	ev, err := verifyWebhookAt(secret, good, body, 0, now)
	if err != nil || ev.ID != "evt_1" || ev.Sequence != 2 || ev.Data.Status != "active" {
		t.Fatalf("verify = %+v, %v", ev, err)
	}

	tampered := append([]byte{}, body...)
	tampered[len(tampered)-3] = 'X'
	rotated := signed("evt_1", now.Unix(), body)
	rotated.Set(api.HeaderStandardSignature, "v1,b2xkc2lnbmF0dXJl "+good.Get(api.HeaderStandardSignature))
	wrongBodySig := signed("evt_1", now.Unix(), body)
	wrongBodySig.Set(api.HeaderSignature, "00")
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		secret string
		want   error
	}{
		{"tampered body", good, tampered, secret, ErrWebhookSignature},
		{"wrong secret", good, body, "whsec_b3RoZXJzZWNyZXQ=", ErrWebhookSignature},
		{"old timestamp", signed("evt_1", now.Add(-6*time.Minute).Unix(), body), body, secret, ErrWebhookTimestamp},
		{"future timestamp", signed("evt_1", now.Add(6*time.Minute).Unix(), body), body, secret, ErrWebhookTimestamp},
		{"no timestamp", http.Header{}, body, secret, ErrWebhookTimestamp},
		{"id not the body's", signed("evt_2", now.Unix(), body), body, secret, ErrWebhookSignature},
		{"wrong X-Webhook-Signature", wrongBodySig, body, secret, ErrWebhookSignature},
		{"one of several signatures matches", rotated, body, secret, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verifyWebhookAt(tt.secret, tt.header, tt.body, 0, now)
			if !errors.Is(err, tt.want) {
				t.Errorf("verify error = %v, want %v", err, tt.want)
			}
		})
	}
}
