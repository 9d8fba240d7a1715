package httpapi

import (
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

// listHitJSON is a hit of a list search: what matched, how closely, on
// what evidence, and the whole list entry.
type listHitJSON struct {
	Source      string               `json:"list"`
	SnapshotID  string               `json:"snapshot_id"`
	EntryID     string               `json:"entry_id"`
	ListName    string               `json:"list_name"`
	NameType    string               `json:"name_type"`
	NameQuality string               `json:"name_quality"`
	Value       string               `json:"value"`
	NameScore   float64              `json:"name_score"`
	Score       float64              `json:"score"`
	Evidence    []screening.Evidence `json:"evidence"`
	Entry       listEntryJSON        `json:"entry"`
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
		v := listSnapshotJSON{SnapshotID: snap.ID, Source: snap.Source, SHA256: snap.SHA256, Entries: snap.Entries, Aliases: snap.Aliases,
			ImportedAt: kyb.FormatTime(snap.ImportedAt), InForce: !inForce[snap.Source]}
		inForce[snap.Source] = true
		if !snap.PublishedAt.IsZero() {
			v.PublishedAt = kyb.FormatTime(snap.PublishedAt)
		}
		out = append(out, v)
	}
	return writeJSON(w, http.StatusOK, api.Data[listSnapshotJSON]{Data: out})
}

func (s *Server) adminSearchLists(w http.ResponseWriter, r *http.Request) error {
	params, fields := singleParams(r.URL.Query(), "name", "kind", "birth_date", "country")
	q := kyb.ListQuery{Name: params["name"], Kind: params["kind"], BirthDate: params["birth_date"], Country: params["country"]}
	if len(fields) > 0 {
		return kyb.Invalid(fields)
	}
	hits, err := s.service.SearchLists(r.Context(), q)
	if err != nil {
		return err
	}
	out := make([]listHitJSON, 0, len(hits))
	for _, h := range hits {
		out = append(out, newListHitJSON(h))
	}
	return writeJSON(w, http.StatusOK, api.Data[listHitJSON]{Data: out})
}

func newListHitJSON(h kyb.ListHit) listHitJSON {
	e := listEntryJSON{Kind: string(h.Entry.Kind), BirthDates: []string{}, Nationalities: nonNil(h.Entry.Nationalities), Countries: nonNil(h.Entry.Countries),
		Programmes: nonNil(h.Entry.Programmes), Remarks: h.Entry.Remarks, ListedOn: h.Entry.ListedOn}
	for _, n := range h.Entry.Names {
		e.Names = append(e.Names, listNameJSON{Name: n.Text, Type: n.Type, Quality: n.Quality})
	}
	for _, d := range h.Entry.BirthDates {
		e.BirthDates = append(e.BirthDates, d.String())
	}
	evidence := h.Evidence
	if evidence == nil {
		evidence = []screening.Evidence{}
	}
	return listHitJSON{Source: h.Source, SnapshotID: h.SnapshotID, EntryID: h.EntryID, ListName: h.ListName, NameType: h.NameType,
		NameQuality: h.NameQuality, Value: h.Value, NameScore: h.NameScore, Score: h.Score, Evidence: evidence, Entry: e}
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
