package screening

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// OFAC's legacy CSV files: Latin-1, no header, "-0-" for an empty field,
// and a DOS end-of-file byte (0x1A) after the last line, whose absence
// means the file was cut short.
const (
	ofacEmpty = "-0-"
	ofacEOF   = 0x1a
)

// The columns of each file.
const (
	sdnColumns = 12 // ent_num, name, type, program, title, call sign, vessel type, tonnage, GRT, flag, owner, remarks
	altColumns = 5  // ent_num, alt_num, type, name, remarks
	addColumns = 6  // ent_num, add_num, address, city/state/postcode, country, remarks
)

// ParseOFAC reads the SDN list from its three CSV files. Any malformed or
// truncated file is refused whole, with an error naming the file and line.
func ParseOFAC(sdn, alt, add io.Reader) (List, error) {
	sum := sha256.New()
	read := func(name string, r io.Reader, columns int) ([][]string, error) {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		sum.Write(b)
		return readOFACFile(name, b, columns)
	}
	sdnRows, err := read("sdn.csv", sdn, sdnColumns)
	if err != nil {
		return List{}, err
	}
	altRows, err := read("alt.csv", alt, altColumns)
	if err != nil {
		return List{}, err
	}
	addRows, err := read("add.csv", add, addColumns)
	if err != nil {
		return List{}, err
	}
	l := List{Source: SourceOFAC}
	byID := map[string]int{}
	for i, row := range sdnRows {
		e, err := ofacEntry(row)
		if err != nil {
			return List{}, fmt.Errorf("sdn.csv line %d: %w", i+1, err)
		}
		if _, dup := byID[e.ID]; dup {
			return List{}, fmt.Errorf("sdn.csv line %d: entry %s is listed twice", i+1, e.ID)
		}
		byID[e.ID] = len(l.Entries)
		l.Entries = append(l.Entries, e)
	}
	for i, row := range altRows {
		at, ok := byID[row[0]]
		if !ok {
			return List{}, fmt.Errorf("alt.csv line %d: entry %s is not in sdn.csv", i+1, row[0])
		}
		name := ofacField(row[3])
		if name == "" {
			return List{}, fmt.Errorf("alt.csv line %d: the alias has no name", i+1)
		}
		l.Entries[at].Names = append(l.Entries[at].Names, Name{Text: name, Type: strings.ToLower(ofacField(row[2])), Quality: QualityStrong})
	}
	for i, row := range addRows {
		at, ok := byID[row[0]]
		if !ok {
			return List{}, fmt.Errorf("add.csv line %d: entry %s is not in sdn.csv", i+1, row[0])
		}
		l.Entries[at].Countries = appendUnique(l.Entries[at].Countries, countryCode(ofacField(row[4])))
	}
	l.SHA256 = hex.EncodeToString(sum.Sum(nil))
	return l, nil
}

// readOFACFile decodes a whole file and splits it into rows of columns
// fields each.
func readOFACFile(name string, b []byte, columns int) ([][]string, error) {
	end := bytes.LastIndexByte(b, ofacEOF)
	if end < 0 || len(bytes.TrimSpace(b[end+1:])) > 0 {
		return nil, fmt.Errorf("%s: no end-of-file mark (0x1A) after the last line: the file is cut short or not OFAC's", name)
	}
	r := csv.NewReader(latin1Reader(b[:end]))
	r.FieldsPerRecord = columns
	r.ReuseRecord = false
	var rows [][]string
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s line %d: %w", name, pe.StartLine, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if _, err := strconv.Atoi(strings.TrimSpace(row[0])); err != nil {
			return nil, fmt.Errorf("%s line %d: the entry number %q is not a number", name, len(rows)+1, row[0])
		}
		row[0] = strings.TrimSpace(row[0])
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no entries", name)
	}
	return rows, nil
}

// latin1Reader decodes ISO 8859-1, whose bytes are the first 256 code
// points.
func latin1Reader(b []byte) io.Reader {
	var out strings.Builder
	out.Grow(len(b) + len(b)/8)
	for _, c := range b {
		out.WriteRune(rune(c))
	}
	return bufio.NewReader(strings.NewReader(out.String()))
}

func ofacField(s string) string {
	s = strings.TrimSpace(s)
	if s == ofacEmpty {
		return ""
	}
	return s
}

func ofacEntry(row []string) (Entry, error) {
	e := Entry{ID: row[0], Remarks: ofacField(row[11])}
	name := ofacField(row[1])
	if name == "" {
		return Entry{}, errors.New("the entry has no name")
	}
	switch t := ofacField(row[2]); t {
	case "individual":
		e.Kind = KindPerson
	case "vessel":
		e.Kind = KindVessel
	case "aircraft":
		e.Kind = KindAircraft
	case "":
		e.Kind = KindOrganisation
	default:
		return Entry{}, fmt.Errorf("unknown entry type %q", t)
	}
	e.Names = []Name{{Text: name, Type: "primary", Quality: QualityStrong}}
	for _, p := range strings.Split(ofacField(row[3]), "] [") {
		if p = strings.Trim(p, "[] "); p != "" {
			e.Programmes = append(e.Programmes, p)
		}
	}
	e.readRemarks()
	return e, nil
}

var (
	// a.k.a. 'NAME' in remarks is a weak alias: OFAC lists weak names
	// there, not in alt.csv.
	weakAlias   = regexp.MustCompile(`a\.k\.a\. '([^']+)'`)
	remarkDOB   = regexp.MustCompile(`DOB (?:circa )?((?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4})(?: to ((?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4}))?`)
	nationality = regexp.MustCompile(`(?:nationality|citizen) ([A-Z][A-Za-z ,'()-]+?)(?:;|\.$|$)`)
)

// readRemarks takes what the remarks say of birth dates, nationalities and
// weak aliases.
func (e *Entry) readRemarks() {
	for _, m := range weakAlias.FindAllStringSubmatch(e.Remarks, -1) {
		e.Names = append(e.Names, Name{Text: m[1], Type: "aka", Quality: QualityWeak})
	}
	for _, m := range remarkDOB.FindAllStringSubmatch(e.Remarks, -1) {
		if d, ok := ofacDate(m[1]); ok {
			if to, ok := ofacDate(m[2]); ok && m[2] != "" {
				d.ToYear = to.Year
				d.Month, d.Day = 0, 0
			}
			e.BirthDates = append(e.BirthDates, d)
		}
	}
	for _, m := range nationality.FindAllStringSubmatch(e.Remarks, -1) {
		e.Nationalities = appendUnique(e.Nationalities, countryCode(m[1]))
	}
}

// ofacDate reads "12 Mar 1965", "Mar 1965" or "1965".
func ofacDate(s string) (BirthDate, bool) {
	for _, layout := range []string{"2 Jan 2006", "Jan 2006", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			d := BirthDate{Year: t.Year()}
			if layout != "2006" {
				d.Month = int(t.Month())
			}
			if layout == "2 Jan 2006" {
				d.Day = t.Day()
			}
			return d, true
		}
	}
	return BirthDate{}, false
}
