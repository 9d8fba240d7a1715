package kyb

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/screening"
)

// PrefixListSnapshot starts every list snapshot id.
const PrefixListSnapshot = "lst_"

// ActionListImported records an import of a sanctions list.
const ActionListImported = "list.imported"

// ListSnapshot is one imported publication of a sanctions list. Every
// instance matches against the latest snapshot of each source, and a
// screening records the snapshots it used.
type ListSnapshot struct {
	ID     string
	Source string
	// PublishedAt is the publisher's date, where the file has one.
	PublishedAt time.Time
	SHA256      string
	Entries     int
	Aliases     int
	ImportedAt  time.Time
}

// ListStore keeps the snapshots of sanctions lists.
type ListStore interface {
	// AddListSnapshot stores a snapshot with its entries and the audit
	// event of its import, in one transaction: a failed import leaves the
	// previous snapshot in force and nothing of its own.
	AddListSnapshot(ctx context.Context, s ListSnapshot, entries []screening.Entry, audit AuditEvent) error
	// ListSnapshots returns every snapshot, newest first.
	ListSnapshots(ctx context.Context) ([]ListSnapshot, error)
	// ListEntries returns a snapshot's entries.
	ListEntries(ctx context.Context, snapshotID string) ([]screening.Entry, error)
}

// ImportList stores a parsed publication as the new snapshot of its
// source, unless it is the snapshot in force already (the same sha256):
// then it returns that one with imported false.
func (s *Service) ImportList(ctx context.Context, actor Actor, l screening.List) (snap ListSnapshot, imported bool, err error) {
	snaps, err := s.store.ListSnapshots(ctx)
	if err != nil {
		return ListSnapshot{}, false, fmt.Errorf("import list: %w", err)
	}
	for _, current := range snaps {
		if current.Source == l.Source {
			if current.SHA256 == l.SHA256 {
				return current, false, nil
			}
			break // the newest of the source
		}
	}
	now := s.Now().UTC()
	snap = ListSnapshot{ID: NewID(PrefixListSnapshot, now), Source: l.Source, PublishedAt: l.Published, SHA256: l.SHA256,
		Entries: len(l.Entries), Aliases: l.Aliases(), ImportedAt: now}
	audit := newAuditEvent(now, actor, ActionListImported)
	audit.TargetID = snap.ID
	audit.Reason = fmt.Sprintf("%s: %d entries, %d aliases, sha256 %s", l.Source, snap.Entries, snap.Aliases, l.SHA256)
	if err := s.store.AddListSnapshot(ctx, snap, l.Entries, audit); err != nil {
		return ListSnapshot{}, false, fmt.Errorf("import list: %w", err)
	}
	// This instance matches against it from the next screening on.
	s.lists.mu.Lock()
	s.lists.checked, s.lists.index = time.Time{}, nil
	s.lists.mu.Unlock()
	return snap, true, nil
}

// ListSnapshots returns every imported snapshot, newest first.
func (s *Service) ListSnapshots(ctx context.Context) ([]ListSnapshot, error) {
	return s.store.ListSnapshots(ctx)
}

// CurrentLists returns the entries of the snapshot in force of each
// source, ready to index (screening.NewIndex).
func (s *Service) CurrentLists(ctx context.Context) ([]screening.List, error) {
	snaps, err := s.store.ListSnapshots(ctx)
	if err != nil {
		return nil, err
	}
	var lists []screening.List
	seen := map[string]bool{}
	for _, snap := range snaps {
		if seen[snap.Source] {
			continue
		}
		seen[snap.Source] = true
		entries, err := s.store.ListEntries(ctx, snap.ID)
		if err != nil {
			return nil, err
		}
		lists = append(lists, screening.List{Source: snap.Source, Published: snap.PublishedAt, SHA256: snap.SHA256, Entries: entries})
	}
	return lists, nil
}

// ListQuery is an operator's search of the lists in force: a name, what
// holds it, and the secondary evidence to weigh.
type ListQuery struct {
	Name string
	Type string // person or business
	// BirthDate is a date (YYYY-MM-DD); Country an ISO 3166-1 alpha-2
	// code.
	BirthDate, Country string
	// Limit is how many hits at most, 1 to MaxSearchLimit; empty is
	// DefaultSearchLimit.
	Limit string
	// MinScore is the score from which an entry is a hit, 0.5 to 1; empty
	// is the screening threshold, as on create.
	MinScore string
}

// The number of hits a search returns.
const (
	DefaultSearchLimit = 10
	MaxSearchLimit     = 100
)

// ListSearch is what a search found, and against which snapshots.
type ListSearch struct {
	Hits      []ListHit
	Snapshots []ListSnapshot
}

// ListHit is a hit of a search, with the entry it is of and the snapshot
// that holds the entry.
type ListHit struct {
	screening.Hit
	SnapshotID string
	Entry      screening.Entry
}

// listCache holds the index of the snapshots in force, rebuilt when a
// newer snapshot appears (another instance may have imported it).
type listCache struct {
	mu       sync.Mutex
	key      string
	index    *screening.Index
	inForce  []ListSnapshot // the snapshots of index, by id
	checked  time.Time      // when the snapshots were last looked up
	building bool           // a newer index is being built
}

// listRecheck is how often the snapshots in force are looked up again: a
// list imported on another instance is in force here within it, and a
// create does not pay a query for it.
const listRecheck = 5 * time.Second

// listIndex returns the index of the snapshots in force, and those
// snapshots by id.
func (s *Service) listIndex(ctx context.Context) (*screening.Index, []ListSnapshot, error) {
	c := &s.lists
	c.mu.Lock()
	if c.checked.After(s.Now().Add(-listRecheck)) {
		defer c.mu.Unlock()
		return c.index, c.inForce, nil
	}
	c.mu.Unlock()
	snaps, err := s.store.ListSnapshots(ctx)
	if err != nil {
		return nil, nil, err
	}
	current := newestOfEachList(snaps)
	k := strings.Join(snapshotIDs(current), " ")
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.index == nil:
		// The first screening of this instance (or the first after an
		// import here) waits for the index.
		lists, err := s.CurrentLists(ctx)
		if err != nil {
			return nil, nil, err
		}
		c.index, c.key, c.inForce = screening.NewIndex(lists...), k, current
	case c.key != k && !c.building:
		// Another instance imported a list: build its index aside, and
		// screen against the one in hand meanwhile (each screening
		// records the snapshots it used), rather than stall every create.
		c.building = true
		go func() {
			lists, err := s.CurrentLists(context.WithoutCancel(ctx))
			var ix *screening.Index
			if err == nil {
				ix = screening.NewIndex(lists...)
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			c.building = false
			if err == nil {
				c.index, c.key, c.inForce = ix, k, current
			}
		}()
	}
	c.checked = s.Now()
	return c.index, c.inForce, nil
}

// newestOfEachList returns the newest snapshot of each list (snaps are
// newest first), sorted by id.
func newestOfEachList(snaps []ListSnapshot) []ListSnapshot {
	var out []ListSnapshot
	for _, snap := range snaps {
		if !slices.ContainsFunc(out, func(o ListSnapshot) bool { return o.Source == snap.Source }) {
			out = append(out, snap)
		}
	}
	slices.SortFunc(out, func(a, b ListSnapshot) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// snapshotIDs returns the ids of snaps, in their order.
func snapshotIDs(snaps []ListSnapshot) []string {
	ids := make([]string, len(snaps))
	for i, snap := range snaps {
		ids[i] = snap.ID
	}
	return ids
}

// Validate reports each field of the search that is invalid.
func (q ListQuery) Validate() error {
	_, _, _, err := q.parse(DefaultThreshold)
	return err
}

// parse returns the matcher's query of a search, its threshold (that of
// screening when the search sets none) and its limit.
func (q ListQuery) parse(screeningThreshold float64) (screening.Query, float64, int, error) {
	var ch checker
	ch.text("name", q.Name, true, maxNameLength)
	query := screening.Query{Field: "name", Name: q.Name, Kind: screening.KindPerson}
	switch q.Type {
	case "person":
	case "business":
		query.Kind = screening.KindOrganisation
	case "":
		ch.add("type", api.CodeRequired, "is required: person or business")
	default:
		ch.add("type", api.CodeInvalidValue, "must be person or business")
	}
	if q.BirthDate != "" {
		if t, err := time.Parse(time.DateOnly, q.BirthDate); err != nil {
			ch.add("birth_date", api.CodeInvalidFormat, "must be a date such as 1948-12-10")
		} else {
			query.BirthDate = t
		}
	}
	if q.Country != "" {
		ch.country("country", q.Country, false)
		query.Countries = []string{q.Country}
	}
	limit, threshold := DefaultSearchLimit, screeningThreshold
	if q.Limit != "" {
		var err error
		if limit, err = strconv.Atoi(q.Limit); err != nil || limit < 1 || limit > MaxSearchLimit {
			ch.add("limit", api.CodeInvalidValue, fmt.Sprintf("must be a whole number from 1 to %d", MaxSearchLimit))
		}
	}
	if q.MinScore != "" {
		var err error
		if threshold, err = strconv.ParseFloat(q.MinScore, 64); err != nil || !ValidThreshold(threshold) {
			ch.add("min_score", api.CodeInvalidValue, "must be a number from 0.5 to 1")
		}
	}
	if len(ch.errs) > 0 {
		return query, 0, 0, Invalid(ch.errs)
	}
	return query, threshold, limit, nil
}

// SearchLists matches a name against the lists in force, with the
// matcher and threshold of create, and returns its hits, best first, each
// with its list entry and the evidence weighed.
func (s *Service) SearchLists(ctx context.Context, q ListQuery) (ListSearch, error) {
	query, threshold, limit, err := q.parse(s.risk.threshold())
	if err != nil {
		return ListSearch{}, err
	}
	ix, inForce, err := s.listIndex(ctx)
	if err != nil {
		return ListSearch{}, fmt.Errorf("search lists: %w", err)
	}
	out := ListSearch{Hits: []ListHit{}, Snapshots: inForce}
	hits := ix.Screen(query, threshold)
	for _, h := range hits[:min(limit, len(hits))] {
		e, _ := ix.Entry(h)
		hit := ListHit{Hit: h, Entry: e}
		for _, snap := range inForce {
			if snap.Source == h.Source {
				hit.SnapshotID = snap.ID
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}
