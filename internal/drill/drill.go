// Package drill runs the fault drills of RELIABILITY.md against the real
// onboard binary: SIGKILL under load, PostgreSQL stopped under load, and
// PostgreSQL blackholed behind a proxy. scripts/drill is its command line;
// its tests run a short kill drill and a short blackhole drill in CI.
//
// PostgreSQL drills need ONBOARD_TEST_POSTGRES_URL (a user that may create
// databases). The outage drill stops and starts the server itself: run it
// only where nothing else needs that server.
package drill

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/client"
)

// drillEnv is a built binary and a fresh database for it.
type drillEnv struct {
	bin, dbURL, key, dir string
	cleanup              []func()
}

func newEnv(engine string) (*drillEnv, error) {
	dir, err := os.MkdirTemp("", "onboard-drill-")
	if err != nil {
		return nil, err
	}
	e := &drillEnv{dir: dir}
	e.cleanup = append(e.cleanup, func() { os.RemoveAll(dir) })
	if e.bin, err = Build(); err != nil {
		return nil, err
	}
	k := make([]byte, 32)
	rand.Read(k)
	e.key = base64.StdEncoding.EncodeToString(k)
	switch engine {
	case "sqlite":
		e.dbURL = "sqlite:" + filepath.Join(dir, "onboard.db")
	case "postgres":
		admin := os.Getenv("ONBOARD_TEST_POSTGRES_URL")
		if admin == "" {
			return nil, errors.New("set ONBOARD_TEST_POSTGRES_URL")
		}
		b := make([]byte, 6)
		rand.Read(b)
		name := "onboard_drill_" + hex.EncodeToString(b)
		if err := pgExec(admin, "CREATE DATABASE "+name); err != nil {
			return nil, err
		}
		e.cleanup = append(e.cleanup, func() { pgExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
		u, _ := url.Parse(admin)
		u.Path = "/" + name
		e.dbURL = u.String()
	default:
		return nil, fmt.Errorf("engine %q: want sqlite or postgres", engine)
	}
	return e, nil
}

func (e *drillEnv) close() {
	for i := len(e.cleanup) - 1; i >= 0; i-- {
		e.cleanup[i]()
	}
}

func pgExec(dbURL, sql string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// newPartnerEnv is newEnv with a partner made in it, whose credentials it
// returns; the caller closes the env.
func newPartnerEnv(engine string) (e *drillEnv, key, secret string, err error) {
	if e, err = newEnv(engine); err != nil {
		return nil, "", "", err
	}
	if key, secret, err = e.partner(); err != nil {
		e.close()
		return nil, "", "", err
	}
	return e, key, secret, nil
}

// partner creates a partner with the CLI and returns a client for it.
func (e *drillEnv) partner() (key, secret string, err error) {
	out, err := exec.Command(e.bin, "partners", "create", "--name", "drill", "--json", "--database-url", e.dbURL, "--file-encryption-key", e.key).Output()
	if err != nil {
		return "", "", fmt.Errorf("partners create: %w", err)
	}
	var c struct{ APIKey, APISecret string }
	if err := json.Unmarshal(out, &struct {
		APIKey    *string `json:"api_key"`
		APISecret *string `json:"api_secret"`
	}{&c.APIKey, &c.APISecret}); err != nil {
		return "", "", err
	}
	return c.APIKey, c.APISecret, nil
}

// Server is "onboard serve" running as a child process.
type Server struct {
	cmd *exec.Cmd
	// URL is where it listens.
	URL string
}

// Serve starts the binary's serve command on a free loopback port with
// extra args, and returns once it listens.
func Serve(bin string, args ...string) (*Server, error) {
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-addr:
		return &Server{cmd: cmd, URL: "http://" + a}, nil
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, errors.New("serve did not start")
	}
}

// Kill kills the process with SIGKILL, as a crash would, and waits for it.
func (s *Server) Kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func (e *drillEnv) serve() (*Server, error) {
	// Drills measure durability, not rate limits: the load may go flat out.
	return Serve(e.bin, "--database-url", e.dbURL, "--file-encryption-key", e.key, "--rate-limit", "0")
}

var built struct {
	once sync.Once
	path string
	err  error
}

// Build builds the onboard binary once per process and returns its path.
func Build() (string, error) {
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "onboard-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "onboard")
		if out, err := exec.Command("go", "build", "-o", built.path, "github.com/onboardkyb/onboard/cmd/onboard").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	return built.path, built.err
}

func customer(pcid string) api.Profile {
	return api.Profile{
		PartnerCustomerID:   pcid,
		BusinessDetails:     &api.BusinessDetails{BusinessName: "Drill Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB"},
		RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
	}
}

// Kill9 is the SIGKILL drill: clients create customers as fast as they
// can, the service is killed at a random moment, restarted, and every
// customer whose create was acknowledged must be there, none twice; the
// unanswered creates, retried, must each exist exactly once. It repeats
// Runs times on one database and, on SQLite, ends with PRAGMA
// integrity_check. It writes a Markdown report to w.
type Kill9 struct {
	Engine  string // sqlite or postgres
	Runs    int
	Workers int
	// MaxWait bounds the random time before each kill (at least 1 s).
	MaxWait time.Duration
}

// Run runs the drill.
func (k Kill9) Run(w io.Writer) error {
	e, key, secret, err := newPartnerEnv(k.Engine)
	if err != nil {
		return err
	}
	defer e.close()
	acked := map[string]string{} // partner_customer_id -> customer_id
	var unknown []string         // creates whose answer never came
	fmt.Fprintf(w, "kill -9 drill on %s, %d runs, %d clients\n\n| run | killed after | acknowledged | unanswered | verified after restart |\n| --- | --- | --- | --- | --- |\n", k.Engine, k.Runs, k.Workers)
	seq := 0
	for run := 1; run <= k.Runs; run++ {
		srv, err := e.serve()
		if err != nil {
			return err
		}
		api := client.New(srv.URL, key, secret)
		api.HTTPClient.Timeout = 5 * time.Second
		var mu sync.Mutex
		runAcked, runUnknown := 0, 0
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < k.Workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					seq++
					pcid := fmt.Sprintf("drill-%02d-%010d-kill9", run, seq)
					mu.Unlock()
					c, err := api.CreateCustomer(context.Background(), customer(pcid))
					if rateLimited(err) {
						time.Sleep(time.Second) // a definite answer: nothing was created
						continue
					}
					mu.Lock()
					if err == nil {
						acked[pcid] = c.CustomerID
						runAcked++
					} else {
						unknown = append(unknown, pcid)
						runUnknown++
					}
					mu.Unlock()
					if err != nil {
						return // the server is gone
					}
				}
			}()
		}
		wait := time.Second + time.Duration(randInt(int(max(k.MaxWait-time.Second, time.Millisecond)/time.Millisecond)))*time.Millisecond
		time.Sleep(wait)
		srv.Kill()
		close(stop)
		wg.Wait()

		// Restart and check every acknowledged create, and settle the
		// unanswered ones by retrying them: each must exist exactly once.
		srv, err = e.serve()
		if err != nil {
			return err
		}
		api = client.New(srv.URL, key, secret)
		stored, err := listAll(srv.URL, key, secret)
		if err != nil {
			srv.Kill()
			return fmt.Errorf("run %d: %w", run, err)
		}
		for pcid, id := range acked {
			if stored[pcid] != id {
				srv.Kill()
				return fmt.Errorf("run %d: acknowledged customer %s (%s) is missing after the restart", run, id, pcid)
			}
		}
		for _, pcid := range unknown {
			c, err := api.CreateCustomer(context.Background(), customer(pcid))
			for rateLimited(err) {
				time.Sleep(time.Second)
				c, err = api.CreateCustomer(context.Background(), customer(pcid))
			}
			if err != nil {
				srv.Kill()
				return fmt.Errorf("run %d: retrying unanswered create %s: %v", run, pcid, err)
			}
			acked[pcid] = c.CustomerID
		}
		unknown = nil
		if stored, err = listAll(srv.URL, key, secret); err != nil {
			srv.Kill()
			return fmt.Errorf("run %d: %w", run, err)
		}
		if len(stored) != len(acked) {
			srv.Kill()
			return fmt.Errorf("run %d: the list has %d customers, want %d", run, len(stored), len(acked))
		}
		fmt.Fprintf(w, "| %d | %s | %d | %d | %d customers, none missing, none twice |\n", run, wait.Round(time.Millisecond), runAcked, runUnknown, len(acked))
		srv.Kill()
	}
	if k.Engine == "sqlite" {
		db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(e.dbURL, "sqlite:"))
		if err != nil {
			return err
		}
		defer db.Close()
		var result string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nPRAGMA integrity_check: %s\n", result)
		if result != "ok" {
			return errors.New("integrity check failed")
		}
	}
	fmt.Fprintf(w, "\nPASS: every acknowledged customer survived %d kills; %d customers, each exactly once.\n", k.Runs, len(acked))
	return nil
}

// listAll walks the partner's whole list and returns its customers by
// partner_customer_id, failing if one appears twice.
func listAll(base, key, secret string) (map[string]string, error) {
	seen := map[string]string{}
	next := ""
	for {
		u := base + "/api/customers?limit=100"
		if next != "" {
			u += "&starting_after=" + next
		}
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("X-API-Key", key)
		req.Header.Set("X-API-Secret", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			resp.Body.Close()
			time.Sleep(time.Second)
			continue
		}
		var page struct {
			Data []struct {
				CustomerID        string `json:"customer_id"`
				PartnerCustomerID string `json:"partner_customer_id"`
			}
			HasMore    bool   `json:"has_more"`
			NextCursor string `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		for _, c := range page.Data {
			if _, dup := seen[c.PartnerCustomerID]; dup {
				return nil, fmt.Errorf("customer %s is stored twice", c.PartnerCustomerID)
			}
			seen[c.PartnerCustomerID] = c.CustomerID
		}
		if !page.HasMore {
			return seen, nil
		}
		next = page.NextCursor
	}
}

// rateLimited reports whether err is a 429: a definite answer that
// nothing was done.
func rateLimited(err error) bool {
	var apiErr *client.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests
}

func randInt(n int) int {
	var b [4]byte
	rand.Read(b[:])
	return int(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3])) % n
}

// sample is one request of the outage drill.
type sample struct {
	start      time.Duration
	latency    time.Duration
	status     int // 0: no answer
	retryAfter bool
	create     bool
}

// Outage is the PostgreSQL outage drill: under load, the server is
// stopped for Duration and started again. Every answer during the outage
// must be a 503 with Retry-After within 2 s, /readyz must say not ready,
// and creates must succeed again within 10 s of the server's return.
type Outage struct {
	Duration    time.Duration
	Stop, Start string // shell commands
	Workers     int
}

// Run runs the drill, writing a Markdown report to w.
func (o Outage) Run(w io.Writer) error {
	e, key, secret, err := newPartnerEnv("postgres")
	if err != nil {
		return err
	}
	defer e.close()
	srv, err := e.serve()
	if err != nil {
		return err
	}
	defer srv.Kill()
	api := client.New(srv.URL, key, secret)
	first, err := api.CreateCustomer(context.Background(), customer("pg-outage-first-customer"))
	if err != nil {
		return err
	}

	t0 := time.Now()
	var mu sync.Mutex
	var samples []sample
	var ready []sample
	stop := make(chan struct{})
	var wg sync.WaitGroup
	httpc := &http.Client{Timeout: 5 * time.Second}
	do := func(method, path, body string) (int, bool) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("X-API-Key", key)
		req.Header.Set("X-API-Secret", secret)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := httpc.Do(req)
		if err != nil {
			return 0, false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After") != ""
	}
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				create := i%2 == 0
				start := time.Now()
				var status int
				var ra bool
				if create {
					b, _ := json.Marshal(customer(fmt.Sprintf("pg-outage-%d-%08d-customer", w, i)))
					status, ra = do("POST", "/api/customers/create", string(b))
				} else {
					status, ra = do("GET", "/api/customers/"+first.CustomerID, "")
				}
				mu.Lock()
				samples = append(samples, sample{start.Sub(t0), time.Since(start), status, ra, create})
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			start := time.Now()
			status, _ := do("GET", "/readyz", "")
			mu.Lock()
			ready = append(ready, sample{start: start.Sub(t0), status: status})
			mu.Unlock()
		}
	}()

	time.Sleep(3 * time.Second)
	if out, err := exec.Command("sh", "-c", o.Stop).CombinedOutput(); err != nil {
		close(stop)
		return fmt.Errorf("stop PostgreSQL: %v\n%s", err, out)
	}
	down := time.Since(t0)
	time.Sleep(o.Duration)
	if out, err := exec.Command("sh", "-c", o.Start).CombinedOutput(); err != nil {
		close(stop)
		return fmt.Errorf("start PostgreSQL: %v\n%s", err, out)
	}
	up := time.Since(t0)
	time.Sleep(15 * time.Second)
	close(stop)
	wg.Wait()

	// During the outage: every answer a 503 with Retry-After (reads of a
	// cached key may still be 503 or, for nothing in the database, never
	// 500), none slower than 2 s.
	var during, bad, slow, fiveHundreds, unanswered int
	var maxLatency time.Duration
	statuses := map[int]int{}
	for _, s := range samples {
		if s.status >= 500 && s.status != 503 {
			fiveHundreds++
		}
		if s.start < down || s.start > up {
			continue
		}
		during++
		statuses[s.status]++
		maxLatency = max(maxLatency, s.latency)
		if s.latency > 2*time.Second {
			slow++
		}
		if s.status == 0 {
			unanswered++
		}
		if s.status == 503 && !s.retryAfter {
			bad++
		}
	}
	notReady := false
	for _, r := range ready {
		if r.start > down+time.Second && r.start < up && r.status == 503 {
			notReady = true
		}
	}
	// Recovery: the first successful create after PostgreSQL is back.
	recovered := time.Duration(-1)
	sort.Slice(samples, func(i, j int) bool { return samples[i].start < samples[j].start })
	for _, s := range samples {
		if s.start > up && s.create && s.status == 200 {
			recovered = s.start + s.latency - up
			break
		}
	}
	fmt.Fprintf(w, "PostgreSQL outage drill: down at %s for %s, %d clients\n\n", down.Round(time.Millisecond), (up - down).Round(time.Millisecond), o.Workers)
	fmt.Fprintf(w, "| measure | result |\n| --- | --- |\n")
	fmt.Fprintf(w, "| requests during the outage | %d, by status %v |\n", during, statuses)
	fmt.Fprintf(w, "| slowest answer during the outage | %s |\n", maxLatency.Round(time.Millisecond))
	fmt.Fprintf(w, "| answers over 2 s / unanswered | %d / %d |\n", slow, unanswered)
	fmt.Fprintf(w, "| 503 without Retry-After | %d |\n", bad)
	fmt.Fprintf(w, "| 5xx other than 503 (whole run) | %d |\n", fiveHundreds)
	fmt.Fprintf(w, "| /readyz said not ready during the outage | %t |\n", notReady)
	fmt.Fprintf(w, "| first successful create after PostgreSQL returned | %s |\n", recovered.Round(time.Millisecond))
	switch {
	case slow > 0 || unanswered > 0:
		return errors.New("FAIL: requests hung during the outage")
	case bad > 0 || fiveHundreds > 0:
		return errors.New("FAIL: answers other than 503 with Retry-After")
	case !notReady:
		return errors.New("FAIL: /readyz did not report the outage")
	case recovered < 0 || recovered > 10*time.Second:
		return errors.New("FAIL: the service did not recover within 10 s")
	}
	fmt.Fprintln(w, "\nPASS")
	return nil
}

// Blackhole is the drill of a database that stops answering without
// closing anything: the service reaches PostgreSQL through a local TCP
// proxy, which at some point drops every byte while keeping its
// connections open. Creates must then get 503 with Retry-After within
// Bound (none may hang), and once the proxy forwards again creates must
// succeed, with nobody restarting the service.
type Blackhole struct {
	// Timeout is the service's --db-timeout.
	Timeout time.Duration
	// Bound is the longest a create may take to answer during the
	// blackhole: the deadline plus slack.
	Bound time.Duration
	// Hold is how long the proxy drops bytes.
	Hold    time.Duration
	Workers int
}

// Run runs the drill, writing a Markdown report to w.
func (b Blackhole) Run(w io.Writer) error {
	e, key, secret, err := newPartnerEnv("postgres")
	if err != nil {
		return err
	}
	defer e.close()
	u, err := url.Parse(e.dbURL)
	if err != nil {
		return err
	}
	proxy, err := NewProxy(u.Host)
	if err != nil {
		return err
	}
	defer proxy.Close()
	u.Host = proxy.Addr()
	srv, err := Serve(e.bin, "--database-url", u.String(), "--file-encryption-key", e.key, "--rate-limit", "0", "--db-timeout", b.Timeout.String())
	if err != nil {
		return err
	}
	defer srv.Kill()
	httpc := &http.Client{Timeout: b.Bound + 10*time.Second}
	seq := 0
	var mu sync.Mutex
	create := func() sample {
		mu.Lock()
		seq++
		body, _ := json.Marshal(customer(fmt.Sprintf("blackhole-%010d-customer", seq)))
		mu.Unlock()
		req, _ := http.NewRequest("POST", srv.URL+"/api/customers/create", strings.NewReader(string(body)))
		req.Header.Set("X-API-Key", key)
		req.Header.Set("X-API-Secret", secret)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := httpc.Do(req)
		s := sample{latency: time.Since(start), create: true}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			s.status, s.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After") != ""
		}
		return s
	}
	// Warm the pool with connections of several workers at once, so that
	// the blackhole swallows connections the service believes healthy.
	load := func(until time.Time) []sample {
		var out []sample
		var wg sync.WaitGroup
		for range b.Workers {
			wg.Go(func() {
				for time.Now().Before(until) {
					s := create()
					mu.Lock()
					out = append(out, s)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return out
	}
	before := load(time.Now().Add(time.Second))
	for _, s := range before {
		if s.status != http.StatusOK {
			return fmt.Errorf("before the blackhole a create got %d, want 200", s.status)
		}
	}

	proxy.Blackhole(true)
	during := load(time.Now().Add(b.Hold))
	proxy.Blackhole(false)
	restored := time.Now()

	// Recovery: creates until one succeeds, for at most 30 s.
	recovered := time.Duration(-1)
	for time.Since(restored) < 30*time.Second {
		if s := create(); s.status == http.StatusOK {
			recovered = time.Since(restored)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	statuses := map[int]int{}
	var slow, noRetryAfter int
	var slowest time.Duration
	for _, s := range during {
		statuses[s.status]++
		slowest = max(slowest, s.latency)
		if s.latency > b.Bound {
			slow++
		}
		if s.status == http.StatusServiceUnavailable && !s.retryAfter {
			noRetryAfter++
		}
	}
	fmt.Fprintf(w, "PostgreSQL blackhole drill: --db-timeout %s, bound %s, blackhole for %s, %d clients\n\n", b.Timeout, b.Bound, b.Hold, b.Workers)
	fmt.Fprintf(w, "| measure | result |\n| --- | --- |\n")
	fmt.Fprintf(w, "| creates before the blackhole | %d, all 200 |\n", len(before))
	fmt.Fprintf(w, "| creates during the blackhole | %d, by status %v |\n", len(during), statuses)
	fmt.Fprintf(w, "| slowest answer during the blackhole | %s |\n", slowest.Round(time.Millisecond))
	fmt.Fprintf(w, "| answers over the bound | %d |\n", slow)
	fmt.Fprintf(w, "| 503 without Retry-After | %d |\n", noRetryAfter)
	fmt.Fprintf(w, "| first successful create after forwarding resumed | %s |\n", recovered.Round(time.Millisecond))
	switch {
	case len(during) == 0:
		return errors.New("FAIL: no create was answered during the blackhole")
	case statuses[http.StatusServiceUnavailable] != len(during):
		return errors.New("FAIL: answers other than 503 during the blackhole")
	case slow > 0:
		return errors.New("FAIL: answers slower than the bound")
	case noRetryAfter > 0:
		return errors.New("FAIL: 503 without Retry-After")
	case recovered < 0:
		return errors.New("FAIL: creates did not succeed again within 30 s of forwarding resuming")
	}
	fmt.Fprintln(w, "\nPASS")
	return nil
}
