package screening

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldedLetters are letters that do not decompose into a base letter and
// a mark.
var foldedLetters = map[rune]string{
	'ß': "ss", 'ø': "o", 'æ': "ae", 'œ': "oe", 'đ': "d", 'ð': "d", 'ł': "l", 'ı': "i", 'þ': "th", 'ħ': "h",
}

// fold lowercases a name, strips its diacritics and turns everything that
// is not a letter or a digit into a space; apostrophes join (O'Brien is
// obrien).
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	if !ascii(s) {
		s = norm.NFKD.String(s) // ASCII is its own decomposition
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
			if f, ok := foldedLetters[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// companyForms are the legal forms and filler words of organisation names,
// which say nothing of who the organisation is: "ACME LTD", "ACME
// LIMITED" and "THE ACME COMPANY" are one name. Longer forms come first.
var companyForms = [][]string{
	{"limited", "liability", "company"}, {"joint", "stock", "company"}, {"public", "joint", "stock", "company"},
	{"closed", "joint", "stock", "company"}, {"open", "joint", "stock", "company"}, {"joint", "stock", "co"}, {"sociedad", "anonima"},
	{"s", "p", "r", "de", "r", "l", "de", "c", "v"}, {"s", "de", "r", "l", "de", "c", "v"}, {"s", "de", "r", "l"}, {"de", "r", "l"},
	{"s", "a", "de", "c", "v"}, {"sa", "de", "cv"}, {"de", "c", "v"}, {"sdn", "bhd"}, {"s", "a", "c"}, {"s", "a", "s"}, {"s", "c", "s"},
	{"l", "l", "c"}, {"s", "a"}, {"s", "l"}, {"s", "r", "l"},
	{"pte", "ltd"}, {"pty", "ltd"}, {"co", "ltd"},
	{"limited"}, {"ltd"}, {"llc"}, {"inc"}, {"incorporated"}, {"corp"}, {"corporation"}, {"company"}, {"co"}, {"plc"},
	{"gmbh"}, {"ag"}, {"sa"}, {"sas"}, {"sarl"}, {"srl"}, {"spa"}, {"bv"}, {"nv"}, {"jsc"}, {"ojsc"}, {"pjsc"}, {"cjsc"},
	{"ooo"}, {"oao"}, {"zao"}, {"pao"}, {"llp"}, {"lp"}, {"kg"}, {"fze"}, {"fzco"}, {"fzc"}, {"fzllc"}, {"bhd"}, {"ltda"}, {"limitada"}, {"sac"}, {"scs"}, {"eirl"},
	{"pte"}, {"pty"}, {"the"},
}

// honorifics are titles before a person's name.
var honorifics = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "prof": true, "sir": true, "madam": true}

// Tokens returns the words of a name as matching compares them: folded,
// and without legal forms (organisations) or titles (people). Word order
// is kept but does not matter to the score, so "LAST, First" and "First
// Last" compare equal.
func Tokens(name string, kind Kind) []string {
	words := strings.Fields(fold(name))
	if kind == KindPerson {
		out := words[:0]
		for _, w := range words {
			if !honorifics[w] {
				out = append(out, w)
			}
		}
		return out
	}
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); {
		if n := companyForm(words[i:]); n > 0 && len(out)+len(words)-i-n > 0 {
			i += n
			continue
		}
		out = append(out, words[i])
		i++
	}
	return joinInitials(out)
}

// joinInitials writes an organisation's run of single letters as one word:
// T.E.G. LIMITED and TEG LIMITED are one name.
func joinInitials(words []string) []string {
	out := words[:0]
	run := ""
	for _, w := range words {
		if len(w) == 1 {
			run += w
			continue
		}
		if run != "" {
			out = append(out, run)
			run = ""
		}
		out = append(out, w)
	}
	if run != "" {
		out = append(out, run)
	}
	return out
}

// companyForm returns how many of the first words are a legal form; a
// long form word with a typo (LIMTED) still is.
func companyForm(words []string) int {
	// The first form that fits, in the order of companyForms: of those
	// beginning with this word, and of those beginning with a word long
	// enough to be misspelt.
	first := -1
	for _, i := range formsByFirstWord[words[0]] {
		if fits(i, words) {
			first = i
			break
		}
	}
	for _, i := range misspeltForms {
		if first >= 0 && i > first {
			break
		}
		if fits(i, words) {
			first = i
			break
		}
	}
	if first < 0 {
		return 0
	}
	return len(companyForms[first])
}

func fits(form int, words []string) bool {
	f := companyForms[form]
	return len(f) <= len(words) && formWords(f, words[:len(f)])
}

// formsByFirstWord numbers the company forms by their first word, when
// it is too short to be misspelt (formWords); misspeltForms are the
// others. Both keep the order of companyForms.
var formsByFirstWord, misspeltForms = func() (map[string][]int, []int) {
	by := map[string][]int{}
	var misspelt []int
	for i, f := range companyForms {
		if len(f[0]) < 7 {
			by[f[0]] = append(by[f[0]], i)
		} else {
			misspelt = append(misspelt, i)
		}
	}
	return by, misspelt
}()

func formWords(form, words []string) bool {
	for i := range form {
		if form[i] != words[i] && (len(form[i]) < 7 || editDistance(form[i], words[i], 1) > 1) {
			return false
		}
	}
	return true
}

// latin reports whether a name is written in Latin letters (or digits):
// names only in another script are not screened, as the lists' Latin
// transliterations would not match them letter by letter.
func latin(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.In(r, unicode.Latin) {
			return false
		}
	}
	return true
}
