package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/onboardkyb/onboard/internal/storetest"
)

// listPublisher serves the lists in dir (an ofac-sdn folder and
// un/consolidated.xml) the way their publishers do; edit, when set,
// changes a file's bytes as served.
func listPublisher(t *testing.T, dir string, edit *atomic.Value) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if f, ok := edit.Load().(func(path string, b []byte) []byte); ok && f != nil {
			b = f(r.URL.Path, b)
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestListsUpdate fetches both lists from a publisher: imported, then
// unchanged, then the one changed file imported again; a cut file and a
// missing one are refused with the snapshot in force left as it was.
func TestListsUpdate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL := ownDatabase(t, e)
		var edit atomic.Value
		srv := listPublisher(t, listTestdata, &edit)
		update := func(args ...string) (string, error) {
			return cli(t, append([]string{"lists", "update", "--database-url", dbURL,
				"--ofac-sdn-url", srv.URL + "/ofac-sdn/", "--un-list-url", srv.URL + "/un/consolidated.xml"}, args...)...)
		}
		out, err := update()
		if err != nil || !strings.Contains(out, "ofac-sdn: imported snapshot lst_") || !strings.Contains(out, "45 entries") || !strings.Contains(out, "un: imported snapshot") {
			t.Fatalf("lists update = %s, %v; want both imported", out, err)
		}
		if out, err := update(); err != nil || strings.Count(out, "unchanged") != 2 {
			t.Errorf("lists update again = %s, %v; want both unchanged", out, err)
		}
		before, _ := cli(t, "lists", "list", "--database-url", dbURL)

		edit.Store(func(path string, b []byte) []byte {
			if path == "/ofac-sdn/sdn.csv" {
				return b[:len(b)/2]
			}
			return b
		})
		out, err = update()
		if err == nil || !strings.Contains(out, "ofac-sdn: refused, the snapshot in force stays") || !strings.Contains(out, "sdn.csv") || !strings.Contains(out, "un: unchanged") {
			t.Errorf("lists update of a cut sdn.csv = %s, %v; want ofac-sdn refused naming the file, un unchanged", out, err)
		}
		edit.Store(func(path string, b []byte) []byte {
			if path == "/un/consolidated.xml" {
				return nil
			}
			return b
		})
		if out, err := update("--source", "un"); err == nil || !strings.Contains(out, "un: refused") || strings.Contains(out, "ofac-sdn") {
			t.Errorf("lists update --source un of an empty file = %s, %v; want it refused alone", out, err)
		}
		if after, _ := cli(t, "lists", "list", "--database-url", dbURL); after != before {
			t.Errorf("a refused update changed the snapshots:\nbefore %s\nafter  %s", before, after)
		}

		// A new publication: the UN file with a byte more.
		edit.Store(func(path string, b []byte) []byte {
			if path == "/un/consolidated.xml" {
				return append(b, '\n')
			}
			return b
		})
		if out, err := update(); err != nil || !strings.Contains(out, "un: imported snapshot") || !strings.Contains(out, "ofac-sdn: unchanged") {
			t.Errorf("lists update of a changed UN file = %s, %v; want un imported, ofac-sdn unchanged", out, err)
		}
		if _, err := update("--source", "eu"); err == nil {
			t.Error("lists update --source eu succeeded")
		}
		if _, err := cli(t, "lists", "update", "--database-url", dbURL, "--un-list-url", "ftp://example.com/x.xml"); err == nil || !strings.Contains(err.Error(), "un-list-url") {
			t.Errorf("an ftp URL = %v, want it refused naming un-list-url", err)
		}
	})
}

// TestListsUpdateFullLists serves the real publications, when they are
// beside the project.
func TestListsUpdateFullLists(t *testing.T) {
	const shared = "../../../shared/lists"
	if _, err := os.Stat(filepath.Join(shared, "ofac-sdn", "sdn.csv")); err != nil {
		t.Skipf("the full lists are not here (%v)", err)
	}
	var edit atomic.Value
	srv := listPublisher(t, shared, &edit)
	dbURL := storetest.SQLiteURL(t)
	out, err := cli(t, "lists", "update", "--database-url", dbURL, "--ofac-sdn-url", srv.URL+"/ofac-sdn/", "--un-list-url", srv.URL+"/un/consolidated.xml")
	if err != nil || !strings.Contains(out, "ofac-sdn: imported snapshot") || !strings.Contains(out, "8976 entries") || !strings.Contains(out, "1003 entries") {
		t.Errorf("lists update of the full lists = %s, %v", out, err)
	}
}
