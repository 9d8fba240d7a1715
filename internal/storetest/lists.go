package storetest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

// ImportListExcerpts imports the screening package's excerpts of the OFAC
// and UN lists (internal/screening/testdata) through the service.
func ImportListExcerpts(t testing.TB, svc *kyb.Service, actor kyb.Actor) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(self), "..", "screening", "testdata")
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
		if _, _, err := svc.ImportList(context.Background(), actor, l); err != nil {
			t.Fatal(err)
		}
	}
}
