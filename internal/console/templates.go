package console

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// funcs are the helpers the templates use.
var funcs = template.FuncMap{
	"iso":  func(t time.Time) string { return kyb.FormatTime(t) },
	"utc":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"join": strings.Join,
	"inc":  func(i int) int { return i + 1 },
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d bytes", n)
	},
	"lastAttempt": func(a []kyb.Attempt) *kyb.Attempt {
		if len(a) == 0 {
			return nil
		}
		return &a[len(a)-1]
	},
	"docOf": func(customerID string, d document) any {
		return struct {
			CID string
			D   document
		}{customerID, d}
	},
}

// parsePages parses each page with the layout, once, at start: a template
// that does not parse stops the program before it serves.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		if path.Base(name) == "layout.html" {
			continue
		}
		t := template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", name))
		pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return pages
}
