package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/loadtest"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestCeilings(t *testing.T) {
	ctx := context.Background()
	storages := []struct {
		name string
		open func(t *testing.T) loadtest.Storage
	}{
		{"memory", func(*testing.T) loadtest.Storage { return loadtest.Memory() }},
		{"sqlite", func(t *testing.T) loadtest.Storage {
			s, err := loadtest.SQLiteScratch(ctx, t.TempDir(), 4)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"postgres", func(t *testing.T) loadtest.Storage {
			s, err := loadtest.PostgresScratch(ctx, storetest.PostgresURL(t), 4)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
	// Three customers, ids ascending as the service's are.
	now := time.Now()
	gen := loadtest.NewProfiles("ceiling-test-0000", 1)
	var docs []loadtest.Doc
	for i := range 3 {
		c := kyb.Customer{ID: kyb.NewID(kyb.PrefixCustomer, now.Add(time.Duration(i)*time.Second)), Status: kyb.StatusPending, CreatedAt: now, Profile: gen.Next(now)}
		b, _ := json.Marshal(c.View())
		docs = append(docs, loadtest.Doc{ID: c.ID, JSON: b})
	}
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			c, err := loadtest.StartCeiling(ctx, st.open(t), docs, 5)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := c.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			get := func(path string) (int, map[string]any) {
				resp, err := http.Get(c.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var v map[string]any
				json.NewDecoder(resp.Body).Decode(&v)
				return resp.StatusCode, v
			}
			if status, v := get("/api/customers/" + docs[1].ID); status != 200 || v["customer_id"] != docs[1].ID {
				t.Errorf("get = %d %v", status, v)
			}
			if status, _ := get("/api/customers/" + kyb.NewID(kyb.PrefixCustomer, now)); status != 404 {
				t.Errorf("get of an unknown id = %d, want 404", status)
			}
			// Pages are full however deep they start.
			for _, q := range []string{"?limit=5", "?limit=5&starting_after=" + docs[0].ID} {
				status, v := get("/api/customers" + q)
				if data, _ := v["data"].([]any); status != 200 || len(data) != 5 || v["has_more"] != true {
					t.Errorf("list%s = %d with %d items, has_more %v; want 5 and more", q, status, len(data), v["has_more"])
				}
			}
			if status, v := get("/api/customers?limit=2"); status != 200 || v["next_cursor"] != docs[1].ID {
				t.Errorf("first page's cursor = %v (%d), want the second newest %s", v["next_cursor"], status, docs[1].ID)
			}
			body, _ := json.Marshal(gen.Next(now))
			resp, err := http.Post(c.URL+"/api/customers/create", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var created api.Customer
			json.NewDecoder(resp.Body).Decode(&created)
			resp.Body.Close()
			if resp.StatusCode != 200 || !kyb.IsID(created.CustomerID, kyb.PrefixCustomer) || created.Status != api.StatusPending || created.BusinessDetails == nil {
				t.Errorf("create = %d %+v", resp.StatusCode, created)
			}
		})
	}
}

func TestSQLiteScratchIsRemoved(t *testing.T) {
	dir := t.TempDir()
	s, err := loadtest.SQLiteScratch(context.Background(), dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(context.Background(), "cus_1", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
}
