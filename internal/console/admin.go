package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

func (c *Console) adminRoutes() {
	c.handle("GET /console/admin/partners", c.admin(c.partnersPage))
	c.handle("POST /console/admin/partners", c.admin(c.createPartner))
	c.handle("POST /console/admin/partners/{partner_id}/keys", c.admin(c.createKey))
	c.handle("POST /console/admin/keys/revoke", c.admin(c.revokeKey))
	c.handle("POST /console/admin/partners/{partner_id}/rate-limit", c.admin(c.setRateLimit))
	c.handle("POST /console/admin/partners/{partner_id}/policy", c.admin(c.setPolicy))
	c.handle("GET /console/admin/operators", c.admin(c.operatorsPage))
	c.handle("POST /console/admin/operators", c.admin(c.createOperator))
	c.handle("POST /console/admin/operators/{operator_id}/disable", c.admin(c.disableOperator))
	c.handle("POST /console/admin/operators/{operator_id}/reset", c.admin(c.resetOperator))
	c.handle("GET /console/admin/webhooks", c.admin(c.webhooksPage))
	c.handle("POST /console/admin/events/{event_id}/redeliver", c.admin(c.redeliver))
	c.handle("POST /console/admin/events/redeliver", c.admin(c.redeliver))
	c.handle("GET /console/admin/lists", c.admin(c.listsPage))
}

// partnerRow is a partner with its settings.
type partnerRow struct {
	kyb.Partner
	Policy    kyb.DecisionPolicy
	RateLimit kyb.RateLimit
}

type partnersData struct {
	Partners []partnerRow
	Policies []kyb.DecisionPolicy
}

func (c *Console) partnersPage(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	ctx := r.Context()
	partners, err := c.svc.Partners(ctx)
	if err != nil {
		return err
	}
	d := partnersData{Policies: kyb.Policies}
	for _, p := range partners {
		row := partnerRow{Partner: p}
		if row.Policy, err = c.svc.PartnerPolicy(ctx, p.ID); err != nil {
			return err
		}
		if row.RateLimit, err = c.svc.PartnerRateLimit(ctx, p.ID); err != nil {
			return err
		}
		d.Partners = append(d.Partners, row)
	}
	c.render(w, r, http.StatusOK, "partners", page{Title: "Partners", Data: d})
	return nil
}

// secretData is a page that shows a secret once.
type secretData struct {
	Heading string
	// Rows are label and value pairs; the values are the secrets.
	Rows [][2]string
	Note string
	Back string
}

func (c *Console) showSecret(w http.ResponseWriter, r *http.Request, d secretData) error {
	c.render(w, r, http.StatusOK, "secret", page{Title: d.Heading, Data: d})
	return nil
}

const partnersBack = "/console/admin/partners"

func (c *Console) createPartner(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	creds, err := c.svc.CreatePartner(r.Context(), actor(op), strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("sandbox") != "")
	if err != nil {
		return orPage(err, partnersBack)
	}
	return c.showSecret(w, r, secretData{Heading: "Partner created",
		Rows: [][2]string{{"partner_id", creds.PartnerID}, {"api_key", creds.APIKey}, {"api_secret", creds.APISecret}},
		Note: "Give the key and secret to the partner now: the secret is not shown again.", Back: partnersBack})
}

func (c *Console) createKey(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	creds, err := c.svc.CreateAPIKey(r.Context(), actor(op), r.PathValue("partner_id"))
	if err != nil {
		return orPage(err, partnersBack)
	}
	return c.showSecret(w, r, secretData{Heading: "API key issued",
		Rows: [][2]string{{"partner_id", creds.PartnerID}, {"api_key", creds.APIKey}, {"api_secret", creds.APISecret}},
		Note: "The secret is not shown again. Revoke the old key once the partner uses this one.", Back: partnersBack})
}

func (c *Console) revokeKey(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	key := strings.TrimSpace(r.PostForm.Get("api_key"))
	if err := c.svc.RevokeAPIKey(r.Context(), actor(op), key); err != nil {
		return orPage(err, partnersBack)
	}
	return c.showSecret(w, r, secretData{Heading: "API key revoked", Note: "Revoked " + key + ": it stops working within " + kyb.KeyCacheTTL.String() + " on every instance.", Back: partnersBack})
}

func (c *Console) setRateLimit(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	var l kyb.RateLimit
	if r.PostForm.Get("default") == "" {
		var err error
		if l, err = kyb.ParseRateLimit(r.PostForm.Get("requests_per_second"), r.PostForm.Get("burst")); err != nil {
			return orPage(err, partnersBack)
		}
	}
	if err := c.svc.SetRateLimit(r.Context(), actor(op), r.PathValue("partner_id"), l); err != nil {
		return orPage(err, partnersBack)
	}
	http.Redirect(w, r, partnersBack, http.StatusSeeOther)
	return nil
}

func (c *Console) setPolicy(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	if err := c.svc.SetPolicy(r.Context(), actor(op), r.PathValue("partner_id"), kyb.DecisionPolicy(r.PostForm.Get("policy"))); err != nil {
		return orPage(err, partnersBack)
	}
	http.Redirect(w, r, partnersBack, http.StatusSeeOther)
	return nil
}

// orPage shows an error of the service about a form with a way back to
// the form's page.
func orPage(err error, back string) error {
	if pe := asPageError(err, back); pe != nil {
		return pe
	}
	return err
}

// operatorRow is an operator as the operators page lists them.
type operatorRow struct {
	kyb.Operator
	HasPassword, HasTOTP bool
}

func (c *Console) operatorsPage(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	ops, err := c.svc.Operators(r.Context())
	if err != nil {
		return err
	}
	var rows []operatorRow
	for _, o := range ops {
		rows = append(rows, operatorRow{Operator: o, HasPassword: o.PasswordHash != "", HasTOTP: o.TOTPSecret != ""})
	}
	c.render(w, r, http.StatusOK, "operators", page{Title: "Operators", Data: rows})
	return nil
}

const operatorsBack = "/console/admin/operators"

// setupLink is the address of the set-up page of a token, on the host the
// admin reached the console on.
func setupLink(r *http.Request, token string) string {
	scheme := "https"
	if !secure(r) {
		scheme = "http"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: "/console/setup", RawQuery: url.Values{"token": {token}}.Encode()}).String()
}

func (c *Console) createOperator(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	f := r.PostForm
	setup, err := c.svc.CreateOperatorAccount(r.Context(), actor(op), strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("email")), f.Get("role") == kyb.RoleAdmin)
	if err != nil {
		return orPage(err, operatorsBack)
	}
	return c.showSecret(w, r, secretData{Heading: "Operator created",
		Rows: [][2]string{{"operator_id", setup.OperatorID}, {"set-up link", setupLink(r, setup.Token)}, {"expires", kyb.FormatTime(setup.ExpiresAt)}},
		Note: "Send the link to the operator over a channel you trust: it works once and is not shown again.", Back: operatorsBack})
}

func (c *Console) disableOperator(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	if _, err := c.svc.DisableOperator(r.Context(), actor(op), r.PathValue("operator_id")); err != nil {
		return orPage(err, operatorsBack)
	}
	http.Redirect(w, r, operatorsBack, http.StatusSeeOther)
	return nil
}

func (c *Console) resetOperator(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	setup, err := c.svc.ResetOperatorAccount(r.Context(), actor(op), r.PathValue("operator_id"), strings.TrimSpace(r.PostForm.Get("email")))
	if err != nil {
		return orPage(err, operatorsBack)
	}
	return c.showSecret(w, r, secretData{Heading: "Account reset",
		Rows: [][2]string{{"operator_id", setup.OperatorID}, {"set-up link", setupLink(r, setup.Token)}, {"expires", kyb.FormatTime(setup.ExpiresAt)}},
		Note: "Their password and second factor are cleared and their sessions ended. Send them the link: it works once and is not shown again.", Back: operatorsBack})
}

// endpointRow is a partner's webhook endpoints.
type endpointRow struct {
	Partner   kyb.Partner
	Endpoints []kyb.Endpoint
}

// failedShown is how many failed deliveries the webhooks page lists.
const failedShown = 50

type webhooksData struct {
	Partners     []endpointRow
	PartnerNames map[string]string
	Failed       []kyb.Delivery
	Notice       string
}

func (c *Console) webhooksPage(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	ctx := r.Context()
	partners, err := c.svc.Partners(ctx)
	if err != nil {
		return err
	}
	d := webhooksData{Notice: notices[r.URL.Query().Get("done")], PartnerNames: map[string]string{}}
	for _, p := range partners {
		eps, err := c.svc.Endpoints(ctx, p.ID)
		if err != nil {
			return err
		}
		d.Partners = append(d.Partners, endpointRow{Partner: p, Endpoints: eps})
		d.PartnerNames[p.ID] = p.Name
	}
	if d.Failed, err = c.svc.FailedDeliveries(ctx, failedShown); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "webhooks", page{Title: "Webhooks", Data: d})
	return nil
}

func (c *Console) redeliver(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	back := localPath(r.PostForm.Get("back"))
	event := r.PathValue("event_id")
	if event == "" {
		event = strings.TrimSpace(r.PostForm.Get("event_id"))
	}
	if _, err := c.svc.Redeliver(r.Context(), actor(op), event); err != nil {
		return orPage(err, back)
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"done=redelivered", http.StatusSeeOther)
	return nil
}

func (c *Console) listsPage(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	snaps, err := c.svc.ListSnapshots(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "lists", page{Title: "Sanctions lists", Data: snaps})
	return nil
}
