package loadtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// place is a country with what a plausible business there looks like.
type place struct {
	country, currency string
	cities            []string
	state, postcode   string
	streets           []string
	// phones are valid numbers of the country, made from the phone
	// library's example number.
	phones []string
}

var places = func() []place {
	ps := []place{
		{country: "CN", currency: "CNY", cities: []string{"Shenzhen", "Shanghai", "Hangzhou"}, state: "Guangdong", postcode: "518057", streets: []string{"Keyuan Road", "Shennan Avenue", "Nanjing Road"}},
		{country: "US", currency: "USD", cities: []string{"Austin", "Denver", "Seattle"}, state: "Texas", postcode: "78701", streets: []string{"Congress Avenue", "Main Street", "Pine Street"}},
		{country: "GB", currency: "GBP", cities: []string{"London", "Leeds", "Bristol"}, postcode: "EC1A 1BB", streets: []string{"High Street", "Station Road", "Church Lane"}},
		{country: "DE", currency: "EUR", cities: []string{"Berlin", "München", "Köln"}, postcode: "10115", streets: []string{"Hauptstraße", "Bahnhofstraße", "Gartenweg"}},
		{country: "FR", currency: "EUR", cities: []string{"Paris", "Lyon", "Nantes"}, postcode: "75002", streets: []string{"Rue de la Paix", "Avenue Foch", "Rue Victor Hugo"}},
		{country: "SG", currency: "SGD", cities: []string{"Singapore"}, postcode: "018956", streets: []string{"Marina Boulevard", "Orchard Road", "Robinson Road"}},
		{country: "JP", currency: "JPY", cities: []string{"Tokyo", "Osaka", "Fukuoka"}, state: "Tokyo", postcode: "100-0005", streets: []string{"Marunouchi", "Umeda", "Tenjin"}},
		{country: "BR", currency: "BRL", cities: []string{"São Paulo", "Curitiba", "Recife"}, state: "SP", postcode: "01310-100", streets: []string{"Avenida Paulista", "Rua Augusta", "Rua XV de Novembro"}},
		{country: "IN", currency: "INR", cities: []string{"Bengaluru", "Mumbai", "Pune"}, state: "Karnataka", postcode: "560001", streets: []string{"MG Road", "Residency Road", "Linking Road"}},
		{country: "AU", currency: "AUD", cities: []string{"Sydney", "Melbourne", "Perth"}, state: "NSW", postcode: "2000", streets: []string{"George Street", "Collins Street", "Hay Street"}},
	}
	for i := range ps {
		ps[i].phones = phoneVariants(ps[i].country)
	}
	return ps
}()

// phoneVariants returns valid E.164 numbers of a country: its example
// number with other last digits, keeping only those the library accepts.
func phoneVariants(country string) []string {
	example := phonenumbers.Format(phonenumbers.GetExampleNumber(country), phonenumbers.E164)
	out := []string{example}
	for i := range 100 {
		v := example[:len(example)-2] + fmt.Sprintf("%02d", i)
		if n, err := phonenumbers.Parse(v, ""); err == nil && phonenumbers.IsValidNumber(n) && v != example {
			out = append(out, v)
		}
	}
	return out
}

var (
	firstNames = []string{"Wei", "Anna", "James", "Priya", "Lucas", "Sofia", "Kenji", "Amara", "Mateo", "Chloé", "Omar", "Ingrid", "Jürgen", "Mei", "Rafael"}
	lastNames  = []string{"Zhang", "Schmidt", "Smith", "Patel", "Silva", "Rossi", "Tanaka", "Okafor", "García", "Dubois", "Haddad", "Larsen", "Müller", "Chen", "Costa"}
	nameWords  = []string{"Northwind", "Bluebird", "Summit", "Harbor", "Evergreen", "Quantum", "Atlas", "Lumen", "Cedar", "Orbit", "Meridian", "Pioneer", "Silverline", "Redwood", "Beacon"}
	trades     = []string{"Trading", "Technology", "Logistics", "Electronics", "Textiles", "Foods", "Software", "Imports", "Outfitters", "Robotics"}
	suffixes   = []string{"Co., Ltd.", "Ltd", "GmbH", "SAS", "Pte. Ltd.", "K.K.", "LLC", "Pty Ltd", "Ltda.", "Pvt. Ltd."}
	goods      = []string{"Consumer electronics sold online", "Apparel and accessories for retail partners", "Packaged foods exported to Europe",
		"Software subscriptions for small businesses", "Industrial spare parts", "Home furniture sold through marketplaces"}
	categories = []string{"5732", "5651", "5411", "5734", "5085", "5712"}
)

// ScreenedNames are the names Profiles gives people (every given name with
// every family name) and companies (every name word with every trade, the
// legal forms in turn), for measuring what screening them costs.
func ScreenedNames() (people, companies []string) {
	for _, first := range firstNames {
		for _, last := range lastNames {
			people = append(people, first+" "+last)
		}
	}
	for _, word := range nameWords {
		for i, trade := range trades {
			companies = append(companies, word+" "+trade+" "+suffixes[i%len(suffixes)])
		}
	}
	return people, companies
}

// Profiles makes realistic, valid and unique customer profiles: names,
// addresses, phones and amounts vary, and every partner_customer_id is
// new. A Profiles is not safe for concurrent use; give each worker its own.
type Profiles struct {
	rng    *rand.Rand
	prefix string
	n      int
}

// NewProfiles returns a generator whose partner_customer_ids start with
// prefix (the run's and the worker's mark) and continue with a counter.
func NewProfiles(prefix string, seed uint64) *Profiles {
	return &Profiles{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), prefix: prefix}
}

func (g *Profiles) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// date returns a time between from and to years before now, at midnight UTC.
func (g *Profiles) date(now time.Time, fromYears, toYears int) string {
	days := fromYears*365 + g.rng.IntN((toYears-fromYears)*365+1)
	return kyb.FormatTime(now.AddDate(0, 0, -days).Truncate(24 * time.Hour))
}

// Next returns the next profile, as valid as a partner would send it,
// with one or two representatives.
func (g *Profiles) Next(now time.Time) api.Profile {
	g.n++
	home := places[g.rng.IntN(len(places))]
	trade := g.pick(trades)
	name := g.pick(nameWords) + " " + trade + " " + g.pick(suffixes)
	domain := strings.ToLower(strings.Fields(name)[0]) + strconv.Itoa(g.rng.IntN(10000)) + ".example.com"
	started := g.date(now, 1, 20)
	p := api.Profile{
		// At least nine digits, more when the prefix is too short for
		// the contract's minimum length.
		PartnerCustomerID: fmt.Sprintf("%s-%0*d", g.prefix, max(9, kyb.MinPartnerCustomerID-len(g.prefix)-1), g.n),
		BusinessDetails: &api.BusinessDetails{
			BusinessNameEnglish:           name,
			Website:                       "https://www." + domain,
			BusinessIdentifierNumber:      fmt.Sprintf("%s%010d", home.country, g.rng.Int64N(1e10)),
			BusinessIdentifierCountryCode: home.country,
			BusinessName:                  name,
			BusinessIdentifierStartDate:   started,
			BusinessIdentifierExpiryDate:  kyb.FormatTime(mustParse(started).AddDate(20, 0, 0)),
		},
		RegistrationAddress: &api.RegistrationAddress{
			Line1:       strconv.Itoa(1+g.rng.IntN(300)) + " " + g.pick(home.streets),
			City:        g.pick(home.cities),
			State:       home.state,
			Postcode:    home.postcode,
			CountryCode: home.country,
		},
		AccountUsage: &api.AccountUsage{
			OperatingCountry:                places[g.rng.IntN(len(places))].country,
			GoodsServiceDescription:         g.pick(goods),
			IndustryCategoryCode:            g.pick(categories),
			EstimatedMonthlyRevenueCurrency: home.currency,
			EstimatedMonthlyRevenueAmount:   json.Number(strconv.Itoa(1000+g.rng.IntN(5_000_000)) + "." + fmt.Sprintf("%02d", g.rng.IntN(100))),
		},
		PrimaryContact: &api.PrimaryContact{
			Phone: g.pick(home.phones),
			Email: "finance@" + domain,
		},
	}
	for range 1 + g.rng.IntN(2) {
		first, last := g.pick(firstNames), g.pick(lastNames)
		issued := g.date(now, 0, 9)
		p.BusinessPersonList = append(p.BusinessPersonList, api.BusinessPerson{
			BasicInfo: &api.BasicInfo{FirstNameEnglish: first, LastNameEnglish: last, FirstName: first, LastName: last,
				BirthDate: g.date(now, 25, 70), Nationality: home.country},
			ResidentialAddress: &api.ResidentialAddress{
				Line1: strconv.Itoa(1+g.rng.IntN(300)) + " " + g.pick(home.streets), City: g.pick(home.cities),
				Postcode: home.postcode, CountryCode: home.country, State: home.state,
			},
			Identification: &api.Identification{
				IDNumber: fmt.Sprintf("P%08d", g.rng.IntN(1e8)), IssuingCountryCode: home.country,
				IssueDate: issued, ExpirationDate: kyb.FormatTime(mustParse(issued).AddDate(10, 0, 0)),
			},
		})
	}
	return p
}

func mustParse(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic("loadtest: " + err.Error())
	}
	return t
}
