package kyb

import (
	"context"
	"fmt"
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
	Kind string // person (the default) or organisation
	// BirthDate is an RFC 3339 date-time, as in a profile; Country an
	// ISO 3166-1 alpha-2 code.
	BirthDate, Country string
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
	mu        sync.Mutex
	key       string
	index     *screening.Index
	snapshots map[string]string // source → snapshot id
	checked   time.Time         // when the snapshots were last looked up
	building  bool              // a newer index is being built
}

// listRecheck is how often the snapshots in force are looked up again: a
// list imported on another instance is in force here within it, and a
// create does not pay a query for it.
const listRecheck = 5 * time.Second

// listIndex returns the index of the snapshots in force.
func (s *Service) listIndex(ctx context.Context) (*screening.Index, map[string]string, error) {
	c := &s.lists
	c.mu.Lock()
	if c.checked.After(s.Now().Add(-listRecheck)) {
		defer c.mu.Unlock()
		return c.index, c.snapshots, nil
	}
	c.mu.Unlock()
	snaps, err := s.store.ListSnapshots(ctx)
	if err != nil {
		return nil, nil, err
	}
	current := map[string]string{}
	var key []string
	for _, snap := range snaps {
		if _, ok := current[snap.Source]; !ok {
			current[snap.Source] = snap.ID
			key = append(key, snap.ID)
		}
	}
	k := strings.Join(key, " ")
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
		c.index, c.key, c.snapshots = screening.NewIndex(lists...), k, current
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
				c.index, c.key, c.snapshots = ix, k, current
			}
		}()
	}
	c.checked = s.Now()
	return c.index, c.snapshots, nil
}

// SearchLists matches a name against the lists in force and returns its
// hits, best first, each with its list entry and the evidence weighed.
func (s *Service) SearchLists(ctx context.Context, q ListQuery) ([]ListHit, error) {
	var ch checker
	ch.text("name", q.Name, true, maxNameLength)
	kind := screening.KindPerson
	switch q.Kind {
	case "", string(screening.KindPerson):
	case string(screening.KindOrganisation):
		kind = screening.KindOrganisation
	default:
		ch.add("kind", api.CodeInvalidValue, "must be person or organisation")
	}
	query := screening.Query{Field: "name", Name: q.Name, Kind: kind}
	if q.BirthDate != "" {
		query.BirthDate, _ = ch.date("birth_date", q.BirthDate)
	}
	if q.Country != "" {
		ch.country("country", q.Country, false)
		query.Countries = []string{q.Country}
	}
	if len(ch.errs) > 0 {
		return nil, Invalid(ch.errs)
	}
	ix, snapshots, err := s.listIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("search lists: %w", err)
	}
	var hits []ListHit
	for _, h := range ix.Screen(query, screening.DefaultThreshold) {
		e, _ := ix.Entry(h)
		hits = append(hits, ListHit{Hit: h, SnapshotID: snapshots[h.Source], Entry: e})
	}
	return hits, nil
}
