package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/sqlite"
	"github.com/onboardkyb/onboard/internal/storetest"
)

var fileIDPattern = regexp.MustCompile(`^file_[0-9a-f]{32}$`)

// upload sends a file by multipart/form-data, or as JSON when asJSON.
func (ts *testServer) upload(t *testing.T, creds kyb.Credentials, fileType kyb.FileType, filename string, content []byte, asJSON bool) response {
	t.Helper()
	if asJSON {
		return ts.send(t, creds, jsonUpload(string(fileType), content))
	}
	return ts.send(t, creds, formUpload(field("fileType", string(fileType)), formPart{name: "file", filename: filename, content: content}))
}

func TestUploadAndDownloadFiles(t *testing.T) {
	samples := []struct {
		name        string
		content     []byte
		contentType string
		extension   string
		fileType    kyb.FileType
	}{
		{"pdf", samplePDF, "application/pdf", "pdf", kyb.FileBusinessRegistration},
		{"jpeg", sampleJPEG, "image/jpeg", "jpg", kyb.FileMainPage},
		{"png", samplePNG, "image/png", "png", kyb.FileBackPage},
	}
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		for _, s := range samples {
			for _, asJSON := range []bool{false, true} {
				name := s.name + " by multipart"
				if asJSON {
					name = s.name + " by JSON"
				}
				t.Run(name, func(t *testing.T) {
					// The file name and the part's declared type say
					// nothing: the bytes decide.
					resp := ts.upload(t, creds, s.fileType, "scan.bin", s.content, asJSON)
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("upload = %d, want 200: %s", resp.StatusCode, resp.Body)
					}
					got := resp.json(t)
					sum := sha256.Sum256(s.content)
					id, _ := got["file_id"].(string)
					if !fileIDPattern.MatchString(id) {
						t.Errorf("file_id = %q, want file_ + 32 hex", id)
					}
					created, _ := got["created_at"].(string)
					if ct, err := time.Parse(time.RFC3339, created); err != nil || ct.Format(kyb.TimeFormat) != created || time.Since(ct) > time.Minute {
						t.Errorf("created_at = %q, want RFC 3339 UTC seconds, now", created)
					}
					want := map[string]any{
						"file_id": id, "file_type": string(s.fileType), "size": float64(len(s.content)),
						"sha256": hex.EncodeToString(sum[:]), "content_type": s.contentType, "created_at": created,
					}
					if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
						t.Errorf("upload answered %s, want %s", g, w)
					}

					meta := ts.request(t, "GET", "/api/files/"+id, &creds, "")
					if meta.StatusCode != http.StatusOK || !bytes.Equal(meta.Body, resp.Body) {
						t.Errorf("GET metadata = %d %s, want 200 %s", meta.StatusCode, meta.Body, resp.Body)
					}

					content := ts.request(t, "GET", "/api/files/"+id+"/content", &creds, "")
					if content.StatusCode != http.StatusOK || !bytes.Equal(content.Body, s.content) {
						t.Fatalf("GET content = %d with %d bytes, want 200 with the %d bytes uploaded", content.StatusCode, len(content.Body), len(s.content))
					}
					for header, want := range map[string]string{
						"Content-Type":            s.contentType,
						"Content-Disposition":     `attachment; filename="` + id + "." + s.extension + `"`,
						"Content-Length":          strconv.Itoa(len(s.content)),
						"X-Content-Type-Options":  "nosniff",
						"Cache-Control":           "no-store",
						"Content-Security-Policy": "sandbox; default-src 'none'",
					} {
						if got := content.Header.Get(header); got != want {
							t.Errorf("%s = %q, want %q", header, got, want)
						}
					}
				})
			}
		}
	})
}

func TestUploadFileRejects(t *testing.T) {
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 100)...)
	oversized := append([]byte("%PDF-1.4\n"), make([]byte, kyb.MaxFileSize+1-9)...)
	file := func(name string, content []byte) formPart {
		return formPart{name: "file", filename: name, content: content}
	}
	cutShort := formUpload(file("a.pdf", samplePDF))
	cutShort.body = cutShort.body[:len(cutShort.body)-10]
	type fieldErr struct{ field, code string }
	tests := []struct {
		name   string
		req    uploadRequest
		status int
		code   string
		fields []fieldErr
	}{
		{"renamed executable by multipart", formUpload(file("x.pdf", exe), field("fileType", "Main page")), 415, "unsupported_file_type", nil},
		{"renamed executable by JSON", jsonUpload("Main page", exe), 415, "unsupported_file_type", nil},
		{"text file", jsonUpload("Main page", []byte("just text")), 415, "unsupported_file_type", nil},
		{"file over 10 MiB by multipart", formUpload(file("big.pdf", oversized), field("fileType", "Contract")), 413, "file_too_large", nil},
		{"file over 10 MiB by JSON", jsonUpload("Contract", oversized), 413, "file_too_large", nil},
		{"body over 14 MiB", formUpload(file("huge.pdf", append(oversized, make([]byte, 4<<20)...)), field("fileType", "Contract")), 413, "request_too_large", nil},
		{"empty file", formUpload(file("empty.pdf", nil), field("fileType", "Invoice")), 400, "invalid_request", []fieldErr{{"file", "required"}}},
		{"no file part", formUpload(field("fileType", "Invoice")), 400, "invalid_request", []fieldErr{{"file", "required"}}},
		{"unknown fileType", formUpload(file("a.pdf", samplePDF), field("fileType", "Passport")), 400, "invalid_request", []fieldErr{{"fileType", "invalid_value"}}},
		{"fileType in the wrong case", jsonUpload("main page", samplePDF), 400, "invalid_request", []fieldErr{{"fileType", "invalid_value"}}},
		{"no fileType and no file", uploadRequest{`{}`, "application/json"}, 400, "invalid_request", []fieldErr{{"file", "required"}, {"fileType", "required"}}},
		{"file sent twice", formUpload(file("a.pdf", samplePDF), file("b.pdf", samplePDF), field("fileType", "Invoice")), 400, "invalid_request", []fieldErr{{"file", "invalid_value"}}},
		{"unknown multipart field", formUpload(file("a.pdf", samplePDF), field("fileType", "Invoice"), field("note", "x")), 400, "invalid_request", []fieldErr{{"note", "unknown_field"}}},
		{"invalid base64", uploadRequest{`{"file":"not base64!","fileType":"Invoice"}`, "application/json"}, 400, "invalid_request", []fieldErr{{"file", "invalid_format"}}},
		{"JSON with an unknown field", uploadRequest{`{"file":"JVBERi0=","fileType":"Invoice","file_name":"a.pdf"}`, "application/json"}, 400, "invalid_request", []fieldErr{{"file_name", "unknown_field"}}},
		{"JSON fileType not a string", uploadRequest{`{"file":"JVBERi0=","fileType":3}`, "application/json"}, 400, "invalid_request", []fieldErr{{"fileType", "invalid_type"}}},
		{"malformed JSON", uploadRequest{`{"file":`, "application/json"}, 400, "invalid_json", nil},
		{"multipart without a boundary", uploadRequest{"--x--", "multipart/form-data"}, 400, "invalid_multipart", nil},
		{"multipart cut short", cutShort, 400, "invalid_multipart", nil},
		{"text body", uploadRequest{"hello", "text/plain"}, 415, "unsupported_media_type", nil},
		{"no content type", uploadRequest{"hello", ""}, 415, "unsupported_media_type", nil},
	}
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := ts.send(t, creds, tt.req)
				if resp.StatusCode != tt.status {
					t.Fatalf("status = %d, want %d: %.500s", resp.StatusCode, tt.status, resp.Body)
				}
				code, details := errorOf(t, resp)
				if code != tt.code {
					t.Errorf("code = %q, want %q: %s", code, tt.code, resp.Body)
				}
				var fields []fieldErr
				for _, d := range details {
					fields = append(fields, fieldErr{d.Field, d.Code})
					if d.Field == "fileType" && d.Code == "invalid_value" && !strings.Contains(d.Message, `"Business Registration", "Article of Association", "Main page", "Back page", "Invoice" or "Contract"`) {
						t.Errorf("fileType message %q does not list the allowed types", d.Message)
					}
				}
				if !sameFieldErrs(fields, tt.fields) {
					t.Errorf("details = %v, want %v", fields, tt.fields)
				}
			})
		}
	})
}

func TestFileEndpointsNeedAPartner(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	id := ts.uploaded(t, creds, kyb.FileInvoice)
	for _, tt := range []struct{ method, path, body string }{
		{"POST", "/api/files/upload", jsonUpload("Invoice", samplePDF).body},
		{"GET", "/api/files/" + id, ""},
		{"GET", "/api/files/" + id + "/content", ""},
	} {
		if resp := ts.request(t, tt.method, tt.path, nil, tt.body); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s without credentials = %d, want 401", tt.method, tt.path, resp.StatusCode)
		}
	}
	resp := ts.request(t, "GET", "/api/files/upload", &creds, "")
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /api/files/upload = %d with Allow %q, want 405 with Allow POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestFilesAreIsolatedBetweenPartners(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		owner, other := ts.partner(t), ts.partner(t)
		id := ts.uploaded(t, owner, kyb.FileMainPage)
		missing := kyb.NewID(kyb.PrefixFile, time.Now())
		for _, suffix := range []string{"", "/content"} {
			theirs := ts.request(t, "GET", "/api/files/"+id+suffix, &other, "")
			none := ts.request(t, "GET", "/api/files/"+missing+suffix, &other, "")
			if theirs.StatusCode != http.StatusNotFound || none.StatusCode != http.StatusNotFound {
				t.Fatalf("GET %s: other partner's file = %d, missing = %d; want 404 for both", suffix, theirs.StatusCode, none.StatusCode)
			}
			a, b := theirs.json(t)["error"].(map[string]any), none.json(t)["error"].(map[string]any)
			if a["code"] != b["code"] || a["message"] != b["message"] {
				t.Errorf("GET %s: other partner's file answers %v, a missing one %v; want the same", suffix, a, b)
			}
		}
	})
}

func TestFileLogsCarryTheIDButNoContent(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	marker := "CONFIDENTIAL-PASSPORT-SCAN-7731"
	resp := ts.upload(t, creds, kyb.FileMainPage, "passport.png", append(bytes.Clone(samplePNG), marker...), true)
	id := resp.json(t)["file_id"].(string)
	ts.request(t, "GET", "/api/files/"+id+"/content", &creds, "")
	logs := ts.Logs.String()
	if strings.Count(logs, `"file_id":"`+id+`"`) != 2 {
		t.Errorf("logs do not name %s on the upload and the download:\n%s", id, logs)
	}
	if strings.Contains(logs, marker) || strings.Contains(logs, base64.StdEncoding.EncodeToString([]byte(marker))[:16]) {
		t.Errorf("logs contain file content:\n%s", logs)
	}
}

// TestFilesAreEncryptedAtRest reads the stored row straight from each
// database: the plaintext is nowhere in it, and it opens with the key.
func TestFilesAreEncryptedAtRest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL := e.URL(t)
		// The raw row is read with database/sql, apart from the store.
		var store kyb.Store
		var err error
		driver, dsn, query := "pgx", dbURL, "SELECT content FROM files WHERE id = $1"
		if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
			store, err = sqlite.Open(context.Background(), path, storetest.Keys())
			driver, dsn, query = "sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro", "SELECT content FROM files WHERE id = ?"
		} else {
			store, err = postgres.Open(context.Background(), dbURL, storetest.Keys())
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		raw := func(id string) []byte {
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var content []byte
			if err := db.QueryRow(query, id).Scan(&content); err != nil {
				t.Fatalf("read the raw row: %v", err)
			}
			return content
		}
		ts := newTestServer(t, storetest.Engine{Name: e.Name, Open: func(testing.TB) kyb.Store { return store }})
		creds := ts.partner(t)
		plaintext := append(bytes.Clone(samplePNG), []byte(strings.Repeat("PLAINTEXT-MARKER ", 64))...)
		resp := ts.upload(t, creds, kyb.FileMainPage, "id.png", plaintext, false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("upload = %d: %s", resp.StatusCode, resp.Body)
		}
		id := resp.json(t)["file_id"].(string)

		stored := raw(id)
		if bytes.Contains(stored, []byte("PLAINTEXT-MARKER")) || bytes.Contains(stored, samplePNG[8:]) {
			t.Errorf("the stored content contains the plaintext")
		}
		// version || 96-bit nonce || ciphertext || 128-bit tag
		if want := 1 + 12 + len(plaintext) + 16; len(stored) != want || stored[0] != 1 {
			t.Errorf("stored %d bytes starting %#x, want %d starting 0x1", len(stored), stored[0], want)
		}
		opened, err := testFileCipher(t).Open(id, stored)
		if err != nil || !bytes.Equal(opened, plaintext) {
			t.Errorf("the stored content does not open to the plaintext: %v", err)
		}
	})
}

func TestCreateCustomerChecksFileReferences(t *testing.T) {
	const (
		docs  = "business_details.business_identifier_document_list"
		front = "business_person_list.0.identification.id_document_front_file_id"
		back  = "business_person_list.0.identification.id_document_back_file_id"
	)
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds, other := ts.partner(t), ts.partner(t)
		registration := ts.uploaded(t, creds, kyb.FileBusinessRegistration)
		articles := ts.uploaded(t, creds, kyb.FileArticleOfAssociation)
		mainPage := ts.uploaded(t, creds, kyb.FileMainPage)
		backPage := ts.uploaded(t, creds, kyb.FileBackPage)
		invoice := ts.uploaded(t, creds, kyb.FileInvoice)
		theirs := ts.uploaded(t, other, kyb.FileBusinessRegistration)
		missing := kyb.NewID(kyb.PrefixFile, time.Now())

		// acceptedTypes is what the message of a wrong_file_type must say
		// that a field accepts.
		acceptedTypes := func(field string) string {
			switch {
			case strings.HasPrefix(field, docs):
				return `"Business Registration" or "Article of Association"`
			case strings.HasSuffix(field, "front_file_id"):
				return `"Main page"`
			}
			return `"Back page"`
		}
		type fieldErr struct{ field, code string }
		tests := []struct {
			name    string
			changes []any
			want    []fieldErr // none: the create succeeds
		}{
			{"files of the right types", []any{docs, []any{registration, articles}, front, mainPage, back, backPage}, nil},
			{"the same file twice", []any{docs, []any{registration, registration}, front, mainPage, back, backPage}, nil},
			{"no files at all", []any{docs, deleted, front, deleted, back, deleted}, nil},
			{"missing document", []any{docs, []any{registration, missing}, front, mainPage, back, backPage},
				[]fieldErr{{docs + "[1]", "file_not_found"}}},
			{"another partner's document", []any{docs, []any{theirs}, front, mainPage, back, backPage},
				[]fieldErr{{docs + "[0]", "file_not_found"}}},
			{"another partner's front page", []any{docs, []any{registration}, front, theirs, back, backPage},
				[]fieldErr{{"business_person_list[0].identification.id_document_front_file_id", "file_not_found"}}},
			{"malformed id", []any{docs, []any{"file_nope"}, front, mainPage, back, backPage},
				[]fieldErr{{docs + "[0]", "file_not_found"}}},
			{"document of the wrong type", []any{docs, []any{invoice}, front, mainPage, back, backPage},
				[]fieldErr{{docs + "[0]", "wrong_file_type"}}},
			{"front page of the wrong type", []any{docs, []any{registration}, front, backPage, back, backPage},
				[]fieldErr{{"business_person_list[0].identification.id_document_front_file_id", "wrong_file_type"}}},
			{"back page of the wrong type", []any{docs, []any{registration}, front, mainPage, back, mainPage},
				[]fieldErr{{"business_person_list[0].identification.id_document_back_file_id", "wrong_file_type"}}},
			{"every problem at once", []any{docs, []any{articles, mainPage, missing}, front, theirs, back, registration},
				[]fieldErr{
					{docs + "[1]", "wrong_file_type"},
					{docs + "[2]", "file_not_found"},
					{"business_person_list[0].identification.id_document_front_file_id", "file_not_found"},
					{"business_person_list[0].identification.id_document_back_file_id", "wrong_file_type"},
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				body := with(t, append([]any{"partner_customer_id", uniqueID(t)}, tt.changes...)...)
				resp := ts.request(t, "POST", "/api/customers/create", &creds, body)
				if tt.want == nil {
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("status = %d, want 200: %s", resp.StatusCode, resp.Body)
					}
					return
				}
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status = %d, want 400: %s", resp.StatusCode, resp.Body)
				}
				code, details := errorOf(t, resp)
				var fields []fieldErr
				for _, d := range details {
					fields = append(fields, fieldErr{d.Field, d.Code})
					if accepted := acceptedTypes(d.Field); d.Code == "wrong_file_type" && !strings.Contains(d.Message, accepted) {
						t.Errorf("%s: message %q does not say that it accepts %s", d.Field, d.Message, accepted)
					}
				}
				if code != "invalid_request" || !sameFieldErrs(fields, tt.want) {
					t.Errorf("error = %s %v, want invalid_request %v", code, fields, tt.want)
				}
			})
		}
	})
}

// TestUploadLimitWithoutContentLength sends bodies over MaxUploadBytes in
// chunks, so that only reading them can tell they are too large.
func TestUploadLimitWithoutContentLength(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	big := append(bytes.Clone(samplePDF), make([]byte, httpapi.MaxUploadBytes)...)
	for _, u := range []uploadRequest{
		formUpload(formPart{name: "file", filename: "big.pdf", content: big}, field("fileType", "Contract")),
		jsonUpload("Contract", big),
	} {
		// A reader of unknown length makes the client send chunks.
		req, err := http.NewRequest("POST", ts.URL+"/api/files/upload", io.MultiReader(strings.NewReader(u.body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", u.contentType)
		req.Header.Set("X-API-Key", creds.APIKey)
		req.Header.Set("X-API-Secret", creds.APISecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), `"request_too_large"`) {
			t.Errorf("%s body of %d bytes in chunks = %d %s, want 413 request_too_large", u.contentType, len(u.body), resp.StatusCode, body)
		}
	}
}

// TestAdminFiles gives operators any partner's document by its id alone:
// the metadata with its partner, and the content with the read audited.
func TestAdminFiles(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		token := ts.operator(t)
		id := ts.uploaded(t, creds, kyb.FileMainPage)
		meta := ts.admin(t, token, "GET", "/admin/files/"+id, "")
		if got := meta.json(t); meta.StatusCode != http.StatusOK || got["file_id"] != id || got["partner_id"] != creds.PartnerID || got["content_type"] != "image/png" {
			t.Errorf("GET /admin/files/%s = %d %s, want the metadata with its partner", id, meta.StatusCode, meta.Body)
		}
		content := ts.admin(t, token, "GET", "/admin/files/"+id+"/content", "")
		if content.StatusCode != http.StatusOK || !bytes.Equal(content.Body, samplePNG) || content.Header.Get("Content-Security-Policy") != "sandbox; default-src 'none'" {
			t.Errorf("GET /admin/files/%s/content = %d %q (CSP %q), want the bytes, sandboxed", id, content.StatusCode, content.Body, content.Header.Get("Content-Security-Policy"))
		}
		trail, err := ts.Service.AuditTrail(context.Background(), kyb.AuditFilter{TargetID: id})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(trail); n != 2 || trail[1].Action != kyb.ActionFileViewed || trail[1].PartnerID != creds.PartnerID || trail[1].Actor.Type != kyb.ActorOperator {
			t.Errorf("the file's audit trail = %+v, want its upload and one read by the operator, with its partner", trail)
		}
		missing := kyb.NewID(kyb.PrefixFile, time.Now())
		for _, path := range []string{"/admin/files/" + missing, "/admin/files/" + missing + "/content"} {
			if resp := ts.admin(t, token, "GET", path, ""); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
			}
			if resp := ts.request(t, "GET", strings.Replace(path, missing, id, 1), &creds, ""); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("GET %s with a partner's key = %d, want 401", path, resp.StatusCode)
			}
		}
	})
}
