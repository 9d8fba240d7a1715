package screening_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/screening"
)

// publisher serves the excerpts as the publishers lay them out, with a
// file replaced where the test says.
func publisher(t *testing.T, dir string, replace map[string]func(w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, ok := replace[r.URL.Path]; ok {
			f(w)
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetch(t *testing.T) {
	ofac := func(f screening.Fetcher, srv *httptest.Server) (screening.List, error) {
		return f.Fetch(context.Background(), screening.SourceOFAC, srv.URL+"/ofac-sdn/")
	}
	srv := publisher(t, "testdata", nil)
	l, err := ofac(screening.Fetcher{}, srv)
	if err != nil || len(l.Entries) != 45 {
		t.Fatalf("Fetch(ofac-sdn) = %d entries, %v; want the excerpt's 45", len(l.Entries), err)
	}
	un, err := screening.Fetcher{}.Fetch(context.Background(), screening.SourceUN, srv.URL+"/un/consolidated.xml")
	if err != nil || len(un.Entries) != 18 {
		t.Fatalf("Fetch(un) = %d entries, %v; want the excerpt's 18", len(un.Entries), err)
	}
	sdn, err := os.ReadFile("testdata/ofac-sdn/sdn.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		replace func(w http.ResponseWriter)
		max     int64
		want    string
	}{
		{"missing", func(w http.ResponseWriter) { http.NotFound(w, nil) }, 0, "status 404"},
		{"cut short", func(w http.ResponseWriter) { w.Write(sdn[:len(sdn)/2]) }, 0, "sdn.csv"},
		{"connection cut", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "100000")
			w.Write(sdn[:100])
		}, 0, "unexpected EOF"},
		{"too large by its length", nil, 1000, "more than the 1000"},
		{"too large without a length", func(w http.ResponseWriter) {
			w.(http.Flusher).Flush() // chunked: no Content-Length
			w.Write(sdn)
		}, 1000, "more than the 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replace := map[string]func(http.ResponseWriter){}
			if tc.replace != nil {
				replace["/ofac-sdn/sdn.csv"] = tc.replace
			}
			_, err := ofac(screening.Fetcher{MaxSize: tc.max}, publisher(t, "testdata", replace))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Fetch = %v, want an error with %q", err, tc.want)
			}
		})
	}
	if _, err := (screening.Fetcher{}).Fetch(context.Background(), "eu", srv.URL); err == nil {
		t.Error("Fetch of an unknown source succeeded")
	}
	if _, err := (screening.Fetcher{}).Fetch(context.Background(), screening.SourceUN, "file:///etc/passwd"); err == nil {
		t.Error("Fetch of a file URL succeeded")
	}
}

// TestFetchRefusesDowngrade: an https publisher redirecting to plain http
// is not followed.
func TestFetchRefusesDowngrade(t *testing.T) {
	plain := publisher(t, "testdata", nil)
	tlsSrv := httptest.NewTLSServer(http.RedirectHandler(plain.URL+"/un/consolidated.xml", http.StatusFound))
	t.Cleanup(tlsSrv.Close)
	_, err := screening.Fetcher{Client: tlsSrv.Client()}.Fetch(context.Background(), screening.SourceUN, tlsSrv.URL+"/consolidated.xml")
	if err == nil || !strings.Contains(err.Error(), "https to http") {
		t.Errorf("Fetch through a downgrading redirect = %v, want it refused", err)
	}
}
