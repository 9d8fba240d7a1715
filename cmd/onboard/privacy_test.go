package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// readmeCanaries are personal values of the README's customer: none may be
// readable at rest.
var readmeCanaries = []string{"Zhang", "E12345678", "service@gemini.com", "8613800138000", "1985-06-15", "88 Shennan Avenue",
	"91440300MA5FEXAMPLE", "深圳市示例科技有限公司", "张"}

// readmeCustomer creates the README's customer, as its curl does, with
// its documents uploaded from docs/samples, under partnerCustomerID; it
// returns the customer id and the file ids.
func readmeCustomer(t *testing.T, srv *server, creds credentials, partnerCustomerID string) (string, []string) {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<<JSON\n(.*?)\nJSON\n`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("the README has no create request")
	}
	var files []string
	body := string(m[1])
	for _, f := range []struct{ variable, fileType, path string }{
		{"$REGISTRATION", "Business Registration", "business-registration.pdf"},
		{"$ID_FRONT", "Main page", "id-front.png"},
		{"$ID_BACK", "Back page", "id-back.png"},
	} {
		content, err := os.ReadFile(filepath.Join("../../docs/samples", f.path))
		if err != nil {
			t.Fatal(err)
		}
		id := uploadAs(t, srv, creds, f.fileType, content)
		files = append(files, id)
		body = strings.ReplaceAll(body, f.variable, id)
	}
	body = strings.Replace(body, "readme-customer-000001", partnerCustomerID, 1)
	status, b := apiRequest(t, srv, creds, "POST", "/api/customers/create", "application/json", strings.NewReader(body))
	if status != http.StatusOK {
		t.Fatalf("create the README's customer = %d %s", status, b)
	}
	var c struct {
		CustomerID string `json:"customer_id"`
	}
	json.Unmarshal(b, &c)
	return c.CustomerID, files
}

// uploadAs uploads content as a file of a type and returns its id.
func uploadAs(t *testing.T, srv *server, creds credentials, fileType string, content []byte) string {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("fileType", fileType)
	part, _ := w.CreateFormFile("file", "document")
	part.Write(content)
	w.Close()
	status, b := apiRequest(t, srv, creds, "POST", "/api/files/upload", w.FormDataContentType(), &body)
	var f struct {
		FileID string `json:"file_id"`
	}
	if err := json.Unmarshal(b, &f); err != nil || status != http.StatusOK {
		t.Fatalf("upload %s = %d %s", fileType, status, b)
	}
	return f.FileID
}

// adminRequest sends an operator's request and returns the status and body.
func adminRequest(t *testing.T, srv *server, token, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

// operatorToken creates an operator (with --admin when asked) and returns
// their token.
func operatorToken(t *testing.T, dbURL string, flags ...string) string {
	t.Helper()
	out, err := cli(t, append([]string{"operators", "create", "--name", "Olga", "--json", "--database-url", dbURL}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	var op map[string]string
	json.Unmarshal([]byte(out), &op)
	return op["token"]
}

// rawExec runs a statement on the database directly, as an attacker with
// the database (or a backup) could; ? placeholders on both engines.
func rawExec(t *testing.T, dbURL, query string, args ...any) {
	t.Helper()
	if err := rawRow(dbURL, query, args); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// keyIDOf is the SQL of the id of the key that sealed a column, as two
// hex digits.
func keyIDOf(dbURL, column string) string {
	if strings.HasPrefix(dbURL, "sqlite:") {
		return "hex(substr(" + column + ", 1, 1))"
	}
	return "upper(encode(substring(" + column + " from 1 for 1), 'hex'))"
}

// rawCount runs a count query on the database directly.
func rawCount(t *testing.T, dbURL, query string) int {
	t.Helper()
	var n int
	if err := rawRow(dbURL, query, nil, &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// rawRow runs a statement on the database directly, bypassing the
// service, and scans its one row into dest when given; ? placeholders on
// both engines.
func rawRow(dbURL, query string, args []any, dest ...any) error {
	ctx := context.Background()
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			return err
		}
		defer db.Close()
		if len(dest) > 0 {
			return db.QueryRowContext(ctx, query, args...).Scan(dest...)
		}
		_, err = db.ExecContext(ctx, query, args...)
		return err
	}
	for i := 1; strings.Contains(query, "?"); i++ {
		query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if len(dest) > 0 {
		return conn.QueryRow(ctx, query, args...).Scan(dest...)
	}
	_, err = conn.Exec(ctx, query, args...)
	return err
}

// atRest returns the bytes an attacker with the database would read: the
// SQLite file with its WAL, or a pg_dump of the PostgreSQL database.
func atRest(t *testing.T, dbURL string) []byte {
	t.Helper()
	engine, target, _ := config.ParseDatabaseURL(dbURL)
	if engine == config.SQLite {
		var all []byte
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(target + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	out, err := exec.Command("pg_dump", "--data-only", target).Output()
	if err != nil {
		t.Skipf("pg_dump is not available: %v", err)
	}
	return out
}

// ownDatabase is a database for one test alone: a new SQLite file, or a
// new PostgreSQL database rather than the one the test binary shares (a
// dump of which would hold the other tests' rows, and a rotation of
// which would meet the rows other tests tampered with).
func ownDatabase(t *testing.T, e storetest.Engine) string {
	if e.Name == "postgres" {
		return storetest.FreshPostgresURL(t)
	}
	return e.URL(t)
}

// servePartner serves a database of the test's own and creates a partner
// in it.
func servePartner(t *testing.T, e storetest.Engine, args ...string) (string, *server, credentials) {
	t.Helper()
	dbURL := ownDatabase(t, e)
	srv := startServe(t, append([]string{"--database-url", dbURL}, args...)...)
	out, err := cli(t, "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return dbURL, srv, jsonCredentials(t, out)
}

func assertNoCanary(t *testing.T, what string, b []byte, canaries []string) {
	t.Helper()
	for _, c := range canaries {
		if n := bytes.Count(b, []byte(c)); n > 0 {
			t.Errorf("%s holds %q %d times", what, c, n)
		}
	}
}

// TestPersonalDataIsUnreadableAtRest creates the README's customer and
// reads the database as a thief with a copy would.
func TestPersonalDataIsUnreadableAtRest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL, srv, creds := servePartner(t, e)
		token := operatorToken(t, dbURL)
		tag := strings.ReplaceAll(e.Name, "sql", "")
		a, _ := readmeCustomer(t, srv, creds, "canary-a-"+tag+"-0000000000")
		b, _ := readmeCustomer(t, srv, creds, "canary-b-"+tag+"-0000000000")
		// A status change writes a second event, sealed too.
		if status, body := adminRequest(t, srv, token, "POST", "/admin/customers/"+a+"/status", `{"status":"rejected","reason":"test"}`); status != http.StatusOK {
			t.Fatalf("reject = %d %s", status, body)
		}
		status, body := apiRequest(t, srv, creds, "GET", "/api/customers/"+a, "", nil)
		if status != http.StatusOK || !bytes.Contains(body, []byte("Zhang")) {
			t.Fatalf("the customer reads back as %d %s, want it whole", status, body)
		}
		if status, body := apiRequest(t, srv, creds, "GET", "/api/customers/"+a+"/events", "", nil); status != http.StatusOK || bytes.Count(body, []byte("Zhang")) != 2 {
			t.Fatalf("its events read back as %d %s, want both whole", status, body)
		}
		rest := atRest(t, dbURL)
		if !bytes.Contains(rest, []byte("canary-a-"+tag)) {
			t.Fatal("the database at rest lacks even the partner_customer_id, which is kept plain: the search would find nothing")
		}
		assertNoCanary(t, "the database at rest", rest, readmeCanaries)
		assertNoCanary(t, "the log", []byte(srv.stderr.String()), readmeCanaries)

		// A sealed profile moved to another row does not open there, with
		// or without its data key.
		rawExec(t, dbURL, "UPDATE customers SET sealed_profile = (SELECT sealed_profile FROM customers WHERE id = ?) WHERE id = ?", a, b)
		if status, body := apiRequest(t, srv, creds, "GET", "/api/customers/"+b, "", nil); status != http.StatusInternalServerError || bytes.Contains(body, []byte("Zhang")) {
			t.Errorf("a customer holding another's sealed profile = %d %s, want 500", status, body)
		}
		rawExec(t, dbURL, "UPDATE customers SET data_key = (SELECT data_key FROM customers WHERE id = ?) WHERE id = ?", a, b)
		if status, body := apiRequest(t, srv, creds, "GET", "/api/customers/"+b, "", nil); status != http.StatusInternalServerError || bytes.Contains(body, []byte("Zhang")) {
			t.Errorf("a customer holding another's profile and data key = %d %s, want 500", status, body)
		}
		assertNoCanary(t, "the log", []byte(srv.stderr.String()), readmeCanaries)
	})
}

// TestErasure erases a rejected customer through the admin API and checks
// what is left: the skeleton and the audit trail, nothing personal.
func TestErasure(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL, srv, creds := servePartner(t, e)
		token := operatorToken(t, dbURL, "--admin")
		if _, err := cli(t, "webhooks", "create", "--partner", creds.PartnerID, "--url", "https://hooks.example.com/x", "--database-url", dbURL); err != nil {
			t.Fatal(err)
		}
		id, files := readmeCustomer(t, srv, creds, "erase-me-"+e.Name+"-00000000000")
		if status, body := adminRequest(t, srv, token, "POST", "/admin/customers/"+id+"/status", `{"status":"active","reason":"ok"}`); status != http.StatusOK {
			t.Fatalf("approve = %d %s", status, body)
		}
		erase := func() (int, []byte) {
			return adminRequest(t, srv, token, "POST", "/admin/customers/"+id+"/erase", `{"reason":"data subject request"}`)
		}
		reviewer := operatorToken(t, dbURL)
		if status, body := adminRequest(t, srv, reviewer, "POST", "/admin/customers/"+id+"/erase", `{"reason":"data subject request"}`); status != http.StatusForbidden {
			t.Errorf("erase by an operator who is not an admin = %d %s, want 403", status, body)
		}
		if status, body := erase(); status != http.StatusConflict || !bytes.Contains(body, []byte("customer_active")) {
			t.Errorf("erase an active customer = %d %s, want 409 customer_active", status, body)
		}
		if status, body := adminRequest(t, srv, token, "POST", "/admin/customers/"+id+"/erase", `{"reason":"  "}`); status != http.StatusBadRequest || !bytes.Contains(body, []byte(`"reason"`)) {
			t.Errorf("erase without a reason = %d %s, want 400 naming reason", status, body)
		}
		if status, body := adminRequest(t, srv, token, "POST", "/admin/customers/"+id+"/status", `{"status":"suspended","reason":"closing"}`); status != http.StatusOK {
			t.Fatalf("suspend = %d %s", status, body)
		}
		status, body := erase()
		if status != http.StatusOK || !bytes.Contains(body, []byte(`"erased_at"`)) || bytes.Contains(body, []byte("business_details")) {
			t.Fatalf("erase = %d %s, want 200 with erased_at and no profile", status, body)
		}
		var got map[string]any
		_, body = apiRequest(t, srv, creds, "GET", "/api/customers/"+id, "", nil)
		json.Unmarshal(body, &got)
		if got["partner_customer_id"] != "erase-me-"+e.Name+"-00000000000" || got["status"] != "suspended" || got["erased_at"] == nil || len(got) != 8 {
			t.Errorf("the partner sees %s, want the skeleton: ids, status, reason, times and version", body)
		}
		if status, body := erase(); status != http.StatusConflict || !bytes.Contains(body, []byte("customer_erased")) {
			t.Errorf("erase twice = %d %s, want 409 customer_erased", status, body)
		}
		if status, body := adminRequest(t, srv, token, "POST", "/admin/customers/"+id+"/status", `{"status":"active","reason":"back"}`); status != http.StatusConflict {
			t.Errorf("reactivate an erased customer = %d %s, want 409", status, body)
		}
		for _, f := range files {
			if status, _ := download(t, srv, creds, f); status != http.StatusNotFound {
				t.Errorf("document %s of the erased customer = %d, want 404", f, status)
			}
		}
		_, body = apiRequest(t, srv, creds, "GET", "/api/customers/"+id+"/events", "", nil)
		if bytes.Contains(body, []byte("Zhang")) || !bytes.Contains(body, []byte("customer.created")) {
			t.Errorf("events after erasure = %s, want them listed without data", body)
		}
		var events struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		json.Unmarshal(body, &events)
		if len(events.Data) == 0 {
			t.Fatalf("no events listed: %s", body)
		}
		_, deliveries := apiRequest(t, srv, creds, "GET", "/api/webhooks/deliveries?event_id="+events.Data[0].ID, "", nil)
		if bytes.Contains(deliveries, []byte(`"pending"`)) || !bytes.Contains(deliveries, []byte(`"failed"`)) {
			t.Errorf("deliveries of an erased customer's event = %s, want them stopped (failed)", deliveries)
		}
		if status, body := adminRequest(t, srv, token, "POST", "/admin/events/"+events.Data[0].ID+"/redeliver", ""); status != http.StatusNotFound {
			t.Errorf("redeliver an erased customer's event = %d %s, want 404: there is nothing to send", status, body)
		}
		_, body = adminRequest(t, srv, token, "GET", "/admin/customers/"+id+"/audit", "")
		for _, action := range []string{"customer.created", "customer.status_changed", "customer.erased", "data subject request"} {
			if !bytes.Contains(body, []byte(action)) {
				t.Errorf("audit trail after erasure lacks %q: %s", action, body)
			}
		}
		assertNoCanary(t, "the database at rest", atRest(t, dbURL), readmeCanaries)
	})
}

// TestRotationUnderLoad rotates the key-encryption key while customers are
// created and reviewed, then drops the old key: everything acknowledged
// must still open.
func TestRotationUnderLoad(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL := ownDatabase(t, e)
		oldKeys, bothKeys, newKeys := "1:"+testFileKey, "1:"+testFileKey+",2:"+newTestKey, "2:"+newTestKey
		withKeys := func(keys string) func(string) string {
			return func(name string) string {
				if name == "ONBOARD_ENCRYPTION_KEYS" {
					return keys
				}
				return ""
			}
		}
		srv := startServeWith(t, withKeys(oldKeys), "--database-url", dbURL, "--rate-limit", "0")
		out, err := cliWith(t, withKeys(oldKeys), "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		creds := jsonCredentials(t, out)
		file := uploadAs(t, srv, creds, "Main page", []byte("%PDF-1.4 sealed under key 1"))
		out, err = cliWith(t, withKeys(oldKeys), "webhooks", "create", "--partner", creds.PartnerID, "--url", "https://hooks.example.com/x", "--json", "--database-url", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		var endpoint struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(out), &endpoint)
		// A rotated secret leaves the previous one sealed too, for its grace.
		if _, err := cliWith(t, withKeys(oldKeys), "webhooks", "rotate-secret", "--partner", creds.PartnerID, "--endpoint", endpoint.ID, "--database-url", dbURL); err != nil {
			t.Fatal(err)
		}
		create := func(srv *server, n int, prefix string) []string {
			var mu sync.Mutex
			var ids []string
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					for i := w; i < n; i += 4 {
						c := sampleCustomer
						c.PartnerCustomerID = fmt.Sprintf("%s-%s-%06d-0000000", prefix, e.Name, i)
						body, _ := json.Marshal(c)
						status, b := apiRequest(t, srv, creds, "POST", "/api/customers/create", "application/json", bytes.NewReader(body))
						if status != http.StatusOK {
							t.Errorf("create = %d %s", status, b)
							continue
						}
						var got struct {
							CustomerID string `json:"customer_id"`
						}
						json.Unmarshal(b, &got)
						mu.Lock()
						ids = append(ids, got.CustomerID)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			return ids
		}
		ids := create(srv, 200, "before")
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}

		// Every instance learns the new key, then the rotation runs while
		// they serve.
		srv = startServeWith(t, withKeys(bothKeys), "--database-url", dbURL, "--rate-limit", "0")
		var during []string
		var wg sync.WaitGroup
		wg.Go(func() { during = create(srv, 200, "during") })
		out, err = cliWith(t, withKeys(bothKeys), "keys", "rotate-encryption", "--batch", "37", "--database-url", dbURL)
		if err != nil || !strings.Contains(out, "everything is under the newest key") {
			t.Fatalf("keys rotate-encryption = %s, %v", out, err)
		}
		wg.Wait()
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}

		// The old key is gone: everything opens under the new one alone.
		srv = startServeWith(t, withKeys(newKeys), "--database-url", dbURL, "--rate-limit", "0")
		for _, id := range append(ids, during...) {
			if status, body := apiRequest(t, srv, creds, "GET", "/api/customers/"+id, "", nil); status != http.StatusOK || !bytes.Contains(body, []byte("Example Ltd")) {
				t.Fatalf("customer %s after rotation = %d %s", id, status, body)
			}
		}
		if status, body := apiRequest(t, srv, creds, "GET", "/api/customers/"+ids[0]+"/events", "", nil); status != http.StatusOK || !bytes.Contains(body, []byte("Example Ltd")) {
			t.Errorf("events after rotation = %d %s", status, body)
		}
		if status, body := download(t, srv, creds, file); status != http.StatusOK || !bytes.Contains(body, []byte("sealed under key 1")) {
			t.Errorf("file after rotation = %d %q", status, body)
		}
		for what, query := range map[string]string{
			"data keys":          "SELECT count(*) FROM customers WHERE data_key_kek <> 2",
			"webhook secrets":    "SELECT count(*) FROM webhook_endpoints WHERE " + keyIDOf(dbURL, "secret_sealed") + " <> '02'",
			"previous secrets":   "SELECT count(*) FROM webhook_endpoints WHERE previous_secret_sealed IS NOT NULL AND " + keyIDOf(dbURL, "previous_secret_sealed") + " <> '02'",
			"files":              "SELECT count(*) FROM files WHERE " + keyIDOf(dbURL, "content") + " <> '02'",
			"the service's keys": "SELECT count(*) FROM wrapped_keys WHERE " + keyIDOf(dbURL, "wrapped") + " <> '02'",
		} {
			if n := rawCount(t, dbURL, query); n != 0 {
				t.Errorf("%d %s are not under key 2 after the rotation", n, what)
			}
		}
		if rawCount(t, dbURL, "SELECT count(*) FROM webhook_endpoints WHERE previous_secret_sealed IS NOT NULL") != 1 {
			t.Error("the rotated endpoint has no previous secret: the test proves nothing of it")
		}
		if len(ids)+len(during) != 400 {
			t.Errorf("%d customers acknowledged, want 400", len(ids)+len(during))
		}
	})
}

// TestRotationSealsRowsFromBeforeEncryption turns a customer back into a
// row as versions before encryption wrote it (plain JSON, no data key) and
// checks that it reads as before and that rotate-encryption seals it.
func TestRotationSealsRowsFromBeforeEncryption(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL, srv, creds := servePartner(t, e)
		id, _ := readmeCustomer(t, srv, creds, "legacy-"+e.Name+"-00000000000000")
		_, plain := apiRequest(t, srv, creds, "GET", "/api/customers/"+id, "", nil)
		rawExec(t, dbURL, "UPDATE customers SET profile = ?, sealed_profile = NULL, data_key = NULL, data_key_kek = NULL WHERE id = ?", string(plain), id)
		rawExec(t, dbURL, "UPDATE events SET data = ?, sealed_data = NULL WHERE customer_id = ?", string(plain), id)
		if !bytes.Contains(atRest(t, dbURL), []byte("Zhang")) {
			t.Fatal("the plain row is not plain: the test would prove nothing")
		}
		for _, path := range []string{"/api/customers/" + id, "/api/customers/" + id + "/events"} {
			if status, body := apiRequest(t, srv, creds, "GET", path, "", nil); status != http.StatusOK || !bytes.Contains(body, []byte("Zhang")) {
				t.Errorf("GET %s of a plain row = %d %s", path, status, body)
			}
		}
		out, err := cli(t, "keys", "rotate-encryption", "--database-url", dbURL)
		if err != nil || !strings.Contains(out, "re-wrapped 2 values") {
			t.Fatalf("keys rotate-encryption = %s, %v; want the customer and its event sealed", out, err)
		}
		for _, path := range []string{"/api/customers/" + id, "/api/customers/" + id + "/events"} {
			if status, body := apiRequest(t, srv, creds, "GET", path, "", nil); status != http.StatusOK || !bytes.Contains(body, []byte("Zhang")) {
				t.Errorf("GET %s after sealing = %d %s", path, status, body)
			}
		}
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}
		assertNoCanary(t, "the database at rest", atRest(t, dbURL), readmeCanaries)
	})
}

// TestRetentionErasesRejectedCustomers runs the retention sweep: only
// customers rejected longer ago than the period are erased.
func TestRetentionErasesRejectedCustomers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL, srv, creds := servePartner(t, e, "--retain-rejected", "0")
		rejected, _ := readmeCustomer(t, srv, creds, "retention-rejected-"+e.Name+"-000")
		pending, _ := readmeCustomer(t, srv, creds, "retention-pending-"+e.Name+"-0000")
		if _, err := cli(t, "customers", "review", rejected, "--status", "rejected", "--reason", "no", "--database-url", dbURL); err != nil {
			t.Fatal(err)
		}
		erased := func(id string) bool {
			_, body := apiRequest(t, srv, creds, "GET", "/api/customers/"+id, "", nil)
			return bytes.Contains(body, []byte(`"erased_at"`)) && !bytes.Contains(body, []byte("Zhang"))
		}
		if out, err := cli(t, "customers", "erase-expired", "--retain-rejected", "1000h", "--database-url", dbURL); err != nil || !strings.Contains(out, "erased 0 customers") || erased(rejected) {
			t.Errorf("erase-expired within the period = %s, %v; want nothing erased", out, err)
		}
		if out, err := cli(t, "customers", "erase-expired", "--retain-rejected", "1ns", "--database-url", dbURL); err != nil || !strings.Contains(out, "erased 1 customers") {
			t.Errorf("erase-expired after the period = %s, %v; want the rejected customer erased", out, err)
		}
		if !erased(rejected) || erased(pending) {
			t.Errorf("erased: rejected %t, pending %t; want only the rejected one", erased(rejected), erased(pending))
		}
	})
}
