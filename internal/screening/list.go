// Package screening reads sanctions lists in their publishers' formats
// (the OFAC SDN list's CSV files, the UN Security Council Consolidated
// List's XML) and matches names against them, explaining each match. It
// is domain code: standard library and the country table only.
package screening

import (
	"strings"
	"time"

	"github.com/biter777/countries"
)

// Sources of lists.
const (
	SourceOFAC = "ofac-sdn"
	SourceUN   = "un"
)

// Kind is what a list entry is.
type Kind string

// The kinds of entries.
const (
	KindPerson       Kind = "person"
	KindOrganisation Kind = "organisation"
	KindVessel       Kind = "vessel"
	KindAircraft     Kind = "aircraft"
)

// Name qualities: a strong name identifies its holder; a weak one (OFAC's
// "weak a.k.a.", the UN's "Low" quality) is broad or partial and is given
// to match only more closely.
const (
	QualityStrong = "strong"
	QualityWeak   = "weak"
)

// Name is one of an entry's names.
type Name struct {
	Text string
	// Type is how the list gives it: primary, aka, fka, nka, or original
	// script.
	Type    string
	Quality string
}

// BirthDate is a date of birth as lists give one: a day, a month or only
// a year (Month and Day 0), or a range of years (ToYear after Year).
type BirthDate struct {
	Year, Month, Day int
	ToYear           int
}

// Covers reports whether the date d (a full date) falls in b.
func (b BirthDate) Covers(d time.Time) bool {
	y := d.Year()
	switch {
	case b.ToYear > 0:
		return y >= b.Year && y <= b.ToYear
	case b.Month == 0:
		return y == b.Year
	case b.Day == 0:
		return y == b.Year && int(d.Month()) == b.Month
	}
	return y == b.Year && int(d.Month()) == b.Month && d.Day() == b.Day
}

// Entry is one listed party with everything the list says of it.
type Entry struct {
	// ID is the publisher's own: OFAC's ent_num, the UN's DATAID.
	ID   string
	Kind Kind
	// Names holds the primary name first, then the aliases.
	Names      []Name
	BirthDates []BirthDate
	// Nationalities and Countries (of addresses and citizenship) are ISO
	// 3166-1 alpha-2 codes, as far as the list's country names are known.
	Nationalities []string
	Countries     []string
	Programmes    []string
	Remarks       string
	ListedOn      string
}

// List is a whole publication of one source.
type List struct {
	Source string
	// Published is the publisher's date, where the file gives one.
	Published time.Time
	// SHA256 is the hex digest of the files as read, in their order.
	SHA256  string
	Entries []Entry
}

// Aliases counts the names that are not an entry's primary name.
func (l List) Aliases() int {
	n := 0
	for _, e := range l.Entries {
		n += len(e.Names) - 1
	}
	return n
}

// countryCode returns the ISO alpha-2 code of a country as lists name it,
// or "" when it is not a country the table knows.
func countryCode(name string) string {
	name = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if name == "" {
		return ""
	}
	if alias, ok := countryAliases[strings.ToLower(name)]; ok {
		return alias
	}
	c := countries.ByName(name)
	if c == countries.Unknown {
		return ""
	}
	return c.Alpha2()
}

// countryAliases are names the lists use that the country table does not
// know.
var countryAliases = map[string]string{
	"democratic republic of the congo":                     "CD",
	"congo, democratic republic of the":                    "CD",
	"iran (islamic republic of)":                           "IR",
	"syrian arab republic":                                 "SY",
	"russian federation":                                   "RU",
	"democratic people's republic of korea":                "KP",
	"korea, north":                                         "KP",
	"korea, south":                                         "KR",
	"republic of korea":                                    "KR",
	"united kingdom of great britain and northern ireland": "GB",
	"united republic of tanzania":                          "TZ",
	"venezuela (bolivarian republic of)":                   "VE",
	"bolivia (plurinational state of)":                     "BO",
	"lao people's democratic republic":                     "LA",
	"viet nam":                                             "VN",
	"turkiye":                                              "TR",
	"türkiye":                                              "TR",
	"burma":                                                "MM",
	"west bank":                                            "PS",
	"gaza":                                                 "PS",
	"palestinian territories":                              "PS",
	"state of palestine":                                   "PS",
	"kosovo":                                               "XK",
	"region: gaza":                                         "PS",
	"region: west bank":                                    "PS",
}

func appendUnique(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
