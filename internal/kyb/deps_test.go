package kyb_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsOnlyTheContract keeps the domain free of infrastructure: of
// the project it imports package api, the pure cryptography of package
// envelope and the list parsing and matching of package screening alone, and of the rest only the
// standard library and the libraries that know countries, currencies and
// phone numbers, and TOTP.
func TestImportsOnlyTheContract(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/onboardkyb/onboard/internal/kyb").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	allowed := []string{"github.com/onboardkyb/onboard/api", "github.com/onboardkyb/onboard/internal/kyb", "github.com/onboardkyb/onboard/internal/envelope",
		"github.com/onboardkyb/onboard/internal/screening",
		"github.com/biter777/countries", "github.com/bojanz/currency", "github.com/nyaruka/phonenumbers",
		"github.com/cockroachdb/apd", "golang.org/x/", "google.golang.org/protobuf",
		// TOTP, the console's second factor.
		"github.com/pquerna/otp", "github.com/boombuler/barcode"}
	for _, pkg := range strings.Fields(string(out)) {
		ok := false
		for _, prefix := range allowed {
			ok = ok || strings.HasPrefix(pkg, prefix)
		}
		if !ok {
			t.Errorf("kyb depends on %s", pkg)
		}
	}
}
