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

// ListExcerpt parses the screening package's excerpt of a list: ofac-sdn
// or un.
func ListExcerpt(t testing.TB, source string) screening.List {
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
	var l screening.List
	var err error
	if source == screening.SourceUN {
		l, err = screening.ParseUN(open("un", "consolidated.xml"))
	} else {
		l, err = screening.ParseOFAC(open("ofac-sdn", "sdn.csv"), open("ofac-sdn", "alt.csv"), open("ofac-sdn", "add.csv"))
	}
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// ImportListExcerpts imports the excerpts of both lists (the OFAC SDN
// list's and the UN list's) through the service.
func ImportListExcerpts(t testing.TB, svc *kyb.Service, actor kyb.Actor) {
	t.Helper()
	for _, l := range []screening.List{ListExcerpt(t, screening.SourceOFAC), ListExcerpt(t, screening.SourceUN)} {
		if _, _, err := svc.ImportList(context.Background(), actor, l); err != nil {
			t.Fatal(err)
		}
	}
}

// sharedLists is where the publishers' full files are kept beside the
// project, when they are (../shared/lists).
func sharedLists() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..", "..", "shared", "lists")
}

// FullLists parses the full OFAC SDN and UN lists beside the project, or
// skips the test or benchmark when they are not there.
func FullLists(t testing.TB) []screening.List {
	t.Helper()
	dir := sharedLists()
	open := func(parts ...string) *os.File {
		f, err := os.Open(filepath.Join(append([]string{dir}, parts...)...))
		if err != nil {
			t.Skipf("the full lists are not here (%v)", err)
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
	return []screening.List{ofac, un}
}
