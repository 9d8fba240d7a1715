package main

import (
	"context"
	"fmt"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// customersRequestInfo asks a customer's partner for one item of
// information, as POST /admin/customers/{id}/requirements does.
func customersRequestInfo(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("customers request-info",
		"customers request-info CUSTOMER_ID --kind field|document|question [--field PATH] [--file-type TYPE] --message TEXT [--due DURATION] [--database-url URL]", e)
	kind := fs.String("kind", "", "field (correct a field), document (provide a file) or question (required)")
	field := fs.String("field", "", "the field's path, as validation errors name it, such as business_person_list[0].identification.id_number (required for a field item)")
	fileType := fs.String("file-type", "", `the type of the file to provide, such as "Main page" (required for a document item)`)
	message := fs.String("message", "", "what to ask, shown to the partner (required)")
	due := fs.Duration("due", 0, "when it is wanted by, from now, such as 168h (optional)")
	id, args, err := leadingID(fs, args, "the customer id")
	if err != nil {
		return err
	}
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		item := kyb.RequirementItem{Kind: *kind, Field: *field, FileType: *fileType, Message: *message}
		if *due > 0 {
			item.DueAt = kyb.FormatTime(svc.Now().Add(*due).Truncate(time.Second))
		}
		c, err := svc.RequestInformation(ctx, cliActor, id, kyb.RequirementsRequest{Items: []kyb.RequirementItem{item}})
		if err != nil {
			return err
		}
		r := c.Requirements[len(c.Requirements)-1]
		_, err = fmt.Fprintf(e.stdout, "%s: asked %s (%d open)\n", c.ID, r.ID, len(c.Requirements))
		return err
	})
}
