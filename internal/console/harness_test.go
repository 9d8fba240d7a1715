package console_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/console"
	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/ratelimit"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// testActor is who the tests' own setup is recorded as.
var testActor = kyb.Actor{Type: kyb.ActorSystem, ID: "console-test"}

// fastPasswords keeps argon2id cheap in tests.
var fastPasswords = kyb.PasswordParams{Time: 1, Memory: 1024, Threads: 1}

// harness is the real server (API and console) on a real store.
type harness struct {
	URL   string
	Svc   *kyb.Service
	Store kyb.Store
	// Now is the console throttle's clock.
	Now *time.Time
}

type harnessOption func(*harnessConfig)

type harnessConfig struct {
	policy   kyb.ConsolePolicy
	failures ratelimit.Policy
	// fresh gives the harness a database of its own, which no other test
	// imports lists into.
	fresh bool
}

// freshDatabase is a harnessOption for a database of the test's own.
func freshDatabase(c *harnessConfig) { c.fresh = true }

func newHarness(t *testing.T, e storetest.Engine, opts ...harnessOption) *harness {
	t.Helper()
	cfg := harnessConfig{policy: kyb.ConsolePolicy{SessionIdle: 30 * time.Minute, SessionLifetime: 12 * time.Hour, Password: fastPasswords},
		failures: ratelimit.DefaultPolicy}
	for _, o := range opts {
		o(&cfg)
	}
	policy, failures := cfg.policy, cfg.failures
	key := make([]byte, kyb.FileKeySize)
	cipher, err := kyb.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	var store kyb.Store
	if cfg.fresh {
		u := storetest.SQLiteURL(t)
		if e.Name == "postgres" {
			u = storetest.FreshPostgresURL(t)
		}
		var err error
		if store, err = storetest.OpenURL(t, u); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
	} else {
		store = e.Open(t)
	}
	svc := kyb.NewService(store, kyb.WithCipher(cipher), kyb.WithConsolePolicy(policy), kyb.WithRescreenDelay(0))
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	now := time.Now()
	h := &harness{Svc: svc, Store: store, Now: &now}
	api := httpapi.New(svc, log)
	// A test names its client in X-Test-Client to be seen from several
	// addresses; otherwise the client is the API's.
	clientKey := func(r *http.Request) string {
		if c := r.Header.Get("X-Test-Client"); c != "" {
			return c
		}
		return api.ClientKey(r)
	}
	api.Mount("/console", console.New(console.Options{Service: svc, Log: log, ClientKey: clientKey, LoginFailures: failures,
		Now: func() time.Time { return *h.Now }}))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

// account creates an operator with a console account set up with
// password (and a TOTP secret when totp is set) and returns them.
func (h *harness) account(t *testing.T, name string, admin, totp bool) (op kyb.Operator, email, password, secret string) {
	t.Helper()
	ctx := context.Background()
	email = strings.ToLower(name) + "." + kyb.NewID("", time.Now())[:12] + "@example.com"
	setup, err := h.Svc.CreateOperatorAccount(ctx, testActor, name, email, admin)
	if err != nil {
		t.Fatal(err)
	}
	password = "a long passphrase for " + name
	choice := kyb.AccountChoice{Password: password}
	if totp {
		secret, _, _ = kyb.NewTOTP(email)
		choice.TOTPSecret = secret
		choice.TOTPCode, _ = kyb.TOTPCode(secret, time.Now())
	}
	if op, err = h.Svc.CompleteSetup(ctx, setup.Token, choice); err != nil {
		t.Fatal(err)
	}
	return op, email, password, secret
}

// importExcerpts imports the screening package's excerpts of both lists.
func (h *harness) importExcerpts(t *testing.T) {
	t.Helper()
	storetest.ImportListExcerpts(t, h.Svc, testActor)
}

// idCard draws a picture that looks enough like an identity card.
func idCard(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := range 200 {
		for x := range 320 {
			c := color.RGBA{0xdf, 0xe9, 0xf5, 0xff}
			switch {
			case x > 20 && x < 110 && y > 40 && y < 160:
				c = color.RGBA{0x8a, 0x9b, 0xb0, 0xff} // the photo
			case x > 130 && x < 300 && (y/18)%2 == 1 && y > 40 && y < 170:
				c = color.RGBA{0x44, 0x52, 0x66, 0xff} // lines of text
			case y < 24:
				c = color.RGBA{0x0b, 0x57, 0xd0, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// samplePDF is a small PDF with a script in it, which must never run.
const samplePDF = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert('pdf script ran')) >> >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// customerWithHit creates a partner and a customer named name whose
// representative is on the OFAC excerpt (Abu Abbas, born 10 December
// 1948), with an identity card image and a PDF registration document.
func (h *harness) customerWithHit(t *testing.T, name string) (kyb.Credentials, kyb.Customer) {
	t.Helper()
	creds, c := h.customer(t, name, "Acme Payments", api.BasicInfo{FirstNameEnglish: "Abu", LastNameEnglish: "Abbas", FirstName: "Abu", LastName: "Abbas", BirthDate: "1948-12-10T00:00:00Z", Nationality: "GB"})
	if c.Screening == nil || len(c.Screening.Hits) == 0 {
		t.Fatalf("the customer was not screened with a hit: %+v", c.Screening)
	}
	return creds, c
}

// customer creates a partner and a customer of it with person as its
// representative, with the documents of customerWithHit.
func (h *harness) customer(t *testing.T, name, partner string, person api.BasicInfo) (kyb.Credentials, kyb.Customer) {
	t.Helper()
	creds, err := h.Svc.CreatePartner(context.Background(), testActor, partner, false)
	if err != nil {
		t.Fatal(err)
	}
	return creds, h.customerOf(t, creds, name, person)
}

// customerOf creates a customer of a partner.
func (h *harness) customerOf(t *testing.T, creds kyb.Credentials, name string, person api.BasicInfo) kyb.Customer {
	t.Helper()
	ctx := context.Background()
	upload := func(ft kyb.FileType, content []byte) string {
		f, err := h.Svc.UploadFile(ctx, creds.PartnerID, ft, content)
		if err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	front, back, reg := upload(kyb.FileMainPage, idCard(t)), upload(kyb.FileBackPage, idCard(t)), upload(kyb.FileBusinessRegistration, []byte(samplePDF))
	p := api.Profile{
		PartnerCustomerID: "console-" + kyb.NewID("", time.Now())[:16],
		BusinessDetails: &api.BusinessDetails{BusinessName: name, BusinessNameEnglish: name, BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB",
			BusinessIdentifierDocumentList: []string{reg}, BusinessIdentifierStartDate: "2015-03-01T00:00:00Z"},
		RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", Postcode: "EC1A 1AA", CountryCode: "GB"},
		BusinessPersonList: []api.BusinessPerson{{
			BasicInfo:      &person,
			Identification: &api.Identification{IDNumber: "P1234567", IssuingCountryCode: "GB", ExpirationDate: "2031-01-01T00:00:00Z", IssueDate: "2021-01-01T00:00:00Z", DocumentFrontFileID: front, DocumentBackFileID: back},
		}},
	}
	c, _, err := h.Svc.CreateCustomer(ctx, creds.PartnerID, p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// browser is an HTTP client with its own cookies that does not follow
// redirects, the way the tests read each answer.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	// from, when set, is the client address the console is told.
	from string
}

func (h *harness) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: h.URL, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	*http.Response
	Body string
}

func (b *browser) do(method, path string, form url.Values) answer {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.from != "" {
		req.Header.Set("X-Test-Client", b.from)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{resp, string(raw)}
}

func (b *browser) get(path string) answer { return b.do("GET", path, nil) }

var (
	csrfField    = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	versionField = regexp.MustCompile(`name="version" value="([0-9]+)"`)
)

// csrf returns the CSRF token of the first form of a page.
func csrf(t *testing.T, a answer) string {
	t.Helper()
	return hiddenField(t, a, csrfField, "CSRF")
}

// formVersion returns the customer's version a decision form carries.
func formVersion(t *testing.T, a answer) string {
	t.Helper()
	return hiddenField(t, a, versionField, "version")
}

// hiddenField returns what the first field of a page that field matches
// holds.
func hiddenField(t *testing.T, a answer, field *regexp.Regexp, what string) string {
	t.Helper()
	m := field.FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatalf("no %s field on the page (%d):\n%s", what, a.StatusCode, a.Body)
	}
	return m[1]
}

// login signs in through the login form.
func (b *browser) login(email, password, code string) answer {
	b.t.Helper()
	page := b.get("/console/login")
	return b.do("POST", "/console/login", url.Values{"csrf": {csrf(b.t, page)}, "email": {email}, "password": {password}, "totp": {code}, "next": {"/console/"}})
}

// failDelivery gives a partner a webhook endpoint, rejects its customer,
// and makes the delivery of that event fail for good, as the relay would
// after its retries; it returns the event's id.
func (h *harness) failDelivery(t *testing.T, partnerID string, c kyb.Customer) string {
	t.Helper()
	ctx := context.Background()
	ep, err := h.Svc.CreateEndpoint(ctx, testActor, partnerID, "https://hooks.example.com/onboard")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Svc.ChangeStatus(ctx, testActor, c.ID, kyb.StatusChange{Status: kyb.StatusRejected, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	events, err := h.Svc.CustomerEvents(ctx, partnerID, c.ID)
	if err != nil || len(events) != 2 {
		t.Fatalf("events of %s: %d, %v", c.ID, len(events), err)
	}
	rejected := events[1]
	jobs, err := h.Store.ClaimDeliveries(ctx, time.Now().Add(time.Second), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Event.ID == rejected.ID && j.Endpoint.ID == ep.ID {
			a := kyb.Attempt{At: time.Now().UTC().Truncate(time.Microsecond), StatusCode: 503, Error: "http status 503"}
			if err := h.Store.RecordAttempt(ctx, j.Event.ID, ep.ID, j.Attempt, a, kyb.DeliveryFailed, time.Time{}); err != nil {
				t.Fatal(err)
			}
			return j.Event.ID
		}
	}
	t.Fatalf("no delivery of %s to claim", rejected.ID)
	return ""
}
