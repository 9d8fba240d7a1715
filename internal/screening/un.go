package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// unPerson and unEntity are the parts of the UN list's INDIVIDUAL and
// ENTITY elements that screening keeps.
type unPerson struct {
	DataID      string      `xml:"DATAID"`
	Names       []string    `xml:"FIRST_NAME"`
	Second      string      `xml:"SECOND_NAME"`
	Third       string      `xml:"THIRD_NAME"`
	Fourth      string      `xml:"FOURTH_NAME"`
	Original    string      `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType    string      `xml:"UN_LIST_TYPE"`
	Reference   string      `xml:"REFERENCE_NUMBER"`
	ListedOn    string      `xml:"LISTED_ON"`
	Comments    string      `xml:"COMMENTS1"`
	Nationality []string    `xml:"NATIONALITY>VALUE"`
	Aliases     []unAlias   `xml:"INDIVIDUAL_ALIAS"`
	EntAliases  []unAlias   `xml:"ENTITY_ALIAS"`
	Addresses   []unAddress `xml:"INDIVIDUAL_ADDRESS"`
	EntAddress  []unAddress `xml:"ENTITY_ADDRESS"`
	BirthDates  []unDate    `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
}

type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type unAddress struct {
	Country string `xml:"COUNTRY"`
}

type unDate struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     int    `xml:"YEAR"`
	FromYear int    `xml:"FROM_YEAR"`
	ToYear   int    `xml:"TO_YEAR"`
}

// ParseUN reads the UN Security Council Consolidated List. A malformed or
// truncated file is refused whole, with an error naming the line.
func ParseUN(r io.Reader) (List, error) {
	sum := sha256.New()
	d := xml.NewDecoder(io.TeeReader(r, sum))
	l := List{Source: SourceUN}
	closed := false
	seen := map[string]bool{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			return List{}, fmt.Errorf("consolidated.xml line %d: %w", line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "CONSOLIDATED_LIST":
				for _, a := range t.Attr {
					if a.Name.Local == "dateGenerated" {
						l.Published, _ = time.Parse(time.RFC3339, a.Value)
					}
				}
			case "INDIVIDUAL", "ENTITY":
				line, _ := d.InputPos()
				var p unPerson
				if err := d.DecodeElement(&p, &t); err != nil {
					return List{}, fmt.Errorf("consolidated.xml line %d: %s: %w", line, t.Name.Local, err)
				}
				e, err := p.entry(t.Name.Local == "INDIVIDUAL")
				if err != nil {
					return List{}, fmt.Errorf("consolidated.xml line %d: %s: %w", line, t.Name.Local, err)
				}
				if seen[e.ID] {
					return List{}, fmt.Errorf("consolidated.xml line %d: DATAID %s is listed twice", line, e.ID)
				}
				seen[e.ID] = true
				l.Entries = append(l.Entries, e)
			}
		case xml.EndElement:
			closed = closed || t.Name.Local == "CONSOLIDATED_LIST"
		}
	}
	if !closed {
		return List{}, errors.New("consolidated.xml: the file ends before </CONSOLIDATED_LIST>: it is cut short or not the UN's")
	}
	if len(l.Entries) == 0 {
		return List{}, errors.New("consolidated.xml: no INDIVIDUAL or ENTITY")
	}
	l.SHA256 = hex.EncodeToString(sum.Sum(nil))
	return l, nil
}

func (p unPerson) entry(person bool) (Entry, error) {
	e := Entry{ID: strings.TrimSpace(p.DataID), Kind: KindOrganisation, Remarks: strings.TrimSpace(p.Comments), ListedOn: strings.TrimSpace(p.ListedOn)}
	if e.ID == "" {
		return Entry{}, errors.New("no DATAID")
	}
	parts := append(p.Names, p.Second, p.Third, p.Fourth)
	var name []string
	for _, part := range parts {
		if part = strings.TrimSpace(part); part != "" {
			name = append(name, part)
		}
	}
	if len(name) == 0 {
		return Entry{}, fmt.Errorf("DATAID %s has no name", e.ID)
	}
	e.Names = []Name{{Text: strings.Join(name, " "), Type: "primary", Quality: QualityStrong}}
	if person {
		e.Kind = KindPerson
	}
	for _, a := range append(p.Aliases, p.EntAliases...) {
		if a.Name = strings.TrimSpace(a.Name); a.Name == "" {
			continue
		}
		q := QualityStrong
		if strings.EqualFold(strings.TrimSpace(a.Quality), "Low") {
			q = QualityWeak
		}
		e.Names = append(e.Names, Name{Text: a.Name, Type: "aka", Quality: q})
	}
	if o := strings.TrimSpace(p.Original); o != "" {
		e.Names = append(e.Names, Name{Text: o, Type: "original script", Quality: QualityStrong})
	}
	if t := strings.TrimSpace(p.ListType); t != "" {
		e.Programmes = append(e.Programmes, "UN "+t)
	}
	for _, n := range p.Nationality {
		e.Nationalities = appendUnique(e.Nationalities, countryCode(n))
	}
	for _, a := range append(p.Addresses, p.EntAddress...) {
		e.Countries = appendUnique(e.Countries, countryCode(a.Country))
	}
	for _, d := range p.BirthDates {
		switch {
		case d.Date != "":
			if t, err := time.Parse("2006-01-02", strings.TrimSpace(d.Date)); err == nil {
				e.BirthDates = append(e.BirthDates, BirthDate{Year: t.Year(), Month: int(t.Month()), Day: t.Day()})
			}
		case d.FromYear > 0 && d.ToYear >= d.FromYear:
			e.BirthDates = append(e.BirthDates, BirthDate{Year: d.FromYear, ToYear: d.ToYear})
		case d.Year > 0:
			e.BirthDates = append(e.BirthDates, BirthDate{Year: d.Year})
		}
	}
	return e, nil
}
