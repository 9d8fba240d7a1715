package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// memoryMigrator records what Migrate asks of an engine.
type memoryMigrator struct{ applied []string }

func (m *memoryMigrator) Applied(context.Context) ([]string, error) { return m.applied, nil }

func (m *memoryMigrator) Apply(_ context.Context, name string, body []byte, _ func(Queryer) error) error {
	m.applied = append(m.applied, name+"="+string(body))
	return nil
}

func TestMigrate(t *testing.T) {
	files := fstest.MapFS{
		"migrations/0002_b.sql": {Data: []byte("B")},
		"migrations/0001_a.sql": {Data: []byte("A")},
		"migrations/0010_c.sql": {Data: []byte("C")},
		"migrations/notes.txt":  {Data: []byte("not a migration")},
	}
	tests := []struct {
		name    string
		applied []string
		want    []string // what was applied, in order, after those already there
		err     string
	}{
		{"a new database gets every migration, in order", nil, []string{"0001_a.sql=A", "0002_b.sql=B", "0010_c.sql=C"}, ""},
		{"only the missing ones", []string{"0001_a.sql"}, []string{"0002_b.sql=B", "0010_c.sql=C"}, ""},
		{"nothing when up to date", []string{"0001_a.sql", "0002_b.sql", "0010_c.sql"}, nil, ""},
		{"a newer schema is refused", []string{"0001_a.sql", "0011_d.sql"}, nil, "0011_d.sql that this binary does not know"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memoryMigrator{applied: slices.Clone(tt.applied)}
			err := Migrate(context.Background(), files, SQLite, m)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Migrate error = %v, want one saying %q", err, tt.err)
				}
				if len(m.applied) != len(tt.applied) {
					t.Errorf("a refused database got migrations: %v", m.applied[len(tt.applied):])
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.applied[len(tt.applied):]; !slices.Equal(got, tt.want) {
				t.Errorf("applied %v, want %v", got, tt.want)
			}
		})
	}
}
