package kyb_test

import (
	"bytes"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
)

func newCipher(t *testing.T, fill byte) *kyb.Cipher {
	t.Helper()
	c, err := kyb.NewCipher(bytes.Repeat([]byte{fill}, kyb.FileKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFileCipherRoundTrip(t *testing.T) {
	c := newCipher(t, 1)
	const id = "file_0123456789abcdef0123456789abcdef"
	for _, content := range [][]byte{{}, []byte("%PDF-1.4 a small document"), bytes.Repeat([]byte{0xff}, 1<<20)} {
		sealed := c.Seal(id, content)
		if bytes.Contains(sealed, content) && len(content) > 0 {
			t.Errorf("sealed bytes contain the content")
		}
		if want := 1 + 12 + len(content) + 16; len(sealed) != want || sealed[0] != 1 {
			t.Errorf("sealed %d bytes starting %#x, want %d starting with key version 1", len(sealed), sealed[0], want)
		}
		opened, err := c.Open(id, sealed)
		if err != nil || !bytes.Equal(opened, content) {
			t.Errorf("Open = %d bytes, %v; want the %d bytes sealed", len(opened), err, len(content))
		}
	}
	// A fresh nonce each time: the same content never seals the same.
	if a, b := c.Seal(id, []byte("same")), c.Seal(id, []byte("same")); bytes.Equal(a, b) {
		t.Errorf("two seals of the same content are equal")
	}
}

func TestFileCipherRefuses(t *testing.T) {
	c := newCipher(t, 1)
	const id = "file_0123456789abcdef0123456789abcdef"
	sealed := c.Seal(id, []byte("%PDF-1.4 the content of one file"))
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name   string
		cipher *kyb.Cipher
		id     string
		sealed []byte
	}{
		{"another file's id", c, "file_00000000000000000000000000000001", sealed},
		{"another key", newCipher(t, 2), id, sealed},
		{"a changed key version", c, id, flip(0)},
		{"a changed nonce", c, id, flip(1)},
		{"a changed ciphertext", c, id, flip(14)},
		{"a changed tag", c, id, flip(len(sealed) - 1)},
		{"cut short", c, id, sealed[:20]},
		{"nothing", c, id, nil},
	}
	for _, tt := range tests {
		if content, err := tt.cipher.Open(tt.id, tt.sealed); err == nil {
			t.Errorf("%s: Open = %q, want an error", tt.name, content)
		}
	}
}

func TestNewFileCipherNeeds32Bytes(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := kyb.NewCipher(make([]byte, n)); err == nil {
			t.Errorf("NewCipher(%d bytes) succeeded, want an error", n)
		}
	}
}
