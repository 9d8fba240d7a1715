package kyb

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/screening"
)

// BenchmarkScreenCustomer screens a customer with a company (its name and
// its English name) and five people, with birth dates and countries,
// against the full lists, as a create and each re-screening do. It runs
// when the full lists are beside the project (../shared/lists).
func BenchmarkScreenCustomer(b *testing.B) {
	dir := "../../../shared/lists"
	open := func(parts ...string) *os.File {
		f, err := os.Open(filepath.Join(append([]string{dir}, parts...)...))
		if err != nil {
			b.Skipf("the full lists are not here (%v)", err)
		}
		b.Cleanup(func() { f.Close() })
		return f
	}
	ofac, err := screening.ParseOFAC(open("ofac-sdn", "sdn.csv"), open("ofac-sdn", "alt.csv"), open("ofac-sdn", "add.csv"))
	if err != nil {
		b.Fatal(err)
	}
	un, err := screening.ParseUN(open("un", "consolidated.xml"))
	if err != nil {
		b.Fatal(err)
	}
	ix := screening.NewIndex(ofac, un)
	p := api.Profile{BusinessDetails: &api.BusinessDetails{BusinessName: "深圳市示例科技有限公司", BusinessNameEnglish: "Shenzhen Example Technology Co., Ltd.",
		BusinessIdentifierCountryCode: "CN"}, RegistrationAddress: &api.RegistrationAddress{CountryCode: "CN"}}
	for _, n := range [][2]string{{"Wei", "Zhang"}, {"Maria Fernanda", "Lopez Garcia"}, {"Ahmed", "Hassan"}, {"John", "Smith"}, {"Olga", "Ivanova"}} {
		p.BusinessPersonList = append(p.BusinessPersonList, api.BusinessPerson{
			BasicInfo:      &api.BasicInfo{FirstNameEnglish: n[0], LastNameEnglish: n[1], BirthDate: "1980-01-01T00:00:00Z", Nationality: "CN"},
			Identification: &api.Identification{IssuingCountryCode: "CN"},
		})
	}
	at := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			screenAgainst(ix, screening.DefaultThreshold, []string{"lst_1", "lst_2"}, p, at)
		}
	})
}

// TestProfileQueriesScreenANameOnce: an English name that repeats the
// registered one is screened once; a different one is screened too.
func TestProfileQueriesScreenANameOnce(t *testing.T) {
	for _, tc := range []struct {
		name, english string
		want          int
	}{{"Example Trading Ltd", "EXAMPLE TRADING LTD ", 1}, {"Example Trading Ltd", "Example Trading Limited", 2}, {"示例科技有限公司", "Example Technology Co., Ltd.", 2}, {"Example Ltd", "", 1}} {
		p := api.Profile{BusinessDetails: &api.BusinessDetails{BusinessName: tc.name, BusinessNameEnglish: tc.english}}
		if got := len(profileQueries(p)); got != tc.want {
			t.Errorf("profileQueries(%q, %q) = %d queries, want %d", tc.name, tc.english, got, tc.want)
		}
	}
}
