package screening_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/screening"
)

// variation makes a realistic variant of a listed name, as a partner's
// customer might spell it; ok false when it does not apply to the name.
type variation struct {
	name string
	make func(r *rand.Rand, e screening.Entry) (string, bool)
}

// words splits a list name, turning "LAST, First Middle" into "First
// Middle LAST".
func words(name string) []string {
	if last, first, ok := strings.Cut(name, ", "); ok {
		name = first + " " + last
	}
	return strings.Fields(name)
}

var variations = []variation{
	{"as listed", func(_ *rand.Rand, e screening.Entry) (string, bool) { return e.Names[0].Text, true }},
	{"first name first", func(_ *rand.Rand, e screening.Entry) (string, bool) {
		return strings.Join(words(e.Names[0].Text), " "), e.Kind == screening.KindPerson
	}},
	{"one typo", func(r *rand.Rand, e screening.Entry) (string, bool) {
		w := words(e.Names[0].Text)
		i := longest(w)
		if len(w[i]) < 5 {
			return "", false
		}
		w[i] = typo(r, w[i])
		return strings.Join(w, " "), true
	}},
	{"middle name dropped", func(r *rand.Rand, e screening.Entry) (string, bool) {
		// OFAC writes "FAMILY NAMES, Given Names": drop a given name
		// after the first.
		family, given, ok := strings.Cut(e.Names[0].Text, ", ")
		g := strings.Fields(given)
		if e.Kind != screening.KindPerson || !ok || len(g) < 2 {
			return "", false
		}
		i := 1 + r.IntN(len(g)-1)
		return strings.Join(slices.Delete(g, i, i+1), " ") + " " + family, true
	}},
	{"strong alias", func(r *rand.Rand, e screening.Entry) (string, bool) {
		var aliases []string
		for _, n := range e.Names[1:] {
			if n.Quality == screening.QualityStrong && n.Type == "aka" && isLatin(n.Text) {
				aliases = append(aliases, n.Text)
			}
		}
		if len(aliases) == 0 {
			return "", false
		}
		return aliases[r.IntN(len(aliases))], true
	}},
	{"company suffix changed", func(_ *rand.Rand, e screening.Entry) (string, bool) {
		n := e.Names[0].Text
		for _, s := range [][2]string{{"LIMITED", "LTD."}, {"LTD.", "LIMITED"}, {"CO., LTD.", "COMPANY LIMITED"}, {"JSC", "JOINT STOCK COMPANY"},
			{"JOINT STOCK COMPANY", "JSC"}, {"LLC", "L.L.C."}, {"S.A.", "SA"}, {"COMPANY", "CO."}, {"INC.", "INCORPORATED"}} {
			if i := wordIndex(n, s[0]); i >= 0 {
				return n[:i] + s[1] + n[i+len(s[0]):], e.Kind == screening.KindOrganisation
			}
		}
		return "", false
	}},
	{"dotted initial", func(r *rand.Rand, e screening.Entry) (string, bool) {
		w := words(e.Names[0].Text)
		if e.Kind != screening.KindPerson || len(w) < 3 {
			return "", false
		}
		i := r.IntN(len(w) - 1)
		w[i] = w[i][:1] + "."
		return strings.Join(w, " "), true
	}},
	{"lower case, no punctuation", func(_ *rand.Rand, e screening.Entry) (string, bool) {
		return strings.ToLower(strings.NewReplacer(",", "", ".", "", "-", " ").Replace(e.Names[0].Text)), true
	}},
}

// wordIndex is the index of sub in s as whole words, or -1.
func wordIndex(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub && (i == 0 || s[i-1] == ' ') && (i+len(sub) == len(s) || strings.ContainsRune(" ,(", rune(s[i+len(sub)]))) {
			return i
		}
	}
	return -1
}

func isLatin(s string) bool {
	for _, r := range s {
		if r > 0x24f {
			return false
		}
	}
	return true
}

func longest(w []string) int {
	best := 0
	for i := range w {
		if len(w[i]) > len(w[best]) {
			best = i
		}
	}
	return best
}

// typo changes one letter of a word: replaced, dropped, doubled or two
// swapped, never the first.
func typo(r *rand.Rand, w string) string {
	b := []byte(w)
	i := 1 + r.IntN(len(b)-2)
	switch r.IntN(4) {
	case 0:
		b[i] = "AEIOUNRSTL"[r.IntN(10)]
	case 1:
		b = slices.Delete(b, i, i+1)
	case 2:
		b = slices.Insert(b, i, b[i])
	default:
		b[i], b[i+1] = b[i+1], b[i]
	}
	return string(b)
}

// unlisted builds names that are not listed but look like listed ones:
// a common given name with a listed family name, or a listed company word
// with ordinary business words.
func unlisted(r *rand.Rand, lists []screening.List, n int) []screening.Query {
	given := []string{"John", "Maria", "Wei", "Olga", "Ahmed", "Fatima", "Carlos", "Anna", "James", "Priya", "Kenji", "Amina", "David", "Elena",
		"Luis", "Sarah", "Omar", "Ingrid", "Pedro", "Yusuf", "Li", "Sofia", "Ivan", "Grace", "Tom", "Nadia", "Hugo", "Aisha", "Peter", "Mei"}
	business := []string{"Logistics", "Bakery", "Software", "Consulting", "Textiles", "Dental", "Florist", "Garden", "Travel", "Printing"}
	var surnames, companyWords []string
	for _, l := range lists {
		for _, e := range l.Entries {
			w := words(e.Names[0].Text)
			switch {
			case e.Kind == screening.KindPerson && len(w) >= 2 && isLatin(w[len(w)-1]):
				surnames = append(surnames, w[len(w)-1])
			case e.Kind == screening.KindOrganisation && len(w) >= 2 && isLatin(w[0]) && len(w[0]) > 3:
				companyWords = append(companyWords, w[0])
			}
		}
	}
	var listed [][]string
	for _, l := range lists {
		for _, e := range l.Entries {
			for _, n := range e.Names {
				listed = append(listed, screening.Tokens(n.Text, e.Kind))
			}
		}
	}
	var out []screening.Query
	for len(out) < n {
		q := screening.Query{Name: given[r.IntN(len(given))] + " " + surnames[r.IntN(len(surnames))], Kind: screening.KindPerson}
		if len(out)%2 == 1 {
			q = screening.Query{Name: companyWords[r.IntN(len(companyWords))] + " " + business[r.IntN(len(business))] + " Ltd", Kind: screening.KindOrganisation}
		}
		if !listedWithin(listed, q) {
			out = append(out, q)
		}
	}
	return out
}

// listedWithin reports whether some listed name holds every word of the
// query: then the query is not unlisted (John SMITH is in SMITH, John
// Robert).
func listedWithin(listed [][]string, q screening.Query) bool {
	want := screening.Tokens(q.Name, q.Kind)
	for _, have := range listed {
		all := true
		for _, w := range want {
			all = all && slices.Contains(have, w)
		}
		if all {
			return true
		}
	}
	return false
}

func found(hits []screening.Hit, source, id string, threshold float64) bool {
	for _, h := range hits {
		if h.Source == source && h.EntryID == id && h.Score >= threshold {
			return true
		}
	}
	return false
}

// TestMatchingQualityOnTheFullLists measures recall of listed names under
// realistic variations and false positives on unlisted look-alikes, at
// several thresholds, on the real lists when they are beside the project.
// It fails below the targets at DefaultThreshold.
func TestMatchingQualityOnTheFullLists(t *testing.T) {
	lists := []screening.List{fullOFAC(t), fullUN(t)}
	// One entry in sample is varied; ONBOARD_SCREENING_SAMPLE=1 tries them
	// all (the figures in BENCHMARKS.md), the default keeps the suite fast.
	sample, negativesCount := 20, 1000
	if v, err := strconv.Atoi(os.Getenv("ONBOARD_SCREENING_SAMPLE")); err == nil && v > 0 {
		sample, negativesCount = v, 4000
	}
	ix := screening.NewIndex(lists...)
	r := rand.New(rand.NewPCG(1, 2))
	thresholds := []float64{0.85, 0.88, 0.90, 0.92, 0.95}
	type counts struct{ tried, found []int }
	byVariation := map[string]*counts{}
	var missed []string
	for _, l := range lists {
		for _, e := range l.Entries {
			if e.Kind != screening.KindPerson && e.Kind != screening.KindOrganisation || !isLatin(e.Names[0].Text) || r.IntN(sample) != 0 {
				continue
			}
			for _, v := range variations {
				name, ok := v.make(r, e)
				if !ok {
					continue
				}
				c := byVariation[v.name]
				if c == nil {
					c = &counts{make([]int, len(thresholds)), make([]int, len(thresholds))}
					byVariation[v.name] = c
				}
				kind := screening.KindOrganisation
				if e.Kind == screening.KindPerson {
					kind = screening.KindPerson
				}
				hits := ix.Screen(screening.Query{Name: name, Kind: kind}, thresholds[0])
				for i, th := range thresholds {
					c.tried[i]++
					if found(hits, l.Source, e.ID, th) {
						c.found[i]++
					} else if th == screening.DefaultThreshold && len(missed) < 40 {
						missed = append(missed, fmt.Sprintf("%s: %q for %q", v.name, name, e.Names[0].Text))
					}
				}
			}
		}
	}
	negatives := unlisted(r, lists, negativesCount)
	falsePositives := make([]int, len(thresholds))
	var fps []string
	for _, q := range negatives {
		hits := ix.Screen(q, thresholds[0])
		for i, th := range thresholds {
			if len(hits) > 0 && hits[0].Score >= th {
				falsePositives[i]++
				if th == screening.DefaultThreshold && len(fps) < 20 {
					fps = append(fps, fmt.Sprintf("%q ~ %q %.3f", q.Name, hits[0].ListName, hits[0].Score))
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| variation | names |")
	for _, th := range thresholds {
		fmt.Fprintf(&b, " found at %.2f |", th)
	}
	b.WriteString("\n| --- | ---: |" + strings.Repeat(" ---: |", len(thresholds)) + "\n")
	names := make([]string, 0, len(byVariation))
	for _, v := range variations {
		if byVariation[v.name] != nil {
			names = append(names, v.name)
		}
	}
	allTried, allFound := make([]int, len(thresholds)), make([]int, len(thresholds))
	for _, name := range names {
		c := byVariation[name]
		fmt.Fprintf(&b, "| %s | %d |", name, c.tried[0])
		for i := range thresholds {
			fmt.Fprintf(&b, " %.1f %% |", 100*float64(c.found[i])/float64(c.tried[i]))
			allTried[i] += c.tried[i]
			allFound[i] += c.found[i]
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "| **all** | %d |", allTried[0])
	for i := range thresholds {
		fmt.Fprintf(&b, " **%.1f %%** |", 100*float64(allFound[i])/float64(allTried[i]))
	}
	fmt.Fprintf(&b, "\n| false positives on %d unlisted look-alikes | |", len(negatives))
	for i := range thresholds {
		fmt.Fprintf(&b, " %.2f %% |", 100*float64(falsePositives[i])/float64(len(negatives)))
	}
	t.Log(b.String())
	t.Logf("missed at %.2f:\n%s", screening.DefaultThreshold, strings.Join(missed, "\n"))
	t.Logf("false positives at %.2f:\n%s", screening.DefaultThreshold, strings.Join(fps, "\n"))
	at := slices.Index(thresholds, screening.DefaultThreshold)
	if recall := float64(allFound[at]) / float64(allTried[at]); recall < 0.99 {
		t.Errorf("recall at the default threshold = %.3f, want at least 0.99", recall)
	}
	if fpr := float64(falsePositives[at]) / float64(len(negatives)); fpr > 0.005 {
		t.Errorf("false positives at the default threshold = %.4f, want at most 0.005", fpr)
	}
}
