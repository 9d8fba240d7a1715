package screening

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultThreshold is the score from which a name is a hit, chosen from
// the measurements in BENCHMARKS.md on the full lists.
const DefaultThreshold = 0.92

// Index holds the names of one or more lists, ready to be matched.
type Index struct {
	scratch sync.Pool // of *scratch
	lists   []List
	names   []indexedName
	// words are the distinct words of the indexed names, each with its
	// weight: a name holds the numbers of its words, so that a query
	// compares each of its words with a listed word once, whatever the
	// number of names holding it. The words also include each name of
	// several words written together (ALQAIDA for AL QAIDA): no name
	// holds it among its words, but it retrieves the name.
	words  []string
	wordID map[string]int32
	info   []wordInfo // by word number, what scoring reads of a word
	// Retrieval goes from a query word to its neighbours, the listed
	// words that share a retrieval key with it and are similar to it
	// (wordSimilarity at least minPairSimilarity), and from those to the
	// names holding them. A word's neighbours are found once and kept
	// (see neighbourhood), since names repeat their words (Zhang,
	// Mohammed, Trading) from one customer to the next: by word number
	// for listed words, in a bounded map for the others.
	namesAt    []int32 // the names holding word w are nameIDs[namesAt[w]:namesAt[w+1]]
	nameIDs    []int32
	wordsByKey map[string][]int32 // retrieval key → words
	nearWord   []atomic.Pointer[[]neighbour]
	nearOther  sync.Map // word → []neighbour
	nearSize   atomic.Int32
	// kinds holds what each name's entry is (kindOf), apart from the
	// names, so that the candidates of another kind are set aside
	// without reading their names.
	kinds   []uint8
	entries map[entryKey][2]int32 // → list and entry
}

type entryKey struct{ source, id string }

// wordInfo is what scoring reads of a listed word, together so that it
// is one read from memory rather than four.
type wordInfo struct {
	weight float64
	mask   uint32 // letterMask
	length uint16 // in bytes, at most 65,535
	first  byte
}

type indexedName struct {
	list, entry int32
	name        int16
	weak        bool // a weak alias
	words       []int32
	joined      string // the words written together (AL QAIDA is ALQAIDA)
}

// NewIndex indexes the names of every entry of the lists. Names in other
// scripts than Latin are not indexed (see latin).
func NewIndex(lists ...List) *Index {
	ix := &Index{lists: lists, wordID: map[string]int32{}, wordsByKey: map[string][]int32{}, entries: map[entryKey][2]int32{}}
	var df []int          // how many names hold a word
	var namesOf [][]int32 // word → the names holding it
	word := func(t string) int32 {
		w, ok := ix.wordID[t]
		if !ok {
			w = int32(len(ix.words))
			ix.wordID[t] = w
			ix.words = append(ix.words, t)
			namesOf = append(namesOf, nil)
			df = append(df, 0)
		}
		return w
	}
	heldBy := func(w, name int32) {
		if p := namesOf[w]; len(p) == 0 || p[len(p)-1] != name {
			namesOf[w] = append(p, name)
		}
	}
	for li, l := range lists {
		for ei, e := range l.Entries {
			ix.entries[entryKey{l.Source, e.ID}] = [2]int32{int32(li), int32(ei)}
			for ni, n := range e.Names {
				if !latin(n.Text) {
					continue
				}
				tokens := Tokens(n.Text, e.Kind)
				if len(tokens) == 0 {
					continue
				}
				id := int32(len(ix.names))
				words := make([]int32, len(tokens))
				for j, t := range tokens {
					w := word(t)
					if !slices.Contains(words[:j], w) {
						df[w]++
					}
					words[j] = w
					heldBy(w, id)
				}
				joined := strings.Join(tokens, "")
				if len(tokens) > 1 {
					heldBy(word(joined), id)
				}
				ix.names = append(ix.names, indexedName{list: int32(li), entry: int32(ei), name: int16(ni), weak: n.Quality == QualityWeak, words: words, joined: joined})
				ix.kinds = append(ix.kinds, kindOf(e.Kind))
			}
		}
	}
	ix.info = make([]wordInfo, len(ix.words))
	// The names' words in one array, in the names' order, so that the
	// candidates of a query (often neighbours by number) share its pages.
	all := 0
	for _, n := range ix.names {
		all += len(n.words)
	}
	flat := make([]int32, 0, all)
	for i := range ix.names {
		at := len(flat)
		flat = append(flat, ix.names[i].words...)
		ix.names[i].words = flat[at:len(flat):len(flat)]
	}
	ix.nearWord = make([]atomic.Pointer[[]neighbour], len(ix.words))
	ix.namesAt = make([]int32, 0, len(ix.words)+1)
	for _, names := range namesOf {
		ix.namesAt = append(ix.namesAt, int32(len(ix.nameIDs)))
		ix.nameIDs = append(ix.nameIDs, names...)
	}
	ix.namesAt = append(ix.namesAt, int32(len(ix.nameIDs)))
	for w, n := range df {
		t := ix.words[w]
		ix.info[w] = wordInfo{weight: ix.weightOf(n), mask: letterMask(t), length: uint16(min(len(t), 1<<16-1)), first: t[0]}
		for _, k := range keys(t) {
			ix.wordsByKey[k] = append(ix.wordsByKey[k], int32(w))
		}
	}
	ix.scratch.New = func() any {
		return &scratch{byName: make([]nameShare, len(ix.names)), simRow: make([]int32, len(ix.words))}
	}
	return ix
}

// keys are the retrieval keys of a word: its first three letters, its
// last three, its first two with its last and its first with its last
// two, so that a word with one typo anywhere shares at least one key with
// the word it misspells. A word of three letters or fewer is its own key;
// one of four also has the keys of the words of three that it is with a
// letter dropped, since those are one edit from it (SONG and SON) and
// share none of its other keys.
func keys(t string) []string {
	r := []rune(t)
	if len(r) <= 3 {
		return []string{"=" + t}
	}
	n := len(r)
	out := []string{"<" + string(r[:3]), ">" + string(r[n-3:]), "^" + string(r[:2]) + string(r[n-1]), "$" + string(r[0]) + string(r[n-2:])}
	if n == 4 {
		for i := range r {
			if k := "=" + string(r[:i]) + string(r[i+1:]); !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// neighbour is a listed word similar to a query word, and how similar.
type neighbour struct {
	word int32
	sim  float64
}

// maxNeighbourhoods bounds the neighbourhoods kept of words no listed
// name holds; past it they are all dropped and found again as queries
// need them.
const maxNeighbourhoods = 1 << 16

// neighbourhood returns the listed words similar to w, but for initials:
// a single letter is similar to every word it begins, which says too
// little to retrieve a name by, so an initial retrieves only itself (and
// similarity still pairs it with the words it begins). id is w's number,
// or -1 when no listed name holds it.
func (ix *Index) neighbourhood(w string, id int32) []neighbour {
	listed := id >= 0
	if listed {
		if p := ix.nearWord[id].Load(); p != nil {
			return *p
		}
	} else if v, ok := ix.nearOther.Load(w); ok {
		return v.([]neighbour)
	}
	var out []neighbour
	mask := letterMask(w)
	for _, k := range keys(w) {
		for _, c := range ix.wordsByKey[k] {
			if len(w) == 1 && ix.words[c] != w || slices.ContainsFunc(out, func(n neighbour) bool { return n.word == c }) {
				continue
			}
			if s := wordSimilarity(w, ix.words[c], mask, ix.info[c].mask); s >= minPairSimilarity {
				out = append(out, neighbour{c, s})
			}
		}
	}
	switch {
	case listed:
		ix.nearWord[id].Store(&out)
	case ix.nearSize.Add(1) > maxNeighbourhoods:
		ix.nearOther.Clear()
		ix.nearSize.Store(0)
	default:
		ix.nearOther.Store(w, out)
	}
	return out
}

// weightOf is how much a word held by df names says of who a name is:
// rare words (a family name) count more than common ones (Mohammed,
// Trading).
func (ix *Index) weightOf(df int) float64 {
	return math.Log(1 + float64(len(ix.names)+1)/float64(df+1))
}

// Names counts the names indexed.
func (ix *Index) Names() int { return len(ix.names) }

// Query is one name to screen, with what else is known of its holder.
type Query struct {
	// Field names where the name comes from, such as
	// business_person_list[0].basic_info; it is copied to the hits.
	Field string
	Name  string
	Kind  Kind // KindPerson or KindOrganisation
	// BirthDate and Countries (nationality, residence, ID issuer, or the
	// countries of a company) are secondary evidence: they raise or lower
	// a name's score, never make a hit alone.
	BirthDate time.Time
	Countries []string
}

// The kinds of secondary evidence.
const (
	EvidenceBirthDate = "birth_date"
	EvidenceCountry   = "country"
)

// Evidence is one piece of secondary evidence of a hit.
type Evidence struct {
	// Kind is birth_date or country; Match whether it agreed.
	Kind  string  `json:"kind"`
	Match bool    `json:"match"`
	Value string  `json:"value"` // what the list says
	Delta float64 `json:"delta"` // what it did to the score
}

// Hit is a listed entry that a query's name resembles, and why.
type Hit struct {
	Source  string `json:"list"`
	EntryID string `json:"entry_id"`
	Kind    Kind   `json:"entry_kind"`
	// ListName is the entry's name or alias that matched, with its type
	// and quality.
	ListName    string     `json:"list_name"`
	NameType    string     `json:"name_type"`
	NameQuality string     `json:"name_quality"`
	Field       string     `json:"field"`
	Value       string     `json:"value"`
	NameScore   float64    `json:"name_score"`
	Score       float64    `json:"score"`
	Evidence    []Evidence `json:"evidence,omitempty"`
	Programmes  []string   `json:"programmes,omitempty"`
}

// Entry returns the list entry of a hit.
func (ix *Index) Entry(h Hit) (Entry, bool) {
	at, ok := ix.entries[entryKey{h.Source, h.EntryID}]
	if !ok {
		return Entry{}, false
	}
	return ix.lists[at[0]].Entries[at[1]], true
}

// minPairSimilarity is the similarity below which two words do not match.
const minPairSimilarity = 0.8

// Screen returns the entries whose names score at least threshold against
// the query, before or after the secondary evidence, best first (by the
// score after it), one hit (the best name) per entry.
func (ix *Index) Screen(q Query, threshold float64) []Hit {
	if !latin(q.Name) {
		return nil
	}
	tokens := Tokens(q.Name, q.Kind)
	if len(tokens) == 0 {
		return nil
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	m := match{ix: ix, sc: sc, tokens: tokens, ids: make([]int32, len(tokens)), weights: make([]float64, len(tokens)), masks: make([]uint32, len(tokens)), joined: strings.Join(tokens, "")}
	defer m.reset()
	for i, t := range tokens {
		m.masks[i] = letterMask(t)
		m.ids[i], m.weights[i] = -1, ix.weightOf(0)
		if id, ok := ix.wordID[t]; ok {
			m.ids[i], m.weights[i] = id, ix.info[id].weight
		}
	}
	var best map[[2]int32]Hit
	for _, id := range m.candidates(queryKind(q.Kind)) {
		n := &ix.names[id]
		// A weak alias is broad: only a near-exact match counts.
		floor := threshold - 0.15
		if n.weak {
			floor = max(floor, 0.97)
		}
		if m.bound(n) < floor && !m.joinedMatch(n) {
			continue // it cannot score enough: its words are not compared
		}
		nameScore := m.similarity(n)
		if nameScore < floor {
			continue
		}
		e := &ix.lists[n.list].Entries[n.entry]
		name := e.Names[n.name]
		score, evidence := adjust(nameScore, q, e)
		// Evidence raises a close name over the threshold, but never
		// takes a name at or over it below: the same name with another
		// birth date is for a person to judge, not to pass.
		if score < threshold && nameScore < threshold {
			continue
		}
		key := [2]int32{n.list, n.entry}
		if prev, ok := best[key]; ok && prev.Score >= score {
			continue
		}
		if best == nil {
			best = map[[2]int32]Hit{}
		}
		best[key] = Hit{
			Source: ix.lists[n.list].Source, EntryID: e.ID, Kind: e.Kind,
			ListName: name.Text, NameType: name.Type, NameQuality: name.Quality,
			Field: q.Field, Value: q.Name, NameScore: round(nameScore), Score: round(score), Evidence: evidence, Programmes: e.Programmes,
		}
	}
	hits := make([]Hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Source, b.Source), cmp.Compare(a.EntryID, b.EntryID))
	})
	return hits
}

// The kinds of entries names are matched against: a person's name against
// individuals, any other against organisations; vessels and aircraft are
// not matched.
const (
	kindOther uint8 = iota
	kindIndividual
	kindEntity
)

func kindOf(k Kind) uint8 {
	switch k {
	case KindPerson:
		return kindIndividual
	case KindOrganisation:
		return kindEntity
	}
	return kindOther
}

func queryKind(k Kind) uint8 {
	if k == KindPerson {
		return kindIndividual
	}
	return kindEntity
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }

// candidates returns the names of entries of kind that hold words
// similar to enough of the query: a name can only score high if the words
// it pairs with carry most of the query's weight, so names pairing with
// less are not scored at all. A name written with or without spaces where
// the query is not (ALQAIDA, AL QAIDA) is a candidate too.
func (m *match) candidates(kind uint8) []int32 {
	ix, sc := m.ix, m.sc
	var total float64
	for _, w := range m.weights {
		total += w
	}
	touched := sc.touched[:0]
	share := func(w int32, stamp int32, weight float64) {
		for _, id := range ix.nameIDs[ix.namesAt[w]:ix.namesAt[w+1]] {
			ns := &sc.byName[id]
			if ns.seenBy == stamp || ix.kinds[id] != kind {
				continue // this query word counted for the name already, or it is of another kind
			}
			if ns.seenBy == 0 {
				touched = append(touched, id)
			}
			ns.seenBy = stamp
			ns.shared += weight
		}
	}
	for i, t := range m.tokens {
		for _, nb := range ix.neighbourhood(t, m.ids[i]) {
			share(nb.word, int32(i+1), m.weights[i])
		}
	}
	if len(m.tokens) > 1 {
		// The query written together, compared as similarity compares
		// it: equal, or one edit apart in eight letters or more.
		stamp := int32(len(m.tokens) + 1)
		id, listed := ix.wordID[m.joined]
		switch {
		case len(m.joined) >= 8:
			if !listed {
				id = -1
			}
			for _, nb := range ix.neighbourhood(m.joined, id) {
				if nb.sim >= 0.95 { // equal or one edit
					share(nb.word, stamp, total)
				}
			}
		case listed:
			share(id, stamp, total)
		}
	}
	out := sc.candidates[:0]
	for _, id := range touched {
		if sc.byName[id].shared >= minSharedWeight*total {
			out = append(out, id)
		}
		sc.byName[id] = nameShare{}
	}
	sc.touched, sc.candidates = touched, out
	return out
}

// scratch is the per-query working memory, kept in a pool: arrays over
// every name and every word, cleared where they were touched.
type scratch struct {
	byName     []nameShare
	touched    []int32
	candidates []int32
	// simRow[w] is 1 + the row of sims holding the similarity of each
	// query word to word w, once computed.
	simRow    []int32
	sims      []float64
	simsOf    []int32
	pairs     []pair
	usedQuery []bool
	usedList  []bool
}

// nameShare is what a query has found of a name so far: the weight of
// its words with neighbours in the name, and the last of them (1 + its
// number) that counted.
type nameShare struct {
	shared float64
	seenBy int32
}

// minSharedWeight is the share of the query's weight whose words must
// have neighbours in a name for it to be scored.
const minSharedWeight = 0.5

// extraWordCost is what a word of the listed name that the query lacks
// costs, relative to its weight: a dropped middle name costs a little, a
// different family name a lot (its weight is high).
const extraWordCost = 0.12

// match is one query being scored against its candidates.
type match struct {
	ix      *Index
	sc      *scratch
	tokens  []string
	ids     []int32 // each token's word number, -1 when no listed name holds it
	weights []float64
	masks   []uint32
	joined  string
}

// row returns the similarity of each query word to listed word w.
func (m *match) row(w int32) []float64 {
	n := len(m.tokens)
	if r := m.sc.simRow[w]; r > 0 {
		return m.sc.sims[int(r-1)*n : int(r)*n]
	}
	start := len(m.sc.sims)
	for i, t := range m.tokens {
		s := 1.0
		if m.ids[i] != w {
			s = wordSimilarity(t, m.ix.words[w], m.masks[i], m.ix.info[w].mask)
		}
		m.sc.sims = append(m.sc.sims, s)
	}
	m.sc.simRow[w] = int32(start/n + 1)
	m.sc.simsOf = append(m.sc.simsOf, w)
	return m.sc.sims[start:]
}

// reset clears what the query left in its scratch.
func (m *match) reset() {
	for _, w := range m.sc.simsOf {
		m.sc.simRow[w] = 0
	}
	m.sc.simsOf, m.sc.sims = m.sc.simsOf[:0], m.sc.sims[:0]
}

type pair struct {
	i, j int
	s    float64
}

// similarity scores the query against a listed name word by word,
// whatever their order: the words are paired greedily by their
// similarity, and the score is the weighted share of the pairs'
// similarity, where words left unpaired count against it (the listed
// name's extra words less than the query's). Names written with and
// without spaces (AL QAIDA, ALQAIDA) are also compared whole.
func (m *match) similarity(n *indexedName) float64 {
	pairs := m.sc.pairs[:0]
	for i := range m.tokens {
		for j, w := range n.words {
			if s := m.row(w)[i]; s >= minPairSimilarity {
				pairs = append(pairs, pair{i, j, s})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Compare(b.s, a.s) })
	m.sc.pairs = pairs
	usedQ := resize(&m.sc.usedQuery, len(m.tokens))
	usedC := resize(&m.sc.usedList, len(n.words))
	var matched, total float64
	for _, p := range pairs {
		if usedQ[p.i] || usedC[p.j] {
			continue
		}
		usedQ[p.i], usedC[p.j] = true, true
		w := (m.weights[p.i] + m.ix.info[n.words[p.j]].weight) / 2
		matched += w * p.s
		total += w
	}
	for i, used := range usedQ {
		if !used {
			total += m.weights[i]
		}
	}
	for j, used := range usedC {
		if !used {
			total += extraWordCost * m.ix.info[n.words[j]].weight
		}
	}
	score := 0.0
	if total > 0 {
		score = matched / total
	}
	if score < 0.96 && m.joinedMatch(n) {
		score = 0.96
	}
	return score
}

// joinedMatch tells whether the query and n are one name written with
// spaces and without (AL QAIDA, ALQAIDA), or with one edit more in eight
// letters or more.
func (m *match) joinedMatch(n *indexedName) bool {
	if len(m.tokens) == len(n.words) {
		return false
	}
	a, b := m.joined, n.joined
	return a == b || len(a) >= 8 && editDistance(a, b, 1) <= 1
}

// bound is at least what similarity scores n, found without computing
// an edit distance: as if every word that could pair (couldPair) paired
// exactly, and only the words that cannot were left unpaired.
func (m *match) bound(n *indexedName) float64 {
	can := resize(&m.sc.usedQuery, len(m.tokens))
	var paired, unpaired float64
	for _, w := range n.words {
		info := &m.ix.info[w]
		pairs := false
		for i := range m.tokens {
			if m.couldPair(i, w, info) {
				can[i], pairs = true, true
			}
		}
		if pairs {
			paired += info.weight / 2
		} else {
			unpaired += extraWordCost * info.weight
		}
	}
	for i, c := range can {
		if c {
			paired += m.weights[i] / 2
		} else {
			unpaired += m.weights[i]
		}
	}
	if paired == 0 {
		return 0
	}
	return paired / (paired + unpaired)
}

// couldPair tells whether query word i and listed word w may be similar
// enough to pair: their similarity when it is computed already, else
// wordSimilarity's tests that need no edit distance.
func (m *match) couldPair(i int, w int32, info *wordInfo) bool {
	if r := m.sc.simRow[w]; r > 0 {
		return m.sc.sims[int(r-1)*len(m.tokens)+i] >= minPairSimilarity
	}
	a, lb := m.tokens[i], int(info.length)
	if m.ids[i] == w || len(a) == 1 || lb == 1 {
		return m.ids[i] == w || a[0] == info.first
	}
	long := max(len(a), lb)
	if long < 4 {
		return false
	}
	limit := 2
	if long < 6 {
		limit = 1
	}
	d := len(a) - lb
	return d <= 2*limit && -d <= 2*limit && bits.OnesCount32(m.masks[i]^info.mask) <= 2*limit
}

// resize returns (*buf)[:n], all false, growing it when it must.
func resize(buf *[]bool, n int) []bool {
	if cap(*buf) < n {
		*buf = make([]bool, n)
	}
	b := (*buf)[:n]
	clear(b)
	return b
}

// wordSimilarity compares two words by their edit distance (letters
// replaced, dropped, added or two swapped): equal is 1, one edit in a word
// of four letters or more 0.95, two edits in a long word less; anything
// further apart does not match (0). An initial (J) matches a word it
// begins (JOHN) at 0.9. ma and mb are the words' letterMasks, which rule
// out most pairs before their distance is computed.
func wordSimilarity(a, b string, ma, mb uint32) float64 {
	if a == b {
		return 1
	}
	if len(a) == 1 || len(b) == 1 {
		if a[0] == b[0] {
			return 0.9
		}
		return 0
	}
	long := max(len(a), len(b))
	limit := 2
	switch {
	case long < 4:
		return 0 // short words match only when equal
	case long < 6:
		limit = 1
	}
	// An edit changes at most two letters of a word's set of letters.
	if bits.OnesCount32(ma^mb) > 2*limit {
		return 0
	}
	switch d := editDistance(a, b, limit); {
	case d == 1:
		return 0.95
	case d > limit:
		return 0
	case long >= 8:
		return 0.88 // two edits
	}
	return 0.84
}

// letterMask is the set of a word's letters, one bit each (a to z, digits
// and other letters sharing the last bits).
func letterMask(w string) uint32 {
	var m uint32
	for _, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
			m |= 1 << (r - 'a')
		case r >= '0' && r <= '9':
			m |= 1 << (26 + (r-'0')%3)
		default:
			m |= 1 << (29 + r%3)
		}
	}
	return m
}

// editDistance is the optimal string alignment distance of two words
// (Damerau-Levenshtein without moving a letter twice), or limit+1 once it
// is certain to exceed limit. Folded words are nearly always ASCII, so it
// compares bytes, and runes only when it must.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > 2*limit || -d > 2*limit {
		return limit + 1 // even in runes, too far apart in length
	}
	if ascii(a) && ascii(b) && len(b) < 48 {
		return distance([]byte(a), []byte(b), limit)
	}
	return distance([]rune(a), []rune(b), limit)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func distance[T byte | rune](a, b []T, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	var rows [3][48]int
	var prev2, prev, cur []int
	if len(b) < 48 {
		prev2, prev, cur = rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	} else {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

// Secondary evidence: what a birth date or a country that agrees or
// disagrees does to a name's score.
const (
	birthDateMatch    = 0.04
	birthDateMismatch = -0.12
	countryMatch      = 0.02
	countryMismatch   = -0.04
)

// adjust applies the secondary evidence of a query to a name score.
func adjust(score float64, q Query, e *Entry) (float64, []Evidence) {
	var ev []Evidence
	if !q.BirthDate.IsZero() && len(e.BirthDates) > 0 {
		match := false
		var listed []string
		for _, d := range e.BirthDates {
			match = match || d.Covers(q.BirthDate)
			listed = append(listed, d.String())
		}
		delta := birthDateMismatch
		if match {
			delta = birthDateMatch
		}
		score += delta
		ev = append(ev, Evidence{Kind: EvidenceBirthDate, Match: match, Value: strings.Join(listed, ", "), Delta: delta})
	}
	listed := append(slices.Clone(e.Nationalities), e.Countries...)
	if len(q.Countries) > 0 && len(listed) > 0 {
		match := false
		for _, c := range q.Countries {
			match = match || slices.Contains(listed, c)
		}
		delta := countryMismatch
		if match {
			delta = countryMatch
		}
		score += delta
		ev = append(ev, Evidence{Kind: EvidenceCountry, Match: match, Value: strings.Join(listed, ", "), Delta: delta})
	}
	return min(score, 1), ev
}

// String renders a birth date as the list gives it: 1965-03-12, 1965-03,
// 1965 or 1960-1962.
func (b BirthDate) String() string {
	switch {
	case b.ToYear > 0:
		return itoa4(b.Year) + "-" + itoa4(b.ToYear)
	case b.Month == 0:
		return itoa4(b.Year)
	case b.Day == 0:
		return itoa4(b.Year) + "-" + itoa2(b.Month)
	}
	return itoa4(b.Year) + "-" + itoa2(b.Month) + "-" + itoa2(b.Day)
}

func itoa4(n int) string {
	return string([]byte{byte('0' + n/1000%10), byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)})
}
func itoa2(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }
