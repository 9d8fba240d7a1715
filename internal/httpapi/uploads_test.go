package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// testFileKey is the file encryption key of the test servers.
var testFileKey = bytes.Repeat([]byte{0x42}, kyb.FileKeySize)

func testFileCipher(tb testing.TB) *kyb.Cipher {
	tb.Helper()
	c, err := kyb.NewCipher(testFileKey)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Small documents of each accepted format: a real one-pixel PNG and JPEG,
// and a minimal PDF.
var (
	samplePDF  = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	samplePNG  = encodeImage(func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	sampleJPEG = encodeImage(func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
)

func encodeImage(encode func(*bytes.Buffer, image.Image) error) []byte {
	var b bytes.Buffer
	if err := encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// validBodyFiles are the made-up file ids of validBody, with the type of
// file each field needs.
var validBodyFiles = []struct {
	id       string
	fileType kyb.FileType
}{
	{"file_0123456789abcdef0123456789abcdef", kyb.FileBusinessRegistration},
	{"file_00000000000000000000000000000001", kyb.FileMainPage},
	{"file_00000000000000000000000000000002", kyb.FileBackPage},
}

// uploadedFiles maps a partner id to the ids of the files that stand in
// for validBodyFiles; each partner uploads them once.
var uploadedFiles sync.Map // partner id -> *partnerFiles

type partnerFiles struct {
	once     sync.Once
	replacer *strings.Replacer
	err      error
}

// withUploadedFiles returns body with the made-up file ids of validBody
// replaced by files of the right types that the partner uploaded, so that
// it passes the reference checks of create customer.
func withUploadedFiles(tb testing.TB, ts *testServer, creds kyb.Credentials, body string) string {
	tb.Helper()
	return substituteFiles(tb, ts.Service, creds.PartnerID, body)
}

// substituteFiles is withUploadedFiles on a bare service.
func substituteFiles(tb testing.TB, svc *kyb.Service, partnerID, body string) string {
	tb.Helper()
	v, _ := uploadedFiles.LoadOrStore(partnerID, &partnerFiles{})
	pf := v.(*partnerFiles)
	pf.once.Do(func() {
		var pairs []string
		for _, f := range validBodyFiles {
			uploaded, err := svc.UploadFile(context.Background(), partnerID, f.fileType, samplePNG)
			if err != nil {
				pf.err = err
				return
			}
			pairs = append(pairs, f.id, uploaded.ID)
		}
		pf.replacer = strings.NewReplacer(pairs...)
	})
	if pf.err != nil {
		tb.Fatalf("upload the files of validBody: %v", pf.err)
	}
	return pf.replacer.Replace(body)
}

// formPart is one part of a multipart/form-data body.
type formPart struct {
	name, filename string
	content        []byte
}

// field is a text part of a multipart/form-data body.
func field(name, value string) formPart { return formPart{name: name, content: []byte(value)} }

// uploadRequest is the body of an upload request and its Content-Type.
type uploadRequest struct {
	body, contentType string
}

// formUpload is a multipart/form-data upload request.
func formUpload(parts ...formPart) uploadRequest {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var pw io.Writer
		var err error
		if p.filename != "" {
			pw, err = w.CreateFormFile(p.name, p.filename)
		} else {
			pw, err = w.CreateFormField(p.name)
		}
		if err != nil {
			panic(err) // writing to a bytes.Buffer does not fail
		}
		pw.Write(p.content)
	}
	w.Close()
	return uploadRequest{b.String(), w.FormDataContentType()}
}

// jsonUpload is an application/json upload request.
func jsonUpload(fileType string, content []byte) uploadRequest {
	b, err := json.Marshal(map[string]string{"file": base64.StdEncoding.EncodeToString(content), "fileType": fileType})
	if err != nil {
		panic(err)
	}
	return uploadRequest{string(b), "application/json"}
}

// send posts an upload request.
func (ts *testServer) send(t *testing.T, creds kyb.Credentials, u uploadRequest) response {
	t.Helper()
	return ts.request(t, "POST", "/api/files/upload", &creds, u.body, "Content-Type", u.contentType)
}

// uploaded uploads a PNG of a type, which must be accepted, and returns
// its id.
func (ts *testServer) uploaded(t *testing.T, creds kyb.Credentials, fileType kyb.FileType) string {
	t.Helper()
	resp := ts.send(t, creds, formUpload(field("fileType", string(fileType)), formPart{name: "file", filename: "page.png", content: samplePNG}))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload %s = %d, want 200: %s", fileType, resp.StatusCode, resp.Body)
	}
	return resp.json(t)["file_id"].(string)
}

// errorDetail is one entry of error.details.
type errorDetail struct{ Field, Code, Message string }

// errorOf returns the code and the details of an error response.
func errorOf(t *testing.T, resp response) (code string, details []errorDetail) {
	t.Helper()
	var body struct {
		Error struct {
			Code    string
			Details []errorDetail
		}
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatalf("the error body is not JSON: %v\n%s", err, resp.Body)
	}
	return body.Error.Code, body.Error.Details
}
