package screening_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/screening"
)

func readTestdata(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func excerptOFAC(t *testing.T) screening.List {
	t.Helper()
	l, err := screening.ParseOFAC(bytes.NewReader(readTestdata(t, "ofac-sdn", "sdn.csv")), bytes.NewReader(readTestdata(t, "ofac-sdn", "alt.csv")),
		bytes.NewReader(readTestdata(t, "ofac-sdn", "add.csv")))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func excerptUN(t *testing.T) screening.List {
	t.Helper()
	l, err := screening.ParseUN(bytes.NewReader(readTestdata(t, "un", "consolidated.xml")))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func entry(t *testing.T, l screening.List, id string) screening.Entry {
	t.Helper()
	for _, e := range l.Entries {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no entry %s", id)
	return screening.Entry{}
}

func TestParseOFACExcerpt(t *testing.T) {
	l := excerptOFAC(t)
	if l.Source != screening.SourceOFAC || len(l.Entries) != 45 || len(l.SHA256) != 64 {
		t.Fatalf("excerpt: source %s, %d entries, sha256 %q", l.Source, len(l.Entries), l.SHA256)
	}
	abbas := entry(t, l, "2674")
	if abbas.Kind != screening.KindPerson || abbas.Names[0].Text != "ABBAS, Abu" || abbas.Programmes[0] != "SDGT" {
		t.Errorf("entry 2674 = %+v", abbas)
	}
	if len(abbas.BirthDates) == 0 || abbas.BirthDates[0] != (screening.BirthDate{Year: 1948, Month: 12, Day: 10}) {
		t.Errorf("entry 2674's birth dates = %v, want 1948-12-10 from its remarks", abbas.BirthDates)
	}
	cuba := entry(t, l, "306")
	var weak, strong []string
	for _, n := range cuba.Names[1:] {
		if n.Quality == screening.QualityWeak {
			weak = append(weak, n.Text)
		} else {
			strong = append(strong, n.Text)
		}
	}
	if cuba.Kind != screening.KindOrganisation || !strings.Contains(strings.Join(strong, "|"), "NATIONAL BANK OF CUBA") || strings.Join(weak, "|") != "BNC" {
		t.Errorf("entry 306: kind %s, strong aliases %v, weak %v; want the alias from alt.csv and the weak a.k.a. of the remarks", cuba.Kind, strong, weak)
	}
	if len(cuba.Countries) == 0 {
		t.Errorf("entry 306 has no countries from add.csv")
	}
	if v := entry(t, l, "4234"); v.Kind != screening.KindVessel {
		t.Errorf("entry 4234 is a %s, want a vessel", v.Kind)
	}
	if a := entry(t, l, "15431"); a.Kind != screening.KindAircraft {
		t.Errorf("entry 15431 is a %s, want an aircraft", a.Kind)
	}
	if n := entry(t, l, "7826"); len(n.Nationalities) == 0 || n.Nationalities[0] != "TN" {
		t.Errorf("entry 7826's nationalities = %v, want TN from \"nationality Tunisia\"", n.Nationalities)
	}
}

func TestParseOFACRefusesDamagedFiles(t *testing.T) {
	sdn, alt, add := readTestdata(t, "ofac-sdn", "sdn.csv"), readTestdata(t, "ofac-sdn", "alt.csv"), readTestdata(t, "ofac-sdn", "add.csv")
	cut := func(b []byte, n int) []byte { return bytes.Clone(b[:n]) }
	tests := []struct {
		name          string
		sdn, alt, add []byte
		want          string
	}{
		{"sdn.csv cut short", cut(sdn, len(sdn)/2), alt, add, "sdn.csv: no end-of-file mark"},
		{"sdn.csv cut at a line end", append(cut(sdn, bytes.Index(sdn, []byte("\r\n"))+2), 0x1a), alt, add, "is not in sdn.csv"},
		{"a quote left open", bytes.Replace(sdn, []byte(`"CUBA",`), []byte(`"CUBA,`), 1), alt, add, "sdn.csv line 1"},
		{"a column missing", bytes.Replace(sdn, []byte(`36,"AEROCARIBBEAN AIRLINES",-0- ,`), []byte(`36,"AEROCARIBBEAN AIRLINES",`), 1), alt, add, "sdn.csv line 1"},
		{"an entry number not a number", bytes.Replace(sdn, []byte(`36,"AERO`), []byte(`3x,"AERO`), 1), alt, add, `sdn.csv line 1: the entry number "3x"`},
		{"an unknown entry type", bytes.Replace(sdn, []byte(`"individual"`), []byte(`"spaceship"`), 1), alt, add, `unknown entry type "spaceship"`},
		{"an alias of no entry", sdn, append([]byte("999999,1,\"aka\",\"NOBODY\",-0- \r\n"), alt...), add, "alt.csv line 1: entry 999999 is not in sdn.csv"},
		{"add.csv empty", sdn, alt, []byte{0x1a}, "add.csv: no entries"},
	}
	for _, tt := range tests {
		_, err := screening.ParseOFAC(bytes.NewReader(tt.sdn), bytes.NewReader(tt.alt), bytes.NewReader(tt.add))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParseUNExcerpt(t *testing.T) {
	l := excerptUN(t)
	kinds := map[screening.Kind]int{}
	for _, e := range l.Entries {
		kinds[e.Kind]++
	}
	if kinds[screening.KindPerson] != 12 || kinds[screening.KindOrganisation] != 6 || !l.Published.Equal(time.Date(2026, 2, 27, 0, 0, 9, 554e6, time.UTC)) {
		t.Fatalf("excerpt: %v, published %v", kinds, l.Published)
	}
	badege := entry(t, l, "6907993")
	if badege.Names[0].Text != "ERIC BADEGE" || badege.BirthDates[0].Year != 1971 || badege.Nationalities[0] != "CD" || badege.Programmes[0] != "UN DRC" || badege.ListedOn != "2012-12-31" {
		t.Errorf("DATAID 6907993 = %+v", badege)
	}
	weak, original := 0, 0
	for _, e := range l.Entries {
		for _, n := range e.Names {
			if n.Quality == screening.QualityWeak {
				weak++
			}
			if n.Type == "original script" {
				original++
			}
		}
	}
	if weak == 0 || original == 0 {
		t.Errorf("%d weak aliases and %d names in the original script, want some of each", weak, original)
	}
}

func TestParseUNRefusesDamagedFiles(t *testing.T) {
	x := readTestdata(t, "un", "consolidated.xml")
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"cut short", x[:len(x)/2], "consolidated.xml line"},
		{"cut after an element", x[:bytes.Index(x, []byte("</INDIVIDUAL>"))+len("</INDIVIDUAL>")], "consolidated.xml line"},
		{"no closing root", bytes.Replace(x, []byte("</CONSOLIDATED_LIST>"), nil, 1), "unexpected EOF"},
		{"a broken tag", bytes.Replace(x, []byte("<FIRST_NAME>"), []byte("<FIRST_NAME"), 1), "consolidated.xml line"},
		{"an entry without a name", bytes.Replace(x, []byte("<FIRST_NAME>ERIC</FIRST_NAME>\n      <SECOND_NAME>BADEGE</SECOND_NAME>"), nil, 1), "has no name"},
		{"not the list", []byte("<?xml version=\"1.0\"?><OTHER/>"), "ends before </CONSOLIDATED_LIST>"},
	}
	for _, tt := range tests {
		_, err := screening.ParseUN(bytes.NewReader(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		kind screening.Kind
		want string
	}{
		{"NORIEGA, Manuel Antonio", screening.KindPerson, "noriega manuel antonio"},
		{"Dr. José MUÑOZ-García", screening.KindPerson, "jose munoz garcia"},
		{"O'Brien", screening.KindPerson, "obrien"},
		{"Straße Łódź", screening.KindPerson, "strasse lodz"},
		{"ANGLO-CARIBBEAN CO., LTD.", screening.KindOrganisation, "anglo caribbean"},
		{"Anglo Caribbean Company Limited", screening.KindOrganisation, "anglo caribbean"},
		{"CIMEX, S.A.", screening.KindOrganisation, "cimex"},
		{"JOINT STOCK COMPANY ZEST", screening.KindOrganisation, "zest"},
		{"ZEST JSC", screening.KindOrganisation, "zest"},
		{"T.E.G. LIMITED", screening.KindOrganisation, "teg"},
		{"HAVIN BANK LIMTED", screening.KindOrganisation, "havin bank"},
		{"THE COMPANY", screening.KindOrganisation, "company"},
	}
	for _, tt := range tests {
		if got := strings.Join(screening.Tokens(tt.name, tt.kind), " "); got != tt.want {
			t.Errorf("Tokens(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestScreenExcerpt matches variants of names in the excerpts, and
// unrelated or look-alike names that must not match.
func TestScreenExcerpt(t *testing.T) {
	ix := screening.NewIndex(excerptOFAC(t), excerptUN(t))
	person, org := screening.KindPerson, screening.KindOrganisation
	birth := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	tests := []struct {
		name  string
		query screening.Query
		want  string // list:entry id of the best hit, "" for none
	}{
		{"as listed", screening.Query{Name: "NORIEGA, Manuel Antonio", Kind: person}, "ofac-sdn:1572"},
		{"given name first", screening.Query{Name: "Manuel Antonio Noriega", Kind: person}, "ofac-sdn:1572"},
		{"a middle name dropped", screening.Query{Name: "Manuel Noriega", Kind: person}, "ofac-sdn:1572"},
		{"one typo", screening.Query{Name: "Manuel Antonio Noreiga", Kind: person}, "ofac-sdn:1572"},
		{"a dotted initial", screening.Query{Name: "M. Antonio NORIEGA", Kind: person}, "ofac-sdn:1572"},
		{"a company suffix changed", screening.Query{Name: "Havin Bank Ltd", Kind: org}, "ofac-sdn:906"},
		{"an alias", screening.Query{Name: "National Bank of Cuba", Kind: org}, "ofac-sdn:306"},
		{"a weak alias exactly", screening.Query{Name: "BNC", Kind: org}, "ofac-sdn:306"},
		{"a UN name", screening.Query{Name: "Eric Badege", Kind: person}, "un:6907993"},
		{"a birth date that agrees", screening.Query{Name: "Abu Abbas", Kind: person, BirthDate: birth("1948-12-10")}, "ofac-sdn:2674"},
		{"the same name, a birth date that disagrees (a hit all the same)", screening.Query{Name: "Abu Abbas", Kind: person, BirthDate: birth("1990-01-01")}, "ofac-sdn:2674"},
		{"a person is no company", screening.Query{Name: "Havin Bank", Kind: person}, ""},
		{"a listed family name, another given name", screening.Query{Name: "Pedro Noriega", Kind: person}, ""},
		{"a listed company word, another company", screening.Query{Name: "Cimex Logistics Ltd", Kind: org}, ""},
		{"unrelated", screening.Query{Name: "Zhang Wei", Kind: person}, ""},
		{"only in another script", screening.Query{Name: "张伟", Kind: person}, ""},
	}
	for _, tt := range tests {
		hits := ix.Screen(tt.query, screening.DefaultThreshold)
		got := ""
		if len(hits) > 0 {
			got = hits[0].Source + ":" + hits[0].EntryID
		}
		if got != tt.want {
			t.Errorf("%s: %q hits %s (%+v), want %q", tt.name, tt.query.Name, got, hits, tt.want)
		}
	}
	// Disagreeing evidence lowers the score below the name's, and says so.
	low := ix.Screen(screening.Query{Name: "Abu Abbas", Kind: person, BirthDate: birth("1990-01-01")}, screening.DefaultThreshold)[0]
	if low.Score >= low.NameScore || len(low.Evidence) != 1 || low.Evidence[0].Match {
		t.Errorf("hit with a birth date that disagrees = %+v, want its score lowered and the mismatch shown", low)
	}
	// A hit explains itself.
	h := ix.Screen(screening.Query{Field: "business_person_list[0].basic_info", Name: "Abu Abbas", Kind: person, BirthDate: birth("1948-12-10")}, screening.DefaultThreshold)[0]
	if h.ListName != "ABBAS, Abu" || h.NameType != "primary" || h.Field != "business_person_list[0].basic_info" || h.Value != "Abu Abbas" ||
		len(h.Evidence) != 1 || h.Evidence[0].Kind != "birth_date" || !h.Evidence[0].Match || h.Evidence[0].Delta <= 0 || h.Evidence[0].Value != "1948-12-10" {
		t.Errorf("hit = %+v, want the list name, our field and value, and the birth date raising the score", h)
	}
}

// TestScreenWordOfFourAgainstThree: a word of four letters one edit from
// a listed word of three (SONG and SON) retrieves the name it is in, and
// the other way round, though they share none of the keys of longer
// words: here the word carries most of the query's weight, so without it
// the name would not be scored at all.
func TestScreenWordOfFourAgainstThree(t *testing.T) {
	listed := screening.List{Source: "test", Entries: []screening.Entry{
		{ID: "1", Kind: screening.KindPerson, Names: []screening.Name{{Text: "RI, Son", Type: "primary", Quality: screening.QualityStrong}}},
		{ID: "2", Kind: screening.KindPerson, Names: []screening.Name{{Text: "KIM, Dong", Type: "primary", Quality: screening.QualityStrong}}},
	}}
	ix := screening.NewIndex(excerptOFAC(t), listed)
	for query, want := range map[string]string{
		"Ri Song": "test:1", // four letters against three
		"Kim Don": "test:2", // three against four
	} {
		hits := ix.Screen(screening.Query{Name: query, Kind: screening.KindPerson}, screening.DefaultThreshold)
		if len(hits) == 0 || hits[0].Source+":"+hits[0].EntryID != want {
			t.Errorf("%q hits %+v, want %s first", query, hits, want)
		}
	}
}
