// Command openapigen writes the OpenAPI document that internal/httpapi
// embeds and the README's table of field rules; go generate runs it there.
package main

import (
	"fmt"
	"os"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/openapi"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: openapigen DOCUMENT README")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "openapigen:", err)
		os.Exit(1)
	}
}

// run writes the document and the README's field rules.
func run(document, readme string) error {
	doc, err := openapi.Generate(httpapi.DocumentedTypes(), httpapi.DocumentedFacts())
	if err != nil {
		return err
	}
	if err := os.WriteFile(document, doc, 0o644); err != nil {
		return err
	}
	old, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	text, err := openapi.Readme(old)
	if err != nil {
		return err
	}
	return os.WriteFile(readme, text, 0o644)
}
