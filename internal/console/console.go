// Package console serves the reviewer console under /console/: the web
// pages compliance operators sign in to, review the queue on, read a
// customer's application with its documents and screening, and decide on
// it; admins also manage partners, operators, webhooks and lists. Pages
// are rendered on the server with html/template from embedded files; the
// one script only shows times in the reader's zone. It talks only to
// kyb.Service.
package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/ratelimit"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Cookie names. The session cookie holds the session's token; the form
// cookie holds the CSRF token of the forms shown before signing in.
const (
	sessionCookie = "onboard_session"
	formCookie    = "onboard_form"
	cookiePath    = "/console"
)

// maxFormBytes bounds every form body the console reads.
const maxFormBytes = 64 << 10

// contentSecurityPolicy allows the console's own script, style and images
// and nothing else: no inline script, no framing of the console anywhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// documentPolicy is the policy of a document shown from the console: it
// runs nothing, whatever it holds (a PDF's scripts included).
const documentPolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"

// Options configure a Console.
type Options struct {
	Service *kyb.Service
	Log     *slog.Logger
	// ClientKey names the client of a request for the login throttle:
	// its address, as the API's throttle sees it. Nil uses the peer's
	// address.
	ClientKey func(*http.Request) string
	// LoginFailures says when failed logins block a client address or an
	// email; zero is ratelimit.DefaultPolicy.
	LoginFailures ratelimit.Policy
	// Now is the clock of the throttle; nil is time.Now.
	Now func() time.Time
}

// Console is the reviewer console's HTTP handler.
type Console struct {
	svc       *kyb.Service
	log       *slog.Logger
	mux       *http.ServeMux
	pages     map[string]*template.Template
	clientKey func(*http.Request) string
	// addrs and emails count failed logins per client and per email.
	addrs, emails *ratelimit.Throttle
	now           func() time.Time
}

// New returns the console.
func New(o Options) *Console {
	c := &Console{svc: o.Service, log: o.Log, mux: http.NewServeMux(), clientKey: o.ClientKey, now: o.Now}
	if c.clientKey == nil {
		c.clientKey = func(r *http.Request) string {
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			return host
		}
	}
	if c.now == nil {
		c.now = time.Now
	}
	p := o.LoginFailures
	if p == (ratelimit.Policy{}) {
		p = ratelimit.DefaultPolicy
	}
	c.addrs, c.emails = ratelimit.NewThrottle(p), ratelimit.NewThrottle(p)
	c.pages = parsePages()
	c.routes()
	return c
}

// handler is a console handler: it renders its page or returns an error,
// which one place turns into an error page.
type handler func(w http.ResponseWriter, r *http.Request) error

// sessionHandler also gets the signed-in operator.
type sessionHandler func(w http.ResponseWriter, r *http.Request, op kyb.Operator) error

func (c *Console) routes() {
	static, _ := fs.Sub(staticFiles, "static")
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", staticHandler(http.FileServerFS(static))))
	c.handle("GET /console", func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
		return nil
	})
	c.handle("GET /console/login", c.loginPage)
	c.handle("POST /console/login", c.login)
	c.handle("GET /console/setup", c.setupPage)
	c.handle("POST /console/setup", c.setup)
	c.handle("POST /console/logout", c.logout)
	c.handle("GET /console/{$}", c.signedIn(c.queue))
	c.handle("GET /console/customers/{customer_id}", c.signedIn(c.customer))
	c.handle("POST /console/customers/{customer_id}/status", c.signedIn(c.changeStatus))
	c.handle("POST /console/customers/{customer_id}/requirements", c.signedIn(c.requestInformation))
	c.handle("POST /console/customers/{customer_id}/clear-review", c.signedIn(c.clearReview))
	c.handle("GET /console/customers/{customer_id}/files/{file_id}", c.signedIn(c.document))
	c.adminRoutes()
	c.handle("/console/", func(w http.ResponseWriter, r *http.Request) error {
		return &pageError{status: http.StatusNotFound, message: "There is no such page in the console."}
	})
}

func (c *Console) handle(pattern string, h handler) {
	c.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			c.renderError(w, r, err)
		}
	})
}

// ServeHTTP serves a console request with the console's security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

// staticHandler lets the browser keep the embedded files for an hour.
func staticHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// pageError is an error shown to the operator as it is.
type pageError struct {
	status  int
	message string
	// back is where the page offers to go back to.
	back string
}

func (e *pageError) Error() string { return e.message }

// errForbidden answers a reviewer on an admin's page.
var errForbidden = &pageError{status: http.StatusForbidden, message: "Only admins may open this page.", back: "/console/"}

// errBadForm answers a form without the console's CSRF token: not sent
// from a page the console rendered, or from one older than the session.
var errBadForm = &pageError{status: http.StatusForbidden,
	message: "This form was not sent from a current console page (its security token is missing or out of date). Go back, reload the page and try again."}

// statusOf is the HTTP status of an error of the service, as the API
// would answer it.
func statusOf(err error) int { return httpapi.StatusOf(kyb.ErrorKind(err)) }

// renderError renders the error page: the service's message for what the
// operator can act on, a generic one (and a log line) for the rest.
func (c *Console) renderError(w http.ResponseWriter, r *http.Request, err error) {
	var pe *pageError
	if !errors.As(err, &pe) {
		pe = &pageError{status: statusOf(err)}
		var ke *kyb.Error
		switch {
		case pe.status == http.StatusInternalServerError || !errors.As(err, &ke):
			pe.status = http.StatusInternalServerError
			pe.message = "Something went wrong on our side; the error has been logged. Try again in a moment."
			c.log.Error("console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		default:
			pe.message = ke.Message
			for _, f := range ke.Fields {
				pe.message += "; " + f.Field + " " + f.Message
			}
		}
	}
	if pe.back == "" {
		pe.back = r.URL.Path
		if r.Method != http.MethodGet {
			pe.back = "/console/"
		}
	}
	c.render(w, r, pe.status, "error", page{Title: http.StatusText(pe.status), Data: struct{ Message, Back string }{pe.message, pe.back}})
}

// page is what every template gets.
type page struct {
	Title    string
	Operator *kyb.Operator
	CSRF     string
	Data     any
}

// render renders a page template with the layout.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if p.Operator == nil {
		if op, ok := r.Context().Value(operatorKey{}).(kyb.Operator); ok {
			p.Operator = &op
		}
	}
	if p.CSRF == "" {
		p.CSRF, _ = r.Context().Value(csrfKey{}).(string)
	}
	var b strings.Builder
	if err := c.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		c.log.Error("console template failed", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

type operatorKey struct{}
type csrfKey struct{}

// signedIn requires a live session. A GET without one goes to the login
// page, which brings the operator back here; a form sent without one
// is refused with a way to sign in again.
func (c *Console) signedIn(next sessionHandler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		token := cookieValue(r, sessionCookie)
		op, err := c.svc.OperatorSession(r.Context(), token)
		if err != nil {
			if kyb.ErrorKind(err) != kyb.KindUnauthorized {
				return err
			}
			if token != "" {
				clearCookie(w, r, sessionCookie)
			}
			back := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				back = "/console/"
				if ref := sameOriginReferer(r); ref != "" {
					back = ref
				}
			}
			q := url.Values{"next": {back}}
			if errors.Is(err, kyb.ErrSessionExpired) || errors.Is(err, kyb.ErrOperatorDisabled) {
				q.Set("reason", reasonCode(err))
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/login?"+q.Encode(), http.StatusSeeOther)
				return nil
			}
			return &pageError{status: http.StatusUnauthorized, message: loginReason(reasonCode(err)) + " Sign in again to continue.", back: "/console/login?" + q.Encode()}
		}
		csrf := csrfToken(token)
		if r.Method == http.MethodPost {
			if err := c.readForm(w, r); err != nil {
				return err
			}
			if !sameToken(r.PostForm.Get("csrf"), csrf) || !sameOrigin(r) {
				return errBadForm
			}
		}
		ctx := context.WithValue(context.WithValue(r.Context(), operatorKey{}, op), csrfKey{}, csrf)
		return next(w, r.WithContext(ctx), op)
	}
}

// admin requires an admin operator, after signedIn.
func (c *Console) admin(next sessionHandler) handler {
	return c.signedIn(func(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
		if !op.Admin {
			return errForbidden
		}
		return next(w, r, op)
	})
}

func reasonCode(err error) string {
	switch {
	case errors.Is(err, kyb.ErrSessionExpired):
		return "expired"
	case errors.Is(err, kyb.ErrOperatorDisabled):
		return "disabled"
	}
	return ""
}

// loginReason explains why the operator is on the login page.
func loginReason(code string) string {
	switch code {
	case "expired":
		return "Your session has expired."
	case "disabled":
		return "Your account has been disabled."
	case "logged_out":
		return "You have signed out."
	case "set_up":
		return "Your account is set up: sign in with your email and new password."
	}
	return "You are not signed in."
}

// readForm parses a form body within maxFormBytes.
func (c *Console) readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return &pageError{status: http.StatusBadRequest, message: "The form could not be read (at most 64 KiB are accepted)."}
	}
	return nil
}

// csrfToken is the CSRF token of a session's forms: derived from the
// session's token, so it changes with every login and needs no storage,
// and tells nothing of the token.
func csrfToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("onboard console csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin refuses a form whose browser says it came from another
// origin; browsers send Origin with every POST.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// sameOriginReferer returns the path of the console page a form was sent
// from, when the browser says.
func sameOriginReferer(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host || !strings.HasPrefix(u.Path, "/console/") {
		return ""
	}
	return u.RequestURI()
}

func cookieValue(r *http.Request, name string) string {
	if ck, err := r.Cookie(name); err == nil && len(ck.Value) <= 128 {
		return ck.Value
	}
	return ""
}

// secure says whether cookies get the Secure attribute: always, unless
// the console is reached on a loopback address (plain http on a laptop).
func secure(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return false
	}
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err != nil || !addr.IsLoopback()
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: cookiePath, HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: cookiePath, MaxAge: -1, HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
}

// formToken returns the CSRF token of the forms shown before signing in,
// kept in the form cookie (double submit), making one when there is none.
func formToken(w http.ResponseWriter, r *http.Request) string {
	if v := cookieValue(r, formCookie); len(v) >= 32 {
		return v
	}
	var b [24]byte
	rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	setCookie(w, r, formCookie, v)
	return v
}

// checkFormToken checks a form shown before signing in.
func (c *Console) checkFormToken(w http.ResponseWriter, r *http.Request) error {
	if err := c.readForm(w, r); err != nil {
		return err
	}
	if cookie := cookieValue(r, formCookie); len(cookie) < 32 || !sameToken(r.PostForm.Get("csrf"), cookie) || !sameOrigin(r) {
		return errBadForm
	}
	return nil
}

// localPath accepts a place to go back to after signing in: a console
// path on this server, nothing else.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/console/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/console/"
	}
	return u.RequestURI()
}
