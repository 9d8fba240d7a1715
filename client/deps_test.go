package client_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNothingOfTheServer keeps the client light for partners: it
// imports the standard library and package api only, so importing it
// brings none of the server's validation, storage or their dependencies.
func TestImportsNothingOfTheServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/onboardkyb/onboard/client").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/onboardkyb/onboard/api" && pkg != "github.com/onboardkyb/onboard/client" {
			t.Errorf("client depends on %s", pkg)
		}
	}
}
