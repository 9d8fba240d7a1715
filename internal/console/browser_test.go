package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// ChromiumEnv names a Chromium (or Chrome) binary for the browser tests;
// by default they look for chromium on the PATH.
const ChromiumEnv = "ONBOARD_TEST_CHROMIUM"

// ScreenshotsEnv names a folder the browser tests save the README's
// screenshots of the console to (docs/), when set.
const ScreenshotsEnv = "ONBOARD_CONSOLE_SCREENSHOTS"

// chromium returns the browser to drive, or skips the test saying why.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser tests skipped: no chromium on the PATH (apt-get install -y chromium, or set " + ChromiumEnv + ")")
	return ""
}

// tab is one browser profile (its own cookies) on the console.
type tab struct {
	t      *testing.T
	ctx    context.Context
	base   string
	alerts *atomic.Int32
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		where, _ := chromedp.Run(tb.ctx, chromedp.Location())
		body, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
		tb.t.Fatalf("browser: %v\nat %s:\n%s", err, where, body)
	}
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func eval[T any](tb *tab, js string, opts ...chromedp.EvaluateOption) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// login signs in through the form, with a TOTP code when secret is set.
func (tb *tab) login(email, password, secret string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base+"/console/"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), password))
	if secret != "" {
		code, err := kyb.TOTPCode(secret, time.Now())
		if err != nil {
			tb.t.Fatal(err)
		}
		tb.do(chromedp.SendKeys(chromedp.CSS("#totp"), code))
	}
	tb.do(chromedp.Click(chromedp.CSS("form[action='/console/login'] button")), chromedp.WaitVisible(chromedp.CSS("table.queue")))
}

// screenshot saves the page to the screenshots folder, when one is set.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	dir := os.Getenv(ScreenshotsEnv)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// unlabelled fails the test for each form control of the page without a
// label.
func (tb *tab) unlabelled(page string) {
	tb.t.Helper()
	if ids := eval[[]string](tb, `[...document.querySelectorAll("input:not([type=hidden]), select, textarea")].filter(e => !e.labels || e.labels.length === 0).map(e => e.name)`); len(ids) > 0 {
		tb.t.Errorf("%s: controls without a label: %v", page, ids)
	}
}

// fitsWidth reports whether the page needs no sideways scrolling at the
// viewport's width.
func (tb *tab) fitsWidth(width int64) bool {
	tb.t.Helper()
	tb.do(chromedp.EmulateViewport(width, 800), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main")))
	scroll := eval[int64](tb, "document.documentElement.scrollWidth")
	if scroll > width {
		tb.t.Logf("wider than %d: %s", width, eval[string](tb, `[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > `+fmt.Sprint(width)+`).slice(-5).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right) + " " + (e.textContent || "").slice(0, 60)).join("\n")`))
	}
	tb.do(chromedp.EmulateViewport(1280, 900))
	return scroll <= width
}

// TestBrowser drives headless Chromium through a review: sign in with and
// without TOTP, the queue, a customer with a screening hit and its
// document image, the two approvals of a listed person's company, the
// partner API's answer; and the console's defences: a reviewer kept off
// admin pages, a forged form refused, a hostile name inert, logout.
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e)
		h.importExcerpts(t)
		creds, c := h.customerWithHit(t, "<script>alert(1)</script>")
		_, clean := h.customer(t, "Northwind Trading Ltd", "Northwind Bank", api.BasicInfo{FirstNameEnglish: "Maria", LastNameEnglish: "Lindqvist",
			FirstName: "Maria", LastName: "Lindqvist", BirthDate: "1981-04-02T00:00:00Z", Nationality: "SE"})
		_, adminEmail, adminPassword, adminSecret := h.account(t, "Ada", true, true)
		_, revEmail, revPassword, _ := h.account(t, "Rui", false, false)

		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 900))
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
		defer cancelAlloc()
		browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
		defer cancelBrowser()
		if err := chromedp.Do(browserCtx); err != nil {
			t.Fatalf("start chromium: %v", err)
		}
		newTab := func() *tab {
			tctx, cancelTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
			t.Cleanup(cancelTab)
			tb := &tab{t: t, ctx: tctx, base: h.URL, alerts: new(atomic.Int32)}
			if err := chromedp.Listen(tctx, func(ev any) {
				if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
					tb.alerts.Add(1)
				}
			}); err != nil {
				t.Fatalf("start the browser: %v", err)
			}
			return tb
		}

		// The admin signs in with their authenticator code.
		ada := newTab()
		ada.login(adminEmail, adminPassword, adminSecret)
		queue := ada.text("table.queue tbody")
		for _, want := range []string{"<script>alert(1)</script>", "Northwind Trading Ltd", "Acme Payments", "risk high", "1 hit", "no hit"} {
			if !strings.Contains(queue, want) {
				t.Errorf("queue lacks %q:\n%s", want, queue)
			}
		}
		// The stylesheet and the script load under the strict policy.
		if got := eval[string](ada, "getComputedStyle(document.querySelector('header.top')).display"); got != "flex" {
			t.Errorf("the header's display is %q: the stylesheet did not load", got)
		}
		// Times are shown in the browser's zone, UTC on hover.
		if shown, title := eval[string](ada, "document.querySelector('main time').textContent"), eval[string](ada, "document.querySelector('main time').title"); shown == title || !strings.HasSuffix(title, "UTC") {
			t.Errorf("a time shows %q with title %q: want the local time shown and UTC in the title", shown, title)
		}
		if !ada.fitsWidth(375) {
			t.Error("the queue needs sideways scrolling at 375 px")
		}
		// The keyboard reaches the content first through the skip link;
		// every control has a label.
		ada.do(chromedp.KeyEvent("\t"))
		if got := eval[string](ada, "document.activeElement.className"); got != "skip" {
			t.Errorf("the first Tab focuses %q, want the skip link", got)
		}
		ada.unlabelled("queue")
		ada.screenshot("console-queue.png")

		// The customer with a hit: the document image loads, the hit sits
		// beside its list entry, the hostile name is text.
		ada.do(chromedp.Click(chromedp.CSS("a[href='/console/customers/"+c.ID+"']")), chromedp.WaitVisible(chromedp.CSS("#hits-h")))
		if got := ada.text("h1"); got != "<script>alert(1)</script>" {
			t.Errorf("h1 = %q, want the hostile name as text", got)
		}
		if n := eval[int](ada, "document.querySelectorAll('main script').length"); n != 0 {
			t.Errorf("%d script elements in the page's content", n)
		}
		if w := eval[int](ada, "(async () => { const img = document.querySelector('figure.doc img'); await img.decode(); return img.naturalWidth })()", chromedp.EvalAwaitPromise); w != 320 {
			t.Errorf("the identity card image is %d px wide, want 320 (loaded)", w)
		}
		hits := ada.text(".hit-pair")
		for _, want := range []string{"ABBAS, Abu", "SDGT", "1948", "birth_date"} {
			if !strings.Contains(hits, want) {
				t.Errorf("the hit lacks %q:\n%s", want, hits)
			}
		}
		if !ada.fitsWidth(375) {
			t.Error("the customer page needs sideways scrolling at 375 px")
		}
		ada.unlabelled("customer page")
		ada.screenshot("console-customer.png")
		ada.do(chromedp.SendKeys(chromedp.CSS("#reason"), "director checked against the passport: not the listed person"),
			chromedp.Click(chromedp.CSS("button[value=active]")), chromedp.WaitVisible(chromedp.CSS(".notice")))
		if got := ada.text(".notice"); !strings.Contains(got, "stays pending until a second operator approves it") {
			t.Errorf("after the first Approve the page says %q", got)
		}
		if ada.alerts.Load() != 0 {
			t.Errorf("%d JavaScript dialogs opened: a script ran", ada.alerts.Load())
		}
		if got := partnerStatus(t, h.URL, creds, c.ID); got != "pending" {
			t.Errorf("after one approval the partner API says %q, want pending", got)
		}

		// A reviewer signs in without TOTP, gives the second approval, and
		// cannot open admin pages.
		rui := newTab()
		rui.login(revEmail, revPassword, "")
		rui.do(chromedp.Navigate(h.URL+"/console/customers/"+c.ID), chromedp.WaitVisible(chromedp.CSS("#reason")))
		if got := rui.text(".two-person"); !strings.Contains(got, "Awaiting second approval") {
			t.Errorf("the second operator sees %q", got)
		}
		rui.do(chromedp.SendKeys(chromedp.CSS("#reason"), "second look: passport and birth date differ from the listing"),
			chromedp.Click(chromedp.CSS("button[value=active]")), chromedp.WaitVisible(chromedp.CSS(".notice")))
		if got := rui.text(".notice"); !strings.Contains(got, "Approved: the customer is active.") {
			t.Errorf("after the second Approve the page says %q", got)
		}
		if got := partnerStatus(t, h.URL, creds, c.ID); got != "active" {
			t.Errorf("after two approvals the partner API says %q, want active", got)
		}
		ada.do(chromedp.Navigate(h.URL+"/console/admin/partners"), chromedp.WaitVisible(chromedp.CSS("table")))
		ada.unlabelled("partners page")
		ada.do(chromedp.Navigate(h.URL+"/console/admin/operators"), chromedp.WaitVisible(chromedp.CSS("table")))
		ada.unlabelled("operators page")
		rui.do(chromedp.Navigate(h.URL + "/console/admin/operators"))
		if got := rui.text("main"); !strings.Contains(got, "Only admins may open this page.") {
			t.Errorf("a reviewer on the operators page sees %q", got)
		}
		// A form without the CSRF token is refused.
		rui.do(chromedp.Navigate(h.URL+"/console/customers/"+clean.ID), chromedp.WaitVisible(chromedp.CSS("#reason")))
		rui.do(chromedp.Evaluate[chromedp.Void](`(() => {
			const f = document.createElement("form");
			f.method = "post"; f.action = "/console/customers/`+clean.ID+`/status";
			for (const [k, v] of [["status", "rejected"], ["reason", "forged"]]) {
				const i = document.createElement("input"); i.name = k; i.value = v; f.appendChild(i);
			}
			document.body.appendChild(f); f.submit();
		})()`), chromedp.WaitVisible(chromedp.CSS("p.error")))
		if got := rui.text("p.error"); !strings.Contains(got, "This form was not sent from a current console page") {
			t.Errorf("a forged form gets %q", got)
		}
		if cur, _ := h.Svc.CustomerForOperator(ctx, clean.ID); cur.Status != kyb.StatusPending {
			t.Errorf("after the forged form the customer is %s, want pending", cur.Status)
		}
		// Request information on the clean customer: the partner sees the
		// request, and the queue shows the customer waiting for it.
		rui.do(chromedp.Navigate(h.URL+"/console/customers/"+clean.ID), chromedp.WaitVisible(chromedp.CSS("#ri-message")),
			chromedp.SetValue(chromedp.CSS("#ri-kind"), "question"),
			chromedp.SendKeys(chromedp.CSS("#ri-message"), "What does the company sell, and to whom?"),
			chromedp.Click(chromedp.CSS("button.act-request")), chromedp.WaitVisible(chromedp.CSS(".notice")))
		if got := rui.text(".notice"); !strings.Contains(got, "Information requested") {
			t.Errorf("after Request information the page says %q", got)
		}
		if got := rui.text(".open-requirements"); !strings.Contains(got, "question") || !strings.Contains(got, "What does the company sell, and to whom?") {
			t.Errorf("the open requests read %q", got)
		}
		if got, err := h.Svc.Customer(ctx, clean.PartnerID, clean.ID); err != nil || len(got.View().Requirements) != 1 {
			t.Errorf("the partner's view has %d requirements (%v), want the question", len(got.View().Requirements), err)
		}
		rui.do(chromedp.Navigate(h.URL+"/console/?waiting=partner"), chromedp.WaitVisible(chromedp.CSS("table.queue")))
		if got := rui.text("table.queue tbody"); !strings.Contains(got, "Northwind Trading Ltd") || !strings.Contains(got, "awaiting partner") || strings.Contains(got, "alert(1)") {
			t.Errorf("the queue of customers waiting for their partner reads:\n%s", got)
		}
		rui.unlabelled("queue waiting for partners")
		// Logout ends the session: the queue asks to sign in again.
		rui.do(chromedp.Navigate(h.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("table.queue")),
			chromedp.Click(chromedp.CSS("form[action='/console/logout'] button")), chromedp.WaitVisible(chromedp.CSS("#email")))
		if got := rui.text(".notice"); !strings.Contains(got, "You have signed out.") {
			t.Errorf("after sign-out the page says %q", got)
		}
		rui.do(chromedp.Navigate(h.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	})
}

// partnerStatus is a customer's status as its partner's API answers.
func partnerStatus(t *testing.T, base string, creds kyb.Credentials, id string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/customers/"+id, nil)
	req.Header.Set("X-API-Key", creds.APIKey)
	req.Header.Set("X-API-Secret", creds.APISecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var got struct{ Status string }
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("partner API: %d %s", resp.StatusCode, body)
	}
	return got.Status
}
