package console_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/ratelimit"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0])
	a := h.browser(t).get("/console/login")
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"Cache-Control":           "no-store",
	}
	for k, v := range want {
		if got := a.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if strings.Contains(a.Body, "<script>") || strings.Contains(a.Body, "onclick") {
		t.Error("the login page has inline script")
	}
	if a := h.browser(t).get("/console/no/such/page"); a.StatusCode != http.StatusNotFound || !strings.Contains(a.Body, "There is no such page in the console.") ||
		a.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("an unknown console page = %d %q", a.StatusCode, a.Body)
	}
}

func TestLoginSessionAndLogout(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e)
		_, email, password, _ := h.account(t, "Rita", false, false)
		b := h.browser(t)

		// Not signed in: the queue sends to the login page, which brings
		// the operator back.
		a := b.get("/console/?status=active")
		if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/console/login?next=%2Fconsole%2F%3Fstatus%3Dactive" {
			t.Fatalf("queue without a session = %d %s", a.StatusCode, a.Header.Get("Location"))
		}
		if a := b.login(email, "wrong password here", ""); a.StatusCode != http.StatusUnauthorized || !strings.Contains(a.Body, "The email, password or authenticator code is wrong.") {
			t.Errorf("a wrong password = %d, want 401 with the message", a.StatusCode)
		}
		a = b.login(email, password, "")
		if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/console/" {
			t.Fatalf("login = %d %s\n%s", a.StatusCode, a.Header.Get("Location"), a.Body)
		}
		var session *http.Cookie
		for _, c := range a.Cookies() {
			if c.Name == "onboard_session" {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure || session.Path != "/console" {
			t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Strict, not Secure on loopback, path /console", session)
		}
		queue := b.get("/console/")
		if queue.StatusCode != http.StatusOK || !strings.Contains(queue.Body, "Review queue") || !strings.Contains(queue.Body, "Rita") {
			t.Fatalf("queue = %d\n%s", queue.StatusCode, queue.Body)
		}
		// A second login rotates the session: the first cookie is dead.
		b.login(email, password, "")
		old := h.browser(t)
		old.client.Jar.SetCookies(mustURL(t, h.URL+"/console/"), []*http.Cookie{{Name: "onboard_session", Value: session.Value, Path: "/console"}})
		if a := old.get("/console/"); a.StatusCode != http.StatusSeeOther {
			t.Errorf("the session before the second login = %d, want the login page", a.StatusCode)
		}
		// Logout needs the CSRF token, then ends the session.
		queue = b.get("/console/")
		if a := b.do("POST", "/console/logout", url.Values{}); a.StatusCode != http.StatusForbidden {
			t.Errorf("logout without the CSRF token = %d, want 403", a.StatusCode)
		}
		if a := b.do("POST", "/console/logout", url.Values{"csrf": {csrf(t, queue)}}); a.StatusCode != http.StatusSeeOther || !strings.Contains(a.Header.Get("Location"), "logged_out") {
			t.Errorf("logout = %d %s", a.StatusCode, a.Header.Get("Location"))
		}
		if a := b.get("/console/"); a.StatusCode != http.StatusSeeOther {
			t.Errorf("queue after logout = %d, want the login page", a.StatusCode)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestExpiredSession(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0], func(c *harnessConfig) {
		c.policy.SessionIdle = time.Second
		c.policy.SessionLifetime = time.Hour
	})
	_, email, password, _ := h.account(t, "Ivo", false, false)
	b := h.browser(t)
	b.login(email, password, "")
	time.Sleep(1100 * time.Millisecond)
	a := b.get("/console/customers/cus_0123456789abcdef0123456789abcdef")
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/console/login?next=%2Fconsole%2Fcustomers%2Fcus_0123456789abcdef0123456789abcdef&reason=expired" {
		t.Fatalf("an expired session = %d %s", a.StatusCode, a.Header.Get("Location"))
	}
	// A form sent with an expired session says so and leads to the login
	// page, which brings the operator back to the page of the form.
	b.login(email, password, "")
	time.Sleep(1100 * time.Millisecond)
	req, _ := http.NewRequest("POST", h.URL+"/console/customers/cus_0123456789abcdef0123456789abcdef/status", strings.NewReader("status=active&reason=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", h.URL+"/console/customers/cus_0123456789abcdef0123456789abcdef")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "Your session has expired. Sign in again to continue.") ||
		!strings.Contains(string(body), `href="/console/login?next=%2Fconsole%2Fcustomers%2Fcus_0123456789abcdef0123456789abcdef&amp;reason=expired"`) {
		t.Errorf("a form with an expired session = %d\n%s", resp.StatusCode, body)
	}
	login := b.get(a.Header.Get("Location"))
	if !strings.Contains(login.Body, "Your session has expired. Sign in again to go back to where you were.") ||
		!strings.Contains(login.Body, `name="next" value="/console/customers/cus_0123456789abcdef0123456789abcdef"`) {
		t.Errorf("login page after expiry:\n%s", login.Body)
	}
}

func TestLoginThrottle(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0], func(c *harnessConfig) {
		c.failures = ratelimit.Policy{Failures: 3, Window: time.Minute, Block: time.Minute, MaxBlock: time.Minute, Forget: time.Hour, MaxKeys: 100}
	})
	_, email, password, _ := h.account(t, "Tom", false, false)
	b := h.browser(t)
	for i := range 3 {
		if a := b.login(email, "not the password", ""); a.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d", i+1, a.StatusCode)
		}
	}
	a := b.login(email, password, "")
	if a.StatusCode != http.StatusTooManyRequests || !strings.Contains(a.Body, "Too many failed sign-ins. Try again in 60 seconds.") {
		t.Errorf("the right password after the failures = %d, want 429 with the wait\n%s", a.StatusCode, a.Body)
	}
	*h.Now = h.Now.Add(61 * time.Second)
	if a := b.login(email, password, ""); a.StatusCode != http.StatusSeeOther {
		t.Errorf("after the block = %d, want signed in", a.StatusCode)
	}

	// Guesses at one email from many addresses block the email: further
	// wrong passwords get the wait, but the right one still signs in, so
	// the guesser cannot lock the operator out.
	for i := range 3 {
		guesser := h.browser(t)
		guesser.from = fmt.Sprintf("192.0.2.%d", i+1)
		if a := guesser.login(email, "a guess at it", ""); a.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d, want 401", i+1, a.StatusCode)
		}
	}
	guesser := h.browser(t)
	guesser.from = "192.0.2.99"
	if a := guesser.login(email, "another guess", ""); a.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a guess at a blocked email = %d, want 429", a.StatusCode)
	}
	owner := h.browser(t)
	owner.from = "198.51.100.7"
	if a := owner.login(email, password, ""); a.StatusCode != http.StatusSeeOther {
		t.Errorf("the right password for a blocked email = %d, want signed in", a.StatusCode)
	}
}

func TestReviewThroughForms(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e)
		h.importExcerpts(t)
		_, c := h.customerWithHit(t, "<script>alert(1)</script>")
		_, email, password, _ := h.account(t, "Rev", false, false)
		b := h.browser(t)
		b.login(email, password, "")

		page := b.get("/console/customers/" + c.ID)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("customer page = %d\n%s", page.StatusCode, page.Body)
		}
		if strings.Contains(page.Body, "<script>alert(1)</script>") || !strings.Contains(page.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("the hostile business name is not escaped")
		}
		for _, want := range []string{"ABBAS, Abu", "SDGT", "1948", "<img src=\"/console/customers/" + c.ID + "/files/", "Open the PDF", ">Approve<", ">Reject<"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("customer page lacks %q", want)
			}
		}
		// Documents: only those the application names, with headers that
		// run nothing.
		front := c.Profile.BusinessPersonList[0].Identification.DocumentFrontFileID
		doc := b.get("/console/customers/" + c.ID + "/files/" + front)
		if doc.StatusCode != http.StatusOK || doc.Header.Get("Content-Type") != "image/png" || !strings.Contains(doc.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("document = %d %s %s", doc.StatusCode, doc.Header.Get("Content-Type"), doc.Header.Get("Content-Security-Policy"))
		}
		pdf := b.get("/console/customers/" + c.ID + "/files/" + c.Profile.BusinessDetails.BusinessIdentifierDocumentList[0])
		if pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(pdf.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("pdf = %d %s %s", pdf.StatusCode, pdf.Header.Get("Content-Type"), pdf.Header.Get("Content-Security-Policy"))
		}
		if a := b.get("/console/customers/" + c.ID + "/files/file_0123456789abcdef0123456789abcdef"); a.StatusCode != http.StatusNotFound {
			t.Errorf("a file the application does not name = %d, want 404", a.StatusCode)
		}

		token, version := csrf(t, page), formVersion(t, page)
		post := func(form url.Values) answer { return b.do("POST", "/console/customers/"+c.ID+"/status", form) }
		if a := post(url.Values{"status": {"active"}, "reason": {"ok"}, "version": {version}}); a.StatusCode != http.StatusForbidden {
			t.Errorf("a decision without the CSRF token = %d, want 403", a.StatusCode)
		}
		if a := post(url.Values{"csrf": {token}, "status": {"active"}, "reason": {"  "}, "version": {version}}); a.StatusCode != http.StatusBadRequest || !strings.Contains(a.Body, "Give a reason") {
			t.Errorf("a decision without a reason = %d", a.StatusCode)
		}
		if a := post(url.Values{"csrf": {token}, "status": {"suspended"}, "reason": {"no"}, "version": {version}}); a.StatusCode != http.StatusConflict {
			t.Errorf("suspending a pending customer = %d, want 409", a.StatusCode)
		}
		// A decision is of the version the page showed: a page older than
		// the customer is refused, and so is a form without a version.
		if a := post(url.Values{"csrf": {token}, "status": {"rejected"}, "reason": {"no"}, "version": {"2"}}); a.StatusCode != http.StatusConflict || !strings.Contains(a.Body, "changed since this page was loaded") {
			t.Errorf("a decision on another version = %d:\n%s", a.StatusCode, a.Body)
		}
		if a := post(url.Values{"csrf": {token}, "status": {"rejected"}, "reason": {"no"}}); a.StatusCode != http.StatusBadRequest {
			t.Errorf("a decision without the version = %d, want 400", a.StatusCode)
		}
		a := post(url.Values{"csrf": {token}, "status": {"rejected"}, "reason": {"the director is listed"}, "version": {version}})
		if a.StatusCode != http.StatusSeeOther {
			t.Fatalf("reject = %d\n%s", a.StatusCode, a.Body)
		}
		after := b.get(a.Header.Get("Location"))
		if !strings.Contains(after.Body, "Rejected.") || !strings.Contains(after.Body, "the director is listed") || !strings.Contains(after.Body, "status pending → rejected") {
			t.Errorf("after rejecting:\n%s", after.Body)
		}

		// A reviewer cannot open admin pages or send their forms.
		if a := b.get("/console/admin/partners"); a.StatusCode != http.StatusForbidden {
			t.Errorf("a reviewer on the partners page = %d, want 403", a.StatusCode)
		}
		if a := b.do("POST", "/console/admin/partners", url.Values{"csrf": {token}, "name": {"Sneaky"}}); a.StatusCode != http.StatusForbidden {
			t.Errorf("a reviewer creating a partner = %d, want 403", a.StatusCode)
		}
	})
}

func TestAdminPages(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0])
	h.importExcerpts(t)
	creds, _ := h.customerWithHit(t, "Admin Test Ltd")
	_, email, password, _ := h.account(t, "Ada", true, false)
	b := h.browser(t)
	b.login(email, password, "")
	for _, path := range []string{"/console/admin/partners", "/console/admin/operators", "/console/admin/webhooks", "/console/admin/lists"} {
		if a := b.get(path); a.StatusCode != http.StatusOK {
			t.Errorf("%s = %d\n%s", path, a.StatusCode, a.Body)
		}
	}
	page := b.get("/console/admin/operators")
	token := csrf(t, page)
	a := b.do("POST", "/console/admin/operators", url.Values{"csrf": {token}, "name": {"New Reviewer"}, "email": {"new.reviewer@example.com"}, "role": {"reviewer"}})
	if a.StatusCode != http.StatusOK || !strings.Contains(a.Body, "/console/setup?token=ost_") {
		t.Fatalf("create operator = %d\n%s", a.StatusCode, a.Body)
	}
	created := a
	link := a.Body[strings.Index(a.Body, "/console/setup?token="):]
	link = link[:strings.Index(link, "<")]
	// The new operator sets up their account from the link.
	nb := h.browser(t)
	setup := nb.get(strings.ReplaceAll(link, "&amp;", "&"))
	if setup.StatusCode != http.StatusOK || !strings.Contains(setup.Body, "New Reviewer") || !strings.Contains(setup.Body, `href="otpauth://totp/onboard:new.reviewer@example.com?`) {
		t.Fatalf("set-up page = %d\n%s", setup.StatusCode, setup.Body)
	}
	tok := link[len("/console/setup?token="):]
	form := url.Values{"csrf": {csrf(t, setup)}, "token": {tok}, "password": {"password123456"}, "password_again": {"password123456"}}
	if a := nb.do("POST", "/console/setup", form); a.StatusCode != http.StatusBadRequest || !strings.Contains(a.Body, "most common passwords") {
		t.Errorf("a common password at set-up = %d\n%s", a.StatusCode, a.Body)
	}
	form.Set("password", "a brand new passphrase")
	form.Set("password_again", "a brand new passphrase")
	if a := nb.do("POST", "/console/setup", form); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("set-up = %d\n%s", a.StatusCode, a.Body)
	}
	if a := nb.login("new.reviewer@example.com", "a brand new passphrase", ""); a.StatusCode != http.StatusSeeOther {
		t.Errorf("the new operator's login = %d\n%s", a.StatusCode, a.Body)
	}
	// Disabling them ends their session at once.
	newID := regexp.MustCompile(`operator_id</dt><dd><code class="secret">(opr_[0-9a-f]+)`).FindStringSubmatch(created.Body)
	if newID == nil {
		t.Fatalf("no operator id on the page:\n%s", created.Body)
	}
	if a := b.do("POST", "/console/admin/operators/"+newID[1]+"/disable", url.Values{"csrf": {token}}); a.StatusCode != http.StatusSeeOther {
		t.Errorf("disable = %d\n%s", a.StatusCode, a.Body)
	}
	if a := nb.get("/console/"); a.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled operator's session = %d, want the login page", a.StatusCode)
	}
	// Keys: a new one shows its secret once; revoking works.
	a = b.do("POST", "/console/admin/partners/"+creds.PartnerID+"/keys", url.Values{"csrf": {token}})
	if a.StatusCode != http.StatusOK || !strings.Contains(a.Body, "api_secret") {
		t.Errorf("new key = %d\n%s", a.StatusCode, a.Body)
	}
	if a := b.do("POST", "/console/admin/keys/revoke", url.Values{"csrf": {token}, "api_key": {creds.APIKey}}); a.StatusCode != http.StatusOK {
		t.Errorf("revoke = %d\n%s", a.StatusCode, a.Body)
	}
	if a := b.do("POST", "/console/admin/partners/"+creds.PartnerID+"/rate-limit", url.Values{"csrf": {token}, "requests_per_second": {"5"}, "burst": {"10"}}); a.StatusCode != http.StatusSeeOther {
		t.Errorf("rate limit = %d\n%s", a.StatusCode, a.Body)
	}
	if a := b.do("POST", "/console/admin/partners/"+creds.PartnerID+"/rate-limit", url.Values{"csrf": {token}, "requests_per_second": {"-1"}, "burst": {"10"}}); a.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad rate limit = %d", a.StatusCode)
	}
	if a := b.do("POST", "/console/admin/partners/"+creds.PartnerID+"/policy", url.Values{"csrf": {token}, "policy": {"auto_approve_clean"}}); a.StatusCode != http.StatusSeeOther {
		t.Errorf("policy = %d\n%s", a.StatusCode, a.Body)
	}
	if p, _ := h.Svc.PartnerPolicy(t.Context(), creds.PartnerID); p != kyb.PolicyAutoApproveClean {
		t.Errorf("policy after the form = %s", p)
	}
	// A failed delivery is listed, and sent again from the list.
	_, other := h.customer(t, "Hooked Ltd", "Hooked partner", api.BasicInfo{FirstName: "Lena", LastName: "Berg", FirstNameEnglish: "Lena", LastNameEnglish: "Berg", BirthDate: "1980-01-01T00:00:00Z", Nationality: "SE"})
	event := h.failDelivery(t, other.PartnerID, other)
	hooks := b.get("/console/admin/webhooks")
	if !strings.Contains(hooks.Body, event) || !strings.Contains(hooks.Body, "HTTP 503") || !strings.Contains(hooks.Body, "Hooked partner") {
		t.Errorf("the webhooks page does not list the failed delivery of %s:\n%s", event, hooks.Body)
	}
	a = b.do("POST", "/console/admin/events/"+event+"/redeliver", url.Values{"csrf": {token}, "back": {"/console/admin/webhooks"}})
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/console/admin/webhooks?done=redelivered" {
		t.Errorf("redeliver = %d %s", a.StatusCode, a.Header.Get("Location"))
	}
	if hooks := b.get(a.Header.Get("Location")); strings.Contains(hooks.Body, "<td class=\"id\">"+event) || !strings.Contains(hooks.Body, "queued for delivery again") {
		t.Errorf("after redelivery the webhooks page:\n%s", hooks.Body)
	}
	partners := b.get("/console/admin/partners")
	if !strings.Contains(partners.Body, "5 requests per second, bursts of 10") {
		t.Errorf("partners page does not show the rate limit")
	}
}

func TestTwoApprovalsAndQueueFilters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e)
		h.importExcerpts(t)
		creds, c := h.customerWithHit(t, "Two Person Trading Ltd")
		_, e1, p1, _ := h.account(t, "First", false, false)
		_, e2, p2, _ := h.account(t, "Second", false, false)
		first, second := h.browser(t), h.browser(t)
		first.login(e1, p1, "")
		second.login(e2, p2, "")

		// The queue: counts per status and the risk and hits filters.
		q := "/console/?status=pending&partner=" + creds.PartnerID
		for _, tt := range []struct {
			filter string
			listed bool
		}{{"", true}, {"&risk=high", true}, {"&risk=low", false}, {"&hits=yes", true}, {"&hits=no", false}} {
			a := first.get(q + tt.filter)
			if a.StatusCode != http.StatusOK || strings.Contains(a.Body, c.ID) != tt.listed {
				t.Errorf("queue%s = %d, listed %t, want %t", tt.filter, a.StatusCode, strings.Contains(a.Body, c.ID), tt.listed)
			}
		}
		if a := first.get(q); !strings.Contains(a.Body, `status-pending">pending</span> <strong>1</strong>`) {
			t.Errorf("the queue does not count the partner's one pending customer:\n%s", a.Body)
		}
		if a := first.get("/console/?risk=extreme"); a.StatusCode != http.StatusBadRequest || !strings.Contains(a.Body, "Risk must be one of low, medium, high.") {
			t.Errorf("a bad risk filter = %d", a.StatusCode)
		}

		approve := func(b *browser, reason string) answer {
			page := b.get("/console/customers/" + c.ID)
			return b.do("POST", "/console/customers/"+c.ID+"/status", url.Values{"csrf": {csrf(t, page)}, "status": {"active"}, "reason": {reason}, "version": {formVersion(t, page)}})
		}
		a := approve(first, "checked the passport")
		if a.StatusCode != http.StatusSeeOther || !strings.HasSuffix(a.Header.Get("Location"), "done=pending") {
			t.Fatalf("the first approval = %d %s", a.StatusCode, a.Header.Get("Location"))
		}
		if page := second.get("/console/customers/" + c.ID); !strings.Contains(page.Body, "Awaiting second approval.") || !strings.Contains(page.Body, "checked the passport") ||
			!strings.Contains(page.Body, "approval recorded, awaiting a second</strong> <span class=\"muted\">by First (opr_") {
			t.Errorf("the customer after one approval:\n%s", page.Body)
		}
		if a := approve(first, "again"); a.StatusCode != http.StatusConflict || !strings.Contains(a.Body, "a second operator must give the other approval") {
			t.Errorf("the same operator's second approval = %d\n%s", a.StatusCode, a.Body)
		}
		if a := approve(second, "agreed"); a.StatusCode != http.StatusSeeOther || !strings.HasSuffix(a.Header.Get("Location"), "done=active") {
			t.Errorf("the second operator's approval = %d %s", a.StatusCode, a.Header.Get("Location"))
		}
		if got, _ := h.Svc.CustomerForOperator(t.Context(), c.ID); got.Status != kyb.StatusActive {
			t.Errorf("after two approvals the customer is %s", got.Status)
		}
	})
}

func TestQueuePages(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0])
	_, email, password, _ := h.account(t, "Pia", false, false)
	creds, first := h.customer(t, "Company 00", "Many customers", api.BasicInfo{FirstName: "Ola", LastName: "Nordmann", BirthDate: "1970-01-01T00:00:00Z", Nationality: "NO"})
	want := []string{first.ID}
	for i := 1; i < 27; i++ {
		c := h.customerOf(t, creds, fmt.Sprintf("Company %02d", i), api.BasicInfo{FirstName: "Ola", LastName: "Nordmann", BirthDate: "1970-01-01T00:00:00Z", Nationality: "NO"})
		want = append(want, c.ID)
	}
	b := h.browser(t)
	b.login(email, password, "")
	rows := regexp.MustCompile(`href="/console/customers/(cus_[0-9a-f]+)"`)
	next := regexp.MustCompile(`href="(/console/\?[^"]+)" rel="next"`)
	var got []string
	path := "/console/?partner=" + creds.PartnerID
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("more pages than customers")
		}
		a := b.get(path)
		if a.StatusCode != http.StatusOK {
			t.Fatalf("%s = %d\n%s", path, a.StatusCode, a.Body)
		}
		for _, m := range rows.FindAllStringSubmatch(a.Body, -1) {
			got = append(got, m[1])
		}
		if pages > 0 && !strings.Contains(a.Body, ">First page<") {
			t.Errorf("page %d has no link to the first", pages+1)
		}
		path = ""
		if m := next.FindStringSubmatch(a.Body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the queue's pages list\n%v\nwant every customer once, oldest first\n%v", got, want)
	}
}

func TestSetupWithTOTP(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0], func(c *harnessConfig) { c.policy.AdminTOTP = true })
	setup, err := h.Svc.CreateOperatorAccount(t.Context(), testActor, "Tia", "tia@example.com", true)
	if err != nil {
		t.Fatal(err)
	}
	b := h.browser(t)
	page := b.get("/console/setup?token=" + setup.Token)
	m := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(page.Body)
	if page.StatusCode != http.StatusOK || m == nil || !strings.Contains(page.Body, "(required for admins)") {
		t.Fatalf("set-up page = %d\n%s", page.StatusCode, page.Body)
	}
	secret := m[1]
	form := url.Values{"csrf": {csrf(t, page)}, "token": {setup.Token}, "totp_secret": {secret}, "password": {"an admin's long passphrase"}, "password_again": {"an admin's long passphrase"}}
	for _, tt := range []struct {
		useTOTP, code, want string
	}{
		{"", "", "admins must turn on the authenticator code"},
		{"1", "000000", "the code does not match"},
	} {
		form.Set("use_totp", tt.useTOTP)
		form.Set("totp", tt.code)
		if a := b.do("POST", "/console/setup", form); a.StatusCode != http.StatusBadRequest || !strings.Contains(a.Body, tt.want) || !strings.Contains(a.Body, secret) {
			t.Errorf("set-up with use_totp=%q code %q = %d, want 400 saying %q and the same secret offered", tt.useTOTP, tt.code, a.StatusCode, tt.want)
		}
	}
	code, _ := kyb.TOTPCode(secret, time.Now())
	form.Set("use_totp", "1")
	form.Set("totp", code)
	if a := b.do("POST", "/console/setup", form); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("set-up with the right code = %d\n%s", a.StatusCode, a.Body)
	}
	if a := b.login("tia@example.com", "an admin's long passphrase", ""); a.StatusCode != http.StatusUnauthorized {
		t.Errorf("login without the code = %d, want 401", a.StatusCode)
	}
	if a := b.login("tia@example.com", "an admin's long passphrase", code); a.StatusCode != http.StatusSeeOther {
		t.Errorf("login with the code = %d\n%s", a.StatusCode, a.Body)
	}
	if a := b.login("tia@example.com", "an admin's long passphrase", code); a.StatusCode != http.StatusUnauthorized {
		t.Errorf("the same code again = %d, want 401", a.StatusCode)
	}
}

// TestMonitoringMarkThroughForms: an active customer that re-screening
// finds a new hit for is badged in the queue and on its page, and two
// operators clear the mark with a reason (the hit makes its risk high);
// its status never changes.
func TestMonitoringMarkThroughForms(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e, freshDatabase)
		creds, c := h.customer(t, "Later Listed Ltd", "Acme Payments", api.BasicInfo{FirstNameEnglish: "Abu", LastNameEnglish: "Abbas",
			FirstName: "Abu", LastName: "Abbas", BirthDate: "1948-12-10T00:00:00Z", Nationality: "GB"})
		if c.Screening != nil {
			t.Fatalf("screened before any list: %+v", c.Screening)
		}
		if _, err := h.Svc.ChangeStatus(t.Context(), testActor, c.ID, kyb.StatusChange{Status: kyb.StatusActive, Reason: "verified"}); err != nil {
			t.Fatal(err)
		}
		h.importExcerpts(t)
		if _, err := h.Svc.RunRescreen(t.Context(), "test"); err != nil {
			t.Fatal(err)
		}
		op, email, password, _ := h.account(t, "Mona", false, false)
		b := h.browser(t)
		b.login(email, password, "")
		marked := "/console/?status=active&review=marked&partner=" + creds.PartnerID
		if a := b.get(marked); a.StatusCode != http.StatusOK || !strings.Contains(a.Body, c.ID) || !strings.Contains(a.Body, "new hit: review") {
			t.Fatalf("the queue of marked customers = %d, lists the customer %t:\n%s", a.StatusCode, strings.Contains(a.Body, c.ID), a.Body)
		}
		page := b.get("/console/customers/" + c.ID)
		if !strings.Contains(page.Body, "Marked for review") || !strings.Contains(page.Body, "Clear review") || !strings.Contains(page.Body, "clearing the mark needs two different operators") {
			t.Fatalf("the marked customer's page lacks the mark or the two-person rule:\n%s", page.Body)
		}
		if a := b.do("POST", "/console/customers/"+c.ID+"/clear-review", url.Values{"csrf": {csrf(t, page)}, "reason": {""}}); a.StatusCode != http.StatusBadRequest {
			t.Errorf("clearing without a reason = %d, want 400", a.StatusCode)
		}
		// The hit makes the customer's risk high: Mona's clearance is the
		// first of two, then another operator's removes the mark.
		a := b.do("POST", "/console/customers/"+c.ID+"/clear-review", url.Values{"csrf": {csrf(t, page)}, "reason": {"namesake: born 1975, not 1948"}})
		if a.StatusCode != http.StatusSeeOther || !strings.HasSuffix(a.Header.Get("Location"), "done=clearance") {
			t.Fatalf("the first clearance = %d %s\n%s", a.StatusCode, a.Header.Get("Location"), a.Body)
		}
		page = b.get(a.Header.Get("Location"))
		for _, want := range []string{"Your clearance is recorded", "Awaiting a second clearance", "Cleared by <code>" + op.ID} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the page after the first clearance lacks %q:\n%s", want, page.Body)
			}
		}
		if a := b.do("POST", "/console/customers/"+c.ID+"/clear-review", url.Values{"csrf": {csrf(t, page)}, "reason": {"again"}}); a.StatusCode != http.StatusConflict {
			t.Errorf("Mona clearing twice = %d, want 409", a.StatusCode)
		}
		_, email2, password2, _ := h.account(t, "Nils", false, false)
		b = h.browser(t)
		b.login(email2, password2, "")
		page = b.get("/console/customers/" + c.ID)
		a = b.do("POST", "/console/customers/"+c.ID+"/clear-review", url.Values{"csrf": {csrf(t, page)}, "reason": {"agreed: another birth date"}})
		if a.StatusCode != http.StatusSeeOther || !strings.HasSuffix(a.Header.Get("Location"), "done=cleared") {
			t.Fatalf("clear review = %d %s\n%s", a.StatusCode, a.Header.Get("Location"), a.Body)
		}
		got, err := h.Svc.CustomerForOperator(t.Context(), c.ID)
		if err != nil || got.NeedsReview || got.Status != kyb.StatusActive {
			t.Errorf("after Clear review: needs_review %t, status %s, %v; want cleared and still active", got.NeedsReview, got.Status, err)
		}
		if a := b.get(marked); strings.Contains(a.Body, c.ID) {
			t.Error("the cleared customer is still in the queue of marked customers")
		}
		trail, err := h.Svc.AuditTrail(t.Context(), kyb.AuditFilter{CustomerID: c.ID})
		if err != nil || trail[len(trail)-1].Action != kyb.ActionCustomerReviewCleared || trail[len(trail)-1].Actor.ID == op.ID ||
			!slices.ContainsFunc(trail, func(a kyb.AuditEvent) bool {
				return a.Action == kyb.ActionCustomerReviewClearanceRecorded && a.Actor.ID == op.ID
			}) {
			t.Errorf("the audit trail = %+v (%v), want Mona's clearance recorded, then the other operator's customer.review_cleared", trail, err)
		}
	})
}
