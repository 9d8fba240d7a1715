package client_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNothingOfTheServer keeps the client light for partners: it
// and everything it imports stay outside internal/, so importing it brings
// none of the server's validation, storage or their dependencies.
func TestImportsNothingOfTheServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/onboardkyb/onboard/client").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "/internal/") || (strings.Contains(pkg, ".") && !strings.HasPrefix(pkg, "github.com/onboardkyb/onboard/")) {
			t.Errorf("client depends on %s", pkg)
		}
	}
}
