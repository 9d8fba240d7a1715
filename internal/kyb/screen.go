package kyb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/screening"
)

// Screening is what screening a customer's names against the lists in
// force found. Only operators see it: a partner is never told of a hit
// (tipping-off rules), and stores keep it sealed with the profile, as its
// hits quote the customer's names.
type Screening struct {
	ScreenedAt time.Time
	// Snapshots are the list snapshots matched against, one per list.
	Snapshots []string
	Hits      []screening.Hit
}

// screenProfile screens a profile's company and people against the lists
// in force; nil when no list was ever imported.
func (s *Service) screenProfile(ctx context.Context, p api.Profile, now time.Time) (*Screening, error) {
	ix, inForce, err := s.listIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("screen: %w", err)
	}
	if len(inForce) == 0 {
		return nil, nil
	}
	return screenAgainst(ix, s.risk.threshold(), snapshotIDs(inForce), p, now), nil
}

// screenAgainst screens a profile with the index of the snapshots ids.
func screenAgainst(ix *screening.Index, threshold float64, ids []string, p api.Profile, at time.Time) *Screening {
	sc := &Screening{ScreenedAt: at, Snapshots: ids, Hits: []screening.Hit{}}
	for _, q := range profileQueries(p) {
		sc.Hits = append(sc.Hits, ix.Screen(q, threshold)...)
	}
	return sc
}

// profileQueries are the names of a profile to screen: the company's (as
// registered and in English) against organisations, and each person's
// against individuals, in English where given, with birth date and
// countries as evidence. Names only in another script than Latin are
// skipped by the matcher itself.
func profileQueries(p api.Profile) []screening.Query {
	var qs []screening.Query
	if d := p.BusinessDetails; d != nil {
		var countries []string
		if d.BusinessIdentifierCountryCode != "" {
			countries = append(countries, d.BusinessIdentifierCountryCode)
		}
		if a := p.RegistrationAddress; a != nil && a.CountryCode != "" {
			countries = append(countries, a.CountryCode)
		}
		for _, n := range [][2]string{{"business_details.business_name", d.BusinessName}, {"business_details.business_name_english", d.BusinessNameEnglish}} {
			// The English name is often the registered one again: the
			// same words are screened once (a company name is the
			// costliest query, a quarter of a millisecond on the lists).
			if n[1] != "" && (n[0] == "business_details.business_name" || !strings.EqualFold(strings.TrimSpace(n[1]), strings.TrimSpace(d.BusinessName))) {
				qs = append(qs, screening.Query{Field: n[0], Name: n[1], Kind: screening.KindOrganisation, Countries: countries})
			}
		}
	}
	for i, bp := range p.BusinessPersonList {
		b := bp.BasicInfo
		if b == nil {
			continue
		}
		q := screening.Query{Field: "business_person_list[" + strconv.Itoa(i) + "].basic_info", Kind: screening.KindPerson}
		switch {
		case b.FirstNameEnglish != "" || b.LastNameEnglish != "":
			q.Name = b.FirstNameEnglish + " " + b.LastNameEnglish
		default:
			q.Name = b.FirstName + " " + b.LastName
		}
		q.BirthDate, _ = time.Parse(time.RFC3339, b.BirthDate)
		for _, c := range []string{b.Nationality, residence(bp), issuer(bp)} {
			if c != "" {
				q.Countries = append(q.Countries, c)
			}
		}
		qs = append(qs, q)
	}
	return qs
}

func residence(bp api.BusinessPerson) string {
	if a := bp.ResidentialAddress; a != nil {
		return a.CountryCode
	}
	return ""
}

func issuer(bp api.BusinessPerson) string {
	if id := bp.Identification; id != nil {
		return id.IssuingCountryCode
	}
	return ""
}
