package console

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// loginData is what the login page shows.
type loginData struct {
	Email, Next string
	// Notice says why the operator is here (expired, signed out); Error
	// what went wrong with the last attempt.
	Notice, Error string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := loginData{Next: localPath(q.Get("next"))}
	if reason := q.Get("reason"); reason != "" {
		d.Notice = loginReason(reason)
		if reason == "expired" {
			d.Notice += " Sign in again to go back to where you were."
		}
	}
	c.render(w, r, http.StatusOK, "login", page{Title: "Sign in", CSRF: formToken(w, r), Data: d})
	return nil
}

// login signs an operator in: a new session every time (the one the
// browser held, if any, ends). Failures are throttled as the API's are: a
// client address that failed too often is refused whatever it sends; an
// email that failed too often answers wrong passwords with the wait, but
// the right one from another address still signs in, so that no one can
// lock an operator out by knowing their email.
func (c *Console) login(w http.ResponseWriter, r *http.Request) error {
	if err := c.checkFormToken(w, r); err != nil {
		return err
	}
	f := r.PostForm
	email := strings.TrimSpace(f.Get("email"))
	d := loginData{Email: email, Next: localPath(f.Get("next"))}
	fail := func(status int, msg string) error {
		d.Error = msg
		c.render(w, r, status, "login", page{Title: "Sign in", CSRF: formToken(w, r), Data: d})
		return nil
	}
	now := c.now()
	addr, account := c.clientKey(r), strings.ToLower(email)
	if wait, blocked := c.addrs.Blocked(addr, now); blocked {
		return fail(http.StatusTooManyRequests, tooMany(wait.Seconds()))
	}
	token, _, err := c.svc.Login(r.Context(), kyb.Login{Email: email, Password: f.Get("password"), TOTPCode: f.Get("totp"), Replaces: cookieValue(r, sessionCookie)})
	switch {
	case errors.Is(err, kyb.ErrBadLogin):
		c.addrs.Fail(addr, now)
		if wait, blocked := c.emails.Fail(account, now); blocked {
			return fail(http.StatusTooManyRequests, tooMany(wait.Seconds()))
		}
		return fail(http.StatusUnauthorized, "The email, password or authenticator code is wrong.")
	case kyb.ErrorKind(err) == kyb.KindUnauthorized || kyb.ErrorKind(err) == kyb.KindForbidden:
		return fail(statusOf(err), err.Error())
	case err != nil:
		return err
	}
	setCookie(w, r, sessionCookie, token)
	clearCookie(w, r, formCookie)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
	return nil
}

func tooMany(seconds float64) string {
	return fmt.Sprintf("Too many failed sign-ins. Try again in %d seconds.", int(math.Ceil(seconds)))
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) error {
	token := cookieValue(r, sessionCookie)
	if token != "" {
		if err := c.readForm(w, r); err != nil {
			return err
		}
		if !sameToken(r.PostForm.Get("csrf"), csrfToken(token)) || !sameOrigin(r) {
			return errBadForm
		}
		if err := c.svc.Logout(r.Context(), token); err != nil {
			return err
		}
	}
	clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/console/login?"+url.Values{"reason": {"logged_out"}}.Encode(), http.StatusSeeOther)
	return nil
}

// setupData is what the set-up page shows: whom the link is for, and a
// TOTP secret offered to their authenticator.
type setupData struct {
	Token       string
	Name, Email string
	Role        string
	TOTPSecret  string
	// TOTPURI is the otpauth:// link, which html/template would refuse as
	// a scheme it does not know; it is built here from the secret and the
	// validated email, every part escaped.
	TOTPURI       template.URL
	TOTPRequired  bool
	Errors        []string
	MinPassword   int
	TOTPRequested bool
}

func (c *Console) setupPage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	op, err := c.svc.SetupOperator(r.Context(), token)
	if err != nil {
		return setupError(err)
	}
	d, err := c.setupData(op, token, "")
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "setup", page{Title: "Set up your account", CSRF: formToken(w, r), Data: d})
	return nil
}

func setupError(err error) error {
	if errors.Is(err, kyb.ErrNotFound) {
		return &pageError{status: http.StatusNotFound, message: kyb.ErrBadSetup.Message, back: "/console/login"}
	}
	return err
}

func (c *Console) setupData(op kyb.Operator, token, secret string) (setupData, error) {
	d := setupData{Token: token, Name: op.Name, Email: op.Email, Role: op.Role(), MinPassword: kyb.MinPasswordLength,
		TOTPRequired: op.Admin && c.svc.ConsolePolicy().AdminTOTP}
	var err error
	var uri string
	if secret == "" {
		secret, uri, err = kyb.NewTOTP(op.Email)
	} else {
		uri = (&url.URL{Scheme: "otpauth", Host: "totp", Path: "/onboard:" + op.Email,
			RawQuery: url.Values{"secret": {secret}, "issuer": {"onboard"}}.Encode()}).String()
	}
	d.TOTPURI = template.URL(uri)
	d.TOTPSecret = secret
	return d, err
}

func (c *Console) setup(w http.ResponseWriter, r *http.Request) error {
	if err := c.checkFormToken(w, r); err != nil {
		return err
	}
	f := r.PostForm
	token := f.Get("token")
	choice := kyb.AccountChoice{Password: f.Get("password")}
	if f.Get("use_totp") != "" {
		choice.TOTPSecret, choice.TOTPCode = f.Get("totp_secret"), f.Get("totp")
	}
	var ch []string
	if f.Get("password") != f.Get("password_again") {
		ch = append(ch, "The two passwords differ.")
	}
	var op kyb.Operator
	var err error
	if len(ch) == 0 {
		_, err = c.svc.CompleteSetup(r.Context(), token, choice)
		if err == nil {
			http.Redirect(w, r, "/console/login?"+url.Values{"reason": {"set_up"}}.Encode(), http.StatusSeeOther)
			return nil
		}
		var ke *kyb.Error
		if !errors.As(err, &ke) || ke.Kind != kyb.KindInvalid {
			return setupError(err)
		}
		for _, fe := range ke.Fields {
			label := map[string]string{"password": "Password", "totp": "Authenticator code"}[fe.Field]
			ch = append(ch, label+" "+fe.Message+".")
		}
	}
	if op, err = c.svc.SetupOperator(r.Context(), token); err != nil {
		return setupError(err)
	}
	d, err := c.setupData(op, token, f.Get("totp_secret"))
	if err != nil {
		return err
	}
	d.Errors, d.TOTPRequested = ch, f.Get("use_totp") != ""
	c.render(w, r, http.StatusBadRequest, "setup", page{Title: "Set up your account", CSRF: formToken(w, r), Data: d})
	return nil
}
