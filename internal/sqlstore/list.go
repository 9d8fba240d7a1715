package sqlstore

import (
	"context"
	"errors"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// ListCustomers is the query of one page of customers: the columns, the
// filters of q, the order and Limit+1 rows, so that Page can tell whether
// more follow. cursor is the customer q.StartingAfter names, from Cursor.
func ListCustomers(d Dialect, columns string, q kyb.CustomerQuery, cursor kyb.Customer) (string, []any) {
	where := []string{"1 = 1"}
	var args []any
	add := func(cond string, values ...any) {
		for _, v := range values {
			args = append(args, v)
			cond = strings.Replace(cond, "?", d.Placeholder(len(args)), 1)
		}
		where = append(where, cond)
	}
	if q.PartnerID != "" {
		add("partner_id = ?", q.PartnerID)
	}
	if q.Status != "" {
		add("status = ?", q.Status)
	}
	if q.PartnerCustomerID != "" {
		add("partner_customer_id = ?", q.PartnerCustomerID)
	}
	if q.NeedsReview {
		add("needs_review = TRUE")
	}
	if !q.CreatedAfter.IsZero() {
		add("created_at > ?", d.Time(q.CreatedAfter))
	}
	if !q.CreatedBefore.IsZero() {
		add("created_at < ?", d.Time(q.CreatedBefore))
	}
	if q.AwaitingPartner != nil {
		if *q.AwaitingPartner {
			add("open_requirements > 0")
		} else {
			add("open_requirements = 0")
		}
	}
	if q.RiskLevel != "" {
		add("risk_level = ?", q.RiskLevel)
	}
	if q.HasHits != nil {
		if *q.HasHits {
			add("hit_count > 0")
		} else {
			add("hit_count = 0")
		}
	}
	order, beyond := "DESC", "<"
	if q.OldestFirst {
		order, beyond = "ASC", ">"
	}
	if q.StartingAfter != "" {
		add("(created_at, id) "+beyond+" (?, ?)", d.Time(cursor.CreatedAt), cursor.ID)
	}
	args = append(args, q.Limit+1)
	return "SELECT " + columns + " FROM customers WHERE " + strings.Join(where, " AND ") +
		" ORDER BY created_at " + order + ", id " + order + " LIMIT " + d.Placeholder(len(args)), args
}

// Cursor returns the customer a list continues after, which must lie in
// the list's scope: another partner's customer is as unknown as none.
func Cursor(ctx context.Context, q kyb.CustomerQuery, byID func(context.Context, string) (kyb.Customer, error)) (kyb.Customer, error) {
	if q.StartingAfter == "" {
		return kyb.Customer{}, nil
	}
	c, err := byID(ctx, q.StartingAfter)
	if errors.Is(err, kyb.ErrNotFound) || (err == nil && q.PartnerID != "" && c.PartnerID != q.PartnerID) {
		return kyb.Customer{}, kyb.ErrBadCursor
	}
	return c, err
}

// Page makes a page of the rows ListCustomers asked for.
func Page(customers []kyb.Customer, limit int) kyb.CustomerPage {
	page := kyb.CustomerPage{Customers: customers}
	if len(customers) > limit {
		page.Customers, page.HasMore = customers[:limit], true
	}
	return page
}
