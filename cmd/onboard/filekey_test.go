package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/storetest"
)

// testFileKey is a valid --file-encryption-key.
var testFileKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

// newTestKey is another key, for rotation.
var newTestKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32))

// apiRequest sends a partner's request to a running server and returns
// the status and body of the response.
func apiRequest(t *testing.T, srv *server, creds credentials, method, path, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-API-Key", creds.APIKey)
	req.Header.Set("X-API-Secret", creds.APISecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// upload uploads a document of type Main page through a running server
// and returns its id.
func upload(t *testing.T, srv *server, creds credentials, content []byte) string {
	t.Helper()
	return uploadAs(t, srv, creds, "Main page", content)
}

// download returns the content of a file through a running server.
func download(t *testing.T, srv *server, creds credentials, id string) (int, []byte) {
	t.Helper()
	return apiRequest(t, srv, creds, "GET", "/api/files/"+id+"/content", "", nil)
}

func TestFileKeyKeptBesideSQLite(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "db", "onboard.db")
	out, err := cliWith(t, noEnv, "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	creds := jsonCredentials(t, out)
	srv := startServeWith(t, noEnv, "--database-url", dbURL)
	if !strings.Contains(srv.stderr.String(), `"level":"WARN"`) || !strings.Contains(srv.stderr.String(), "ONBOARD_ENCRYPTION_KEYS") {
		t.Errorf("no warning that production must set ONBOARD_ENCRYPTION_KEYS:\n%s", srv.stderr)
	}
	keyPath := filepath.Join(dir, "db", "file-encryption.key")
	info, err := os.Stat(keyPath)
	if err != nil {
		t.Fatalf("no key file beside the database: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", info.Mode().Perm())
	}
	first, _ := os.ReadFile(keyPath)
	if key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(first))); err != nil || len(key) != 32 {
		t.Errorf("key file holds %q, want the base64 of 32 bytes", first)
	}
	content := []byte("%PDF-1.4 sealed under the generated key")
	id := upload(t, srv, creds, content)
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}

	// The next start reuses the key, so the file still opens.
	again := startServeWith(t, noEnv, "--database-url", dbURL)
	if status, got := download(t, again, creds, id); status != http.StatusOK || !bytes.Equal(got, content) {
		t.Errorf("after a restart the file = %d %q, want 200 with its content", status, got)
	}
	if second, _ := os.ReadFile(keyPath); !bytes.Equal(first, second) {
		t.Errorf("the key file changed on the second start")
	}
	if err := again.stop(); err != nil {
		t.Fatal(err)
	}

	// A configured key wins over the file; as the database was written
	// under the generated key, serve refuses to start rather than fail on
	// every read.
	_, err = cliWith(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--database-url", dbURL, "--file-encryption-key", testFileKey)
	if err == nil || !strings.Contains(err.Error(), "written with other encryption keys") {
		t.Errorf("serve with another key: error = %v, want a refusal naming the keys", err)
	}
}

func TestServeNeedsAFileKeyOnPostgres(t *testing.T) {
	// serve refuses before connecting, so no server is needed.
	_, err := cliWith(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--database-url", "postgres://onboard@127.0.0.1:1/onboard")
	if err == nil || !strings.Contains(err.Error(), "ONBOARD_ENCRYPTION_KEYS") {
		t.Errorf("serve on PostgreSQL without a key: error = %v, want one naming ONBOARD_ENCRYPTION_KEYS", err)
	}
}

func TestFileKeyErrors(t *testing.T) {
	db := storetest.SQLiteURL(t)
	for _, key := range []string{"not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16)), base64.StdEncoding.EncodeToString(make([]byte, 33))} {
		_, err := cli(t, "serve", "--addr", "127.0.0.1:0", "--database-url", db, "--file-encryption-key", key)
		if err == nil || !strings.Contains(err.Error(), "file-encryption-key") {
			t.Errorf("serve --file-encryption-key %q: error = %v, want it refused", key, err)
		}
		if err != nil && strings.Contains(err.Error(), key) {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
	// The environment variable works like the flag.
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	env := env{stdout: io.Discard, stderr: &stderr, getenv: func(k string) string {
		if k == "ONBOARD_FILE_ENCRYPTION_KEY" {
			return "short"
		}
		return ""
	}}
	if err := run(ctx, []string{"serve", "--database-url", db}, env); err == nil || !strings.Contains(err.Error(), "file-encryption-key") {
		t.Errorf("serve with ONBOARD_FILE_ENCRYPTION_KEY=short: error = %v, want it refused", err)
	}
}
