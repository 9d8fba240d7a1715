package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// Scenario is what a run asks of the API.
type Scenario string

// The scenarios.
const (
	// Create sends new, valid customers.
	Create Scenario = "create"
	// Get reads existing customers by id.
	Get Scenario = "get"
	// List reads pages of the partner's customers.
	List Scenario = "list"
	// Mixed is 80% reads (get and list, half each) and 20% creates.
	Mixed Scenario = "mixed"
)

// Scenarios lists every scenario.
var Scenarios = []Scenario{Create, Get, List, Mixed}

// Which pages list requests ask for.
const (
	FirstPage = "first" // the newest customers
	DeepPage  = "deep"  // the page after a random existing customer
	BothPages = "both"  // each half the time
)

// Doc is an existing customer: its id and its JSON as the API returned it.
type Doc struct {
	ID   string
	JSON json.RawMessage
}

// Workload makes the requests of a scenario for one partner.
type Workload struct {
	Scenario          Scenario
	APIKey, APISecret string
	// Docs are the existing customers that get and list requests read.
	Docs []Doc
	// Limit is the page size of list requests.
	Limit int
	// Pages is FirstPage, DeepPage or BothPages.
	Pages string
	// Prefix starts the partner_customer_id of every customer created, so
	// that runs never collide.
	Prefix string
}

// NeedsDocs reports whether the scenario reads existing customers.
func (w *Workload) NeedsDocs() bool { return w.Scenario != Create }

// worker is one worker's own generators, so workers share nothing.
type worker struct {
	rng      *rand.Rand
	profiles *Profiles
}

// Driver returns a Do that sends the workload's requests to the API at
// baseURL through client.
func (w *Workload) Driver(baseURL string, client *http.Client, concurrency int) Do {
	workers := make([]worker, concurrency)
	for i := range workers {
		seed := rand.Uint64()
		workers[i] = worker{rng: rand.New(rand.NewPCG(seed, uint64(i))), profiles: NewProfiles(fmt.Sprintf("%s-w%02d", w.Prefix, i), seed)}
	}
	return func(ctx context.Context, i int) (int, error) {
		req, err := w.request(ctx, baseURL, &workers[i])
		if err != nil {
			return 0, err
		}
		return send(client, req)
	}
}

func (w *Workload) request(ctx context.Context, baseURL string, wk *worker) (*http.Request, error) {
	op := w.Scenario
	if op == Mixed {
		switch n := wk.rng.IntN(10); {
		case n < 2:
			op = Create
		case n < 6:
			op = Get
		default:
			op = List
		}
	}
	var req *http.Request
	var err error
	switch op {
	case Create:
		body, merr := json.Marshal(wk.profiles.Next(time.Now()))
		if merr != nil {
			return nil, merr
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/customers/create", bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	case Get:
		doc := w.Docs[wk.rng.IntN(len(w.Docs))]
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/customers/"+doc.ID, nil)
	case List:
		q := url.Values{"limit": {strconv.Itoa(w.Limit)}}
		if w.Pages == DeepPage || w.Pages == BothPages && wk.rng.IntN(2) == 0 {
			q.Set("starting_after", w.Docs[wk.rng.IntN(len(w.Docs))].ID)
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/customers?"+q.Encode(), nil)
	}
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-API-Key", w.APIKey)
	req.Header.Set("X-API-Secret", w.APISecret)
	return req, nil
}

// send sends req and reads the whole answer, as a client would.
func send(client *http.Client, req *http.Request) (int, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// NewClient returns an HTTP client that keeps one connection per worker
// open, the settings every phase of a run uses.
func NewClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// FindDocs returns n existing customers of the workload's partner (some
// may repeat), spread over its whole history. When the partner has fewer
// than n customers, it creates the missing ones first.
func (w *Workload) FindDocs(ctx context.Context, baseURL string, client *http.Client, n int) ([]Doc, error) {
	api := apiClient{base: baseURL, client: client, key: w.APIKey, secret: w.APISecret}
	first, hasMore, err := api.list(ctx, url.Values{"limit": {strconv.Itoa(kyb.MaxPageSize)}})
	if err != nil {
		return nil, err
	}
	if !hasMore {
		if len(first) >= n {
			return first[:n], nil
		}
		created, err := w.createDocs(ctx, api, n-len(first))
		return append(first, created...), err
	}
	newest, err := createdAt(first[0])
	if err != nil {
		return nil, err
	}
	oldest, err := api.oldest(ctx, newest)
	if err != nil {
		return nil, err
	}
	// A customer created before a random moment of the partner's history
	// is a random customer, found through an index rather than a walk.
	docs := make([]Doc, 0, n)
	span := newest.Sub(oldest) + time.Second
	for range n {
		before := oldest.Add(time.Second + time.Duration(rand.Int64N(int64(span))))
		page, _, err := api.list(ctx, url.Values{"limit": {"1"}, "created_before": {kyb.FormatTime(before)}})
		if err != nil {
			return nil, err
		}
		docs = append(docs, page...)
	}
	return docs, nil
}

// createDocs creates n customers, eight at a time, stopping at the first
// failure.
func (w *Workload) createDocs(ctx context.Context, api apiClient, n int) ([]Doc, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var docs []Doc
	var wg sync.WaitGroup
	next := make(chan int)
	for i := range 8 {
		profiles := NewProfiles(fmt.Sprintf("%s-docs%d", w.Prefix, i), rand.Uint64())
		wg.Go(func() {
			for range next {
				doc, err := api.create(ctx, profiles.Next(time.Now()))
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				docs = append(docs, doc)
				mu.Unlock()
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("create customers to read: %w", err)
	}
	return docs, nil
}

// apiClient is the little of the partner API that preparing a run needs.
type apiClient struct {
	base, key, secret string
	client            *http.Client
}

func (a apiClient) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-API-Key", a.key)
	req.Header.Set("X-API-Secret", a.secret)
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}

func (a apiClient) create(ctx context.Context, p api.Profile) (Doc, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return Doc{}, err
	}
	b, err := a.do(ctx, http.MethodPost, "/api/customers/create", body)
	if err != nil {
		return Doc{}, err
	}
	var c struct {
		ID string `json:"customer_id"`
	}
	err = json.Unmarshal(b, &c)
	return Doc{ID: c.ID, JSON: b}, err
}

func (a apiClient) list(ctx context.Context, q url.Values) ([]Doc, bool, error) {
	b, err := a.do(ctx, http.MethodGet, "/api/customers?"+q.Encode(), nil)
	if err != nil {
		return nil, false, err
	}
	var page struct {
		Data    []json.RawMessage `json:"data"`
		HasMore bool              `json:"has_more"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return nil, false, err
	}
	docs := make([]Doc, 0, len(page.Data))
	for _, d := range page.Data {
		var c struct {
			ID string `json:"customer_id"`
		}
		if err := json.Unmarshal(d, &c); err != nil {
			return nil, false, err
		}
		docs = append(docs, Doc{ID: c.ID, JSON: d})
	}
	return docs, page.HasMore, nil
}

// oldest finds when the partner's first customer was created, to the
// second, by bisecting created_before.
func (a apiClient) oldest(ctx context.Context, newest time.Time) (time.Time, error) {
	exists := func(before time.Time) (bool, error) {
		docs, _, err := a.list(ctx, url.Values{"limit": {"1"}, "created_before": {kyb.FormatTime(before)}})
		return len(docs) > 0, err
	}
	lo, hi := newest.AddDate(-100, 0, 0), newest.Add(time.Second)
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		found, err := exists(mid)
		if err != nil {
			return time.Time{}, err
		}
		if found {
			hi = mid
		} else {
			lo = mid
		}
	}
	return lo, nil
}

func createdAt(d Doc) (time.Time, error) {
	var c struct {
		CreatedAt time.Time `json:"created_at"`
	}
	err := json.Unmarshal(d.JSON, &c)
	return c.CreatedAt, err
}
