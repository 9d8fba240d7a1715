package httpapi_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestReachesStorageOnlyThroughTheService keeps the HTTP layer off the
// storage engines: it talks to kyb.Service, whose store is not exported.
func TestReachesStorageOnlyThroughTheService(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/onboardkyb/onboard/internal/httpapi").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, engine := range []string{"/internal/sqlite", "/internal/postgres", "/internal/sqlstore", "github.com/jackc/pgx", "modernc.org/sqlite"} {
			if strings.Contains(pkg, engine) {
				t.Errorf("httpapi depends on %s", pkg)
			}
		}
	}
}
