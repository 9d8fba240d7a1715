package screening_test

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/loadtest"
	"github.com/onboardkyb/onboard/internal/screening"
)

// sharedLists is where the full publications are kept beside the project,
// when they are.
const sharedLists = "../../../shared/lists"

func fullOFAC(t testing.TB) screening.List {
	t.Helper()
	dir := filepath.Join(sharedLists, "ofac-sdn")
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("the full lists are not here (%v)", err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	l, err := screening.ParseOFAC(open("sdn.csv"), open("alt.csv"), open("add.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func fullUN(t testing.TB) screening.List {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedLists, "un", "consolidated.xml"))
	if err != nil {
		t.Skipf("the full lists are not here (%v)", err)
	}
	defer f.Close()
	l, err := screening.ParseUN(f)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestFullLists imports the real publications when they are beside the
// project and checks their counts against their README.
func TestFullLists(t *testing.T) {
	ofac := fullOFAC(t)
	kinds := map[screening.Kind]int{}
	dobs, nat := 0, 0
	for _, e := range ofac.Entries {
		kinds[e.Kind]++
		if len(e.BirthDates) > 0 {
			dobs++
		}
		if len(e.Nationalities) > 0 {
			nat++
		}
	}
	t.Logf("OFAC: %d entries %v, %d names beyond the primary, %d with a birth date, %d with a nationality", len(ofac.Entries), kinds, ofac.Aliases(), dobs, nat)
	if len(ofac.Entries) != 8976 || kinds[screening.KindPerson] != 4620 || kinds[screening.KindOrganisation] != 3673 {
		t.Errorf("OFAC entries = %d %v, want 8976 with 4620 individuals and 3673 entities", len(ofac.Entries), kinds)
	}
}

func TestFullUN(t *testing.T) {
	un := fullUN(t)
	kinds := map[screening.Kind]int{}
	for _, e := range un.Entries {
		kinds[e.Kind]++
	}
	t.Logf("UN: %d entries %v, %d aliases, published %s", len(un.Entries), kinds, un.Aliases(), un.Published)
	if kinds[screening.KindPerson] != 730 || kinds[screening.KindOrganisation] != 273 || un.Published.IsZero() {
		t.Errorf("UN entries = %v published %v, want 730 individuals and 273 entities with the publication date", kinds, un.Published)
	}
}

// BenchmarkScreen screens one customer's names (a company and two people)
// against both full lists: the work of one create.
func BenchmarkScreen(b *testing.B) {
	ix := screening.NewIndex(fullOFAC(b), fullUN(b))
	queries := []screening.Query{
		{Name: "Shenzhen Example Technology Co., Ltd.", Kind: screening.KindOrganisation},
		{Name: "Wei Zhang", Kind: screening.KindPerson},
		{Name: "Maria Fernanda Lopez Garcia", Kind: screening.KindPerson},
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for _, q := range queries {
				ix.Screen(q, screening.DefaultThreshold)
			}
		}
	})
}

// BenchmarkScreenOrdinaryNames screens the unlisted names that `onboard
// bench` creates customers with (common given and family names, companies
// of ordinary words), one query an op: what the lists cost its creates.
func BenchmarkScreenOrdinaryNames(b *testing.B) {
	ix := screening.NewIndex(fullOFAC(b), fullUN(b))
	var queries []screening.Query
	people, companies := loadtest.ScreenedNames()
	for _, name := range people {
		queries = append(queries, screening.Query{Name: name, Kind: screening.KindPerson})
	}
	for _, name := range companies {
		queries = append(queries, screening.Query{Name: name, Kind: screening.KindOrganisation})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ix.Screen(queries[i%len(queries)], screening.DefaultThreshold)
	}
}

// TestIndexMemory reports what the index of both full lists holds on the
// heap.
func TestIndexMemory(t *testing.T) {
	ofac, un := fullOFAC(t), fullUN(t)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ix := screening.NewIndex(ofac, un)
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("index of %d names: %.1f MiB of heap beyond the parsed lists", ix.Names(), float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	runtime.KeepAlive(ix)
}

// BenchmarkScreenLatency screens customers from 8 goroutines at once and
// reports the latency of one customer's screening at p50 and p99.
func BenchmarkScreenLatency(b *testing.B) {
	ix := screening.NewIndex(fullOFAC(b), fullUN(b))
	queries := []screening.Query{
		{Name: "Shenzhen Example Technology Co., Ltd.", Kind: screening.KindOrganisation},
		{Name: "Wei Zhang", Kind: screening.KindPerson},
		{Name: "Maria Fernanda Lopez Garcia", Kind: screening.KindPerson},
	}
	const workers = 8
	took := make([][]time.Duration, workers)
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range b.N/workers + 1 {
				start := time.Now()
				for _, q := range queries {
					ix.Screen(q, screening.DefaultThreshold)
				}
				took[w] = append(took[w], time.Since(start))
			}
		})
	}
	wg.Wait()
	var all []time.Duration
	for _, t := range took {
		all = append(all, t...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99_ms")
}
