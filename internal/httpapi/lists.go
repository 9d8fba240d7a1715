package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

// listSnapshotJSON is an imported publication of a sanctions list.
type listSnapshotJSON struct {
	SnapshotID  string `json:"snapshot_id"`
	Source      string `json:"list"`
	PublishedAt string `json:"published_at,omitempty"`
	SHA256      string `json:"sha256"`
	Entries     int    `json:"entries"`
	Aliases     int    `json:"aliases"`
	ImportedAt  string `json:"imported_at"`
	InForce     bool   `json:"in_force"`
}

// screeningSearchRequest is an operator's search of the lists in force.
type screeningSearchRequest struct {
	Name      string      `json:"name"`
	Type      string      `json:"type"`
	BirthDate string      `json:"birth_date,omitempty"`
	Country   string      `json:"country,omitempty"`
	Limit     json.Number `json:"limit,omitempty"`
	MinScore  json.Number `json:"min_score,omitempty"`
}

// screeningSearchJSON is what a search found, against which snapshots.
type screeningSearchJSON struct {
	Data      []searchHitJSON    `json:"data"`
	Snapshots []listSnapshotJSON `json:"snapshots"`
}

// searchHitJSON is a hit of a search: what matched, how closely, on what
// evidence, and the whole list entry.
type searchHitJSON struct {
	Source      string             `json:"list"`
	SnapshotID  string             `json:"snapshot_id"`
	EntryID     string             `json:"entry_id"`
	Name        string             `json:"name"`
	NameType    string             `json:"name_type"`
	NameQuality string             `json:"name_quality"`
	Value       string             `json:"value"`
	NameScore   float64            `json:"name_score"`
	Score       float64            `json:"score"`
	EntityType  string             `json:"entity_type"`
	Programs    []string           `json:"programs"`
	Evidence    searchEvidenceJSON `json:"evidence"`
	Entry       listEntryJSON      `json:"entry"`
}

// searchEvidenceJSON is the secondary evidence a hit's score weighed, by
// what was compared.
type searchEvidenceJSON struct {
	BirthDate *evidenceJSON `json:"birth_date,omitempty"`
	Country   *evidenceJSON `json:"country,omitempty"`
}

type evidenceJSON struct {
	Match  bool    `json:"match"`
	Listed string  `json:"listed"`
	Delta  float64 `json:"delta"`
}

// listEntryJSON is a listed party as its list gives it.
type listEntryJSON struct {
	Kind          string         `json:"kind"`
	Names         []listNameJSON `json:"names"`
	BirthDates    []string       `json:"birth_dates"`
	Nationalities []string       `json:"nationalities"`
	Countries     []string       `json:"countries"`
	Programmes    []string       `json:"programmes"`
	Remarks       string         `json:"remarks,omitempty"`
	ListedOn      string         `json:"listed_on,omitempty"`
}

type listNameJSON struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Quality string `json:"quality"`
}

func (s *Server) adminListSnapshots(w http.ResponseWriter, r *http.Request) error {
	snaps, err := s.service.ListSnapshots(r.Context())
	if err != nil {
		return err
	}
	out := make([]listSnapshotJSON, 0, len(snaps))
	inForce := map[string]bool{}
	for _, snap := range snaps {
		out = append(out, newListSnapshotJSON(snap, !inForce[snap.Source]))
		inForce[snap.Source] = true
	}
	return writeJSON(w, http.StatusOK, api.Data[listSnapshotJSON]{Data: out})
}

func newListSnapshotJSON(snap kyb.ListSnapshot, inForce bool) listSnapshotJSON {
	v := listSnapshotJSON{SnapshotID: snap.ID, Source: snap.Source, SHA256: snap.SHA256, Entries: snap.Entries, Aliases: snap.Aliases,
		ImportedAt: kyb.FormatTime(snap.ImportedAt), InForce: inForce}
	if !snap.PublishedAt.IsZero() {
		v.PublishedAt = kyb.FormatTime(snap.PublishedAt)
	}
	return v
}

func (s *Server) adminSearchScreening(w http.ResponseWriter, r *http.Request) error {
	var in screeningSearchRequest
	q := func() kyb.ListQuery {
		return kyb.ListQuery{Name: in.Name, Type: in.Type, BirthDate: in.BirthDate, Country: in.Country, Limit: string(in.Limit), MinScore: string(in.MinScore)}
	}
	if err := readJSON(w, r, &in, func() error { return q().Validate() }); err != nil {
		return err
	}
	found, err := s.service.SearchLists(r.Context(), q())
	if err != nil {
		return err
	}
	out := screeningSearchJSON{Data: make([]searchHitJSON, 0, len(found.Hits)), Snapshots: make([]listSnapshotJSON, 0, len(found.Snapshots))}
	for _, h := range found.Hits {
		out.Data = append(out.Data, newSearchHitJSON(h))
	}
	for _, snap := range found.Snapshots {
		out.Snapshots = append(out.Snapshots, newListSnapshotJSON(snap, true))
	}
	return writeJSON(w, http.StatusOK, out)
}

func newSearchHitJSON(h kyb.ListHit) searchHitJSON {
	e := listEntryJSON{Kind: string(h.Entry.Kind), BirthDates: []string{}, Nationalities: nonNil(h.Entry.Nationalities), Countries: nonNil(h.Entry.Countries),
		Programmes: nonNil(h.Entry.Programmes), Remarks: h.Entry.Remarks, ListedOn: h.Entry.ListedOn}
	for _, n := range h.Entry.Names {
		e.Names = append(e.Names, listNameJSON{Name: n.Text, Type: n.Type, Quality: n.Quality})
	}
	for _, d := range h.Entry.BirthDates {
		e.BirthDates = append(e.BirthDates, d.String())
	}
	var evidence searchEvidenceJSON
	for _, ev := range h.Evidence {
		v := &evidenceJSON{Match: ev.Match, Listed: ev.Value, Delta: ev.Delta}
		switch ev.Kind {
		case screening.EvidenceBirthDate:
			evidence.BirthDate = v
		case screening.EvidenceCountry:
			evidence.Country = v
		}
	}
	return searchHitJSON{Source: h.Source, SnapshotID: h.SnapshotID, EntryID: h.EntryID, Name: h.ListName, NameType: h.NameType,
		NameQuality: h.NameQuality, Value: h.Value, NameScore: h.NameScore, Score: h.Score, EntityType: string(h.Kind),
		Programs: nonNil(h.Programmes), Evidence: evidence, Entry: e}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// screeningJSON is what screening found for a customer, for operators.
type screeningJSON struct {
	ScreenedAt string            `json:"screened_at"`
	Snapshots  []string          `json:"snapshots"`
	Hits       []customerHitJSON `json:"hits"`
}

// customerHitJSON is a hit of a customer's screening: which of its fields
// resembled which list entry, and how closely.
type customerHitJSON struct {
	Source      string               `json:"list"`
	EntryID     string               `json:"entry_id"`
	EntryKind   string               `json:"entry_kind"`
	ListName    string               `json:"list_name"`
	NameType    string               `json:"name_type"`
	NameQuality string               `json:"name_quality"`
	Field       string               `json:"field"`
	Value       string               `json:"value"`
	NameScore   float64              `json:"name_score"`
	Score       float64              `json:"score"`
	Evidence    []screening.Evidence `json:"evidence"`
	Programmes  []string             `json:"programmes"`
}

func newScreeningJSON(sc *kyb.Screening) *screeningJSON {
	if sc == nil {
		return nil
	}
	out := &screeningJSON{ScreenedAt: kyb.FormatTime(sc.ScreenedAt), Snapshots: nonNil(sc.Snapshots), Hits: []customerHitJSON{}}
	for _, h := range sc.Hits {
		evidence := h.Evidence
		if evidence == nil {
			evidence = []screening.Evidence{}
		}
		out.Hits = append(out.Hits, customerHitJSON{Source: h.Source, EntryID: h.EntryID, EntryKind: string(h.Kind), ListName: h.ListName,
			NameType: h.NameType, NameQuality: h.NameQuality, Field: h.Field, Value: h.Value, NameScore: h.NameScore, Score: h.Score,
			Evidence: evidence, Programmes: nonNil(h.Programmes)})
	}
	return out
}

// riskJSON is a customer's risk as operators see it.
type riskJSON struct {
	Level string         `json:"level"`
	Flags []riskFlagJSON `json:"flags"`
}

type riskFlagJSON struct {
	Code    string `json:"code"`
	Level   string `json:"level"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func newRiskJSON(r kyb.Risk) riskJSON {
	out := riskJSON{Level: r.Level, Flags: []riskFlagJSON{}}
	for _, f := range r.Flags {
		out.Flags = append(out.Flags, riskFlagJSON(f))
	}
	return out
}
