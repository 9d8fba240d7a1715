package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/screening"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// importExcerpts imports the screening package's excerpts of both lists.
func (ts *testServer) importExcerpts(t *testing.T) {
	t.Helper()
	dir := "../screening/testdata"
	open := func(parts ...string) *os.File {
		f, err := os.Open(filepath.Join(append([]string{dir}, parts...)...))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	ofac, err := screening.ParseOFAC(open("ofac-sdn", "sdn.csv"), open("ofac-sdn", "alt.csv"), open("ofac-sdn", "add.csv"))
	if err != nil {
		t.Fatal(err)
	}
	un, err := screening.ParseUN(open("un", "consolidated.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []screening.List{ofac, un} {
		if _, _, err := ts.Service.ImportList(context.Background(), testActor, l); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSearchLists(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		search := func(query url.Values) response {
			return ts.admin(t, token, "GET", "/admin/lists/search?"+query.Encode(), "")
		}
		// Before any import there is nothing to hit.
		if resp := search(url.Values{"name": {"Manuel Noriega"}}); resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), `"data":[]`) {
			t.Errorf("search with no lists = %d %s, want 200 and no hits", resp.StatusCode, string(resp.Body))
		}
		ts.importExcerpts(t)
		resp := search(url.Values{"name": {"Abu Abbas"}, "birth_date": {"1948-12-10T00:00:00Z"}})
		for _, want := range []string{`"list":"ofac-sdn"`, `"entry_id":"2674"`, `"list_name":"ABBAS, Abu"`, `"kind":"birth_date","match":true`, `"programmes":["SDGT"]`, `"snapshot_id":"lst_`} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), want) {
				t.Errorf("search Abu Abbas = %d %s, want %s", resp.StatusCode, string(resp.Body), want)
			}
		}
		if resp := search(url.Values{"name": {"Abu Abbas"}, "birth_date": {"1990-01-01T00:00:00Z"}}); !strings.Contains(string(resp.Body), `"data":[]`) {
			t.Errorf("search with a birth date that disagrees = %s, want no hit", string(resp.Body))
		}
		if resp := search(url.Values{"name": {"Havin Bank Ltd"}, "kind": {"organisation"}}); !strings.Contains(string(resp.Body), `"entry_id":"906"`) {
			t.Errorf("search an organisation = %s, want HAVIN BANK LIMITED", string(resp.Body))
		}
		if resp := search(url.Values{"name": {"Zhang Wei"}}); !strings.Contains(string(resp.Body), `"data":[]`) {
			t.Errorf("search an unlisted name = %s, want no hit", string(resp.Body))
		}
		for _, bad := range []url.Values{{}, {"name": {"X"}, "kind": {"vessel"}}, {"name": {"X"}, "birth_date": {"1948-12-10"}}, {"name": {"X"}, "country": {"usa"}}, {"name": {"X"}, "nope": {"1"}}} {
			if resp := search(bad); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("search %v = %d %s, want 400", bad, resp.StatusCode, string(resp.Body))
			}
		}
		if resp := ts.admin(t, token, "GET", "/admin/lists", ""); resp.StatusCode != http.StatusOK || strings.Count(string(resp.Body), `"in_force":true`) != 2 {
			t.Errorf("GET /admin/lists = %d %s, want both snapshots in force", resp.StatusCode, string(resp.Body))
		}
		if resp := ts.request(t, "GET", "/admin/lists/search?name=Noriega", nil, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("search without a token = %d, want 401", resp.StatusCode)
		}
	})
}
