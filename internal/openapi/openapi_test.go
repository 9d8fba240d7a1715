package openapi_test

import (
	"bytes"
	"testing"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/openapi"
)

// TestGenerateIsDeterministic: the committed document is compared byte for
// byte, so two runs must agree.
func TestGenerateIsDeterministic(t *testing.T) {
	first, err := openapi.Generate(httpapi.DocumentedTypes(), httpapi.DocumentedFacts())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := openapi.Generate(httpapi.DocumentedTypes(), httpapi.DocumentedFacts())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("two runs generated different documents")
		}
	}
}

// TestGenerateNeedsEveryType: an overlay schema naming a Go type that is
// not given fails the run rather than going unchecked.
func TestGenerateNeedsEveryType(t *testing.T) {
	if _, err := openapi.Generate(nil, httpapi.DocumentedFacts()); err == nil {
		t.Error("Generate without httpapi's types succeeded")
	}
}

func TestReadmeNeedsItsMarkers(t *testing.T) {
	if _, err := openapi.Readme([]byte("# onboard\n")); err == nil {
		t.Error("Readme of a README without markers succeeded")
	}
}
