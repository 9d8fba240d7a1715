package config

import (
	"encoding/base64"
	"flag"
	"io"
	"strings"
	"testing"
)

func TestFileEncryptionKey(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	getenv := func(name string) string {
		if name == "ONBOARD_FILE_ENCRYPTION_KEY" {
			return key
		}
		return ""
	}
	if err := c.Bind(fs, getenv, "file-encryption-key"); err != nil {
		t.Fatal(err)
	}
	if c.FileEncryptionKey != key {
		t.Errorf("FileEncryptionKey = %q, want it from ONBOARD_FILE_ENCRYPTION_KEY", c.FileEncryptionKey)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if s := c.String(); strings.Contains(s, key) || !strings.Contains(s, "file-encryption-key=xxxxx") {
		t.Errorf("String() = %q, want the key masked", s)
	}
	if s := Default().String(); !strings.Contains(s, "file-encryption-key=unset") {
		t.Errorf("String() without a key = %q, want it said unset", s)
	}

	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString(make([]byte, 31)), base64.RawStdEncoding.EncodeToString(make([]byte, 32))} {
		c.FileEncryptionKey = bad
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), "file-encryption-key") || strings.Contains(err.Error(), bad) {
			t.Errorf("Validate with key %q: error = %v, want a refusal that does not quote the key", bad, err)
		}
	}
}

// TestScreeningThreshold reads the threshold from its flag or variable
// and refuses one outside 0.5 to 1, naming the setting (or its variable).
func TestScreeningThreshold(t *testing.T) {
	for _, tc := range []struct {
		flag, env string
		want      float64
		bad       bool
	}{
		{want: 0.92}, {env: "0.88", want: 0.88}, {flag: "0.95", env: "0.88", want: 0.95},
		{flag: "0.4", bad: true}, {flag: "1.5", bad: true}, {env: "high", bad: true},
	} {
		c := Default()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		getenv := func(name string) string {
			if name == "ONBOARD_SCREENING_THRESHOLD" {
				return tc.env
			}
			return ""
		}
		err := c.Bind(fs, getenv, "screening-threshold")
		if err == nil && tc.flag != "" {
			err = fs.Parse([]string{"--screening-threshold", tc.flag})
		}
		if err == nil {
			err = c.Validate()
		}
		switch {
		case tc.bad && (err == nil || !strings.Contains(strings.ToLower(strings.ReplaceAll(err.Error(), "_", "-")), "screening-threshold")):
			t.Errorf("flag %q env %q: error = %v, want a refusal naming screening-threshold", tc.flag, tc.env, err)
		case !tc.bad && (err != nil || c.ScreeningThreshold != tc.want):
			t.Errorf("flag %q env %q: threshold %v, error %v, want %v", tc.flag, tc.env, c.ScreeningThreshold, err, tc.want)
		}
	}
}
