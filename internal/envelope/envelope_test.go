package envelope_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/envelope"
)

func key(id, fill byte) envelope.Key {
	return envelope.Key{ID: id, Secret: bytes.Repeat([]byte{fill}, envelope.KeySize)}
}

func ring(t *testing.T, keys ...envelope.Key) *envelope.Keyring {
	t.Helper()
	k, err := envelope.NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpensOnlyUnderItsKeyAndAssociatedData(t *testing.T) {
	k := ring(t, key(1, 1))
	ad := envelope.AD("cus_1", "profile")
	sealed := k.Seal(ad, []byte("Zhang Wei"))
	if sealed[0] != 1 || bytes.Contains(sealed, []byte("Zhang")) {
		t.Fatalf("sealed = %x: want key id 1 first and no plaintext", sealed)
	}
	if got, err := k.Open(ad, sealed); err != nil || string(got) != "Zhang Wei" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	flip := func(i int) []byte { b := bytes.Clone(sealed); b[i] ^= 1; return b }
	tests := []struct {
		name   string
		ring   *envelope.Keyring
		ad     []byte
		sealed []byte
	}{
		{"another row", k, envelope.AD("cus_2", "profile"), sealed},
		{"another purpose", k, envelope.AD("cus_1", "event"), sealed},
		{"another key with the same id", ring(t, key(1, 2)), ad, sealed},
		{"a key id not in the ring", ring(t, key(2, 1)), ad, sealed},
		{"a changed nonce", k, ad, flip(1)},
		{"a changed ciphertext", k, ad, flip(14)},
		{"cut short", k, ad, sealed[:10]},
		{"nothing", k, ad, nil},
	}
	for _, tt := range tests {
		if got, err := tt.ring.Open(tt.ad, tt.sealed); err == nil {
			t.Errorf("%s: Open = %q, want an error", tt.name, got)
		}
	}
}

// AD must not let two different lists of parts collide.
func TestADIsUnambiguous(t *testing.T) {
	if bytes.Equal(envelope.AD("ab", "c"), envelope.AD("a", "bc")) || bytes.Equal(envelope.AD("a:b"), envelope.AD("a", "b")) {
		t.Error("AD gives the same bytes for different parts")
	}
}

func TestDataKeysSurviveRewrapping(t *testing.T) {
	old := ring(t, key(1, 1))
	ad := envelope.AD("cus_1", "data key")
	dk, wrapped := old.NewDataKey(ad)
	profile := dk.Seal(envelope.AD("cus_1", "profile"), []byte("1990-01-02"))

	both := ring(t, key(1, 1), key(2, 2))
	rewrapped, err := both.Rewrap(ad, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := envelope.KeyID(rewrapped); id != 2 {
		t.Fatalf("rewrapped under key %d, want 2", id)
	}
	// The old key can go: the data key opens under the new one alone, and
	// what it sealed never changed.
	dk2, err := ring(t, key(2, 2)).OpenDataKey(ad, rewrapped)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := dk2.Open(envelope.AD("cus_1", "profile"), profile); err != nil || string(got) != "1990-01-02" {
		t.Errorf("profile after rewrap = %q, %v", got, err)
	}
	if _, err := dk2.Open(envelope.AD("cus_2", "profile"), profile); !errors.Is(err, envelope.ErrOpen) {
		t.Errorf("profile under another customer's associated data: %v, want ErrOpen", err)
	}
	// A data key of another customer does not open this one's data.
	other, _ := both.NewDataKey(envelope.AD("cus_2", "data key"))
	if _, err := other.Open(envelope.AD("cus_1", "profile"), profile); err == nil {
		t.Error("another data key opened the profile")
	}
	// Ring-sealed values are not data-key-sealed ones and vice versa.
	if _, err := dk2.Open(ad, rewrapped); err == nil {
		t.Error("a data key opened a ring-sealed value")
	}
}

func TestIndexKeyHashes(t *testing.T) {
	k := ring(t, key(1, 1))
	ik, wrapped := k.NewIndexKey(envelope.AD("identifier-hmac"))
	again, err := k.OpenIndexKey(envelope.AD("identifier-hmac"), wrapped)
	if err != nil {
		t.Fatal(err)
	}
	h := ik.Hash("CN", "91310000MA1FL0000X")
	if h != again.Hash("CN", "91310000MA1FL0000X") || len(h) != 64 {
		t.Errorf("hash %q is not stable across unwrapping", h)
	}
	if h == ik.Hash("HK", "91310000MA1FL0000X") || h == ik.Hash("CN9", "1310000MA1FL0000X") {
		t.Error("different values hash the same")
	}
	if other, _ := k.NewIndexKey(nil); other.Hash("CN", "91310000MA1FL0000X") == h {
		t.Error("another index key gives the same hash")
	}
	if ik.Hash("", "") != "" {
		t.Error("an absent value has a hash")
	}
}

func TestParseKeys(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	keys, err := envelope.ParseKeys("1:" + k1 + ", 2:" + k2 + "\n")
	if err != nil || len(keys) != 2 || keys[0].ID != 1 || keys[1].ID != 2 {
		t.Fatalf("ParseKeys = %v, %v", keys, err)
	}
	if r := ring(t, keys...); r.Newest() != 2 {
		t.Errorf("newest = %d, want the last given", r.Newest())
	}
	short := base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!"))
	for _, spec := range []string{"", k1, "0:" + k1, "256:" + k1, "x:" + k1, "1:" + short, "1:not-base64!", "1:" + k1 + ",1:" + k2} {
		keys, err := envelope.ParseKeys(spec)
		if err == nil {
			_, err = envelope.NewKeyring(keys...)
		}
		if err == nil {
			t.Errorf("ParseKeys(%q) accepted", spec)
			continue
		}
		for _, secret := range []string{k1, k2, short} {
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:4]) {
				t.Errorf("ParseKeys(%q): the error %q quotes a key", spec, err)
			}
		}
	}
}
