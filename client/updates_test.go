package client_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestUpdateAndAnswer(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		srv := startServer(t, e)
		c := srv.partner(t)
		ctx := t.Context()
		created, err := c.CreateCustomer(ctx, api.Profile{
			PartnerCustomerID:   "client-updated-0000001",
			BusinessDetails:     &api.BusinessDetails{BusinessName: "Example Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB"},
			RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
		})
		if err != nil || created.Version != 1 {
			t.Fatalf("CreateCustomer = %+v, %v", created, err)
		}
		operator := kyb.Actor{Type: kyb.ActorOperator, ID: "opr_test"}
		if _, err := srv.svc.RequestInformation(ctx, operator, created.CustomerID, kyb.RequirementsRequest{Items: []kyb.RequirementItem{
			{Kind: api.RequirementField, Field: "business_details.business_name", Message: "Give the registered name"},
			{Kind: api.RequirementQuestion, Message: "Which marketplaces?"},
		}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.Customer(ctx, created.CustomerID)
		if err != nil || len(got.Requirements) != 2 || got.Requirements[0].Field != "business_details.business_name" {
			t.Fatalf("Customer = %+v, %v; want its two requirements", got.Requirements, err)
		}
		updated, err := c.UpdateCustomer(ctx, created.CustomerID, map[string]any{
			"business_details":     map[string]any{"business_name": "Example Limited"},
			"registration_address": map[string]any{"registration_address_state": nil},
		}, got.Version)
		if err != nil || updated.Version != 2 || updated.BusinessDetails.BusinessName != "Example Limited" || len(updated.Requirements) != 1 {
			t.Fatalf("UpdateCustomer = %+v, %v; want version 2 with the question left", updated, err)
		}
		var apiErr *client.Error
		if _, err := c.UpdateCustomer(ctx, created.CustomerID, map[string]any{"business_details": map[string]any{"website": "https://x.example"}}, 1); !errors.As(err, &apiErr) ||
			apiErr.StatusCode != http.StatusPreconditionFailed || apiErr.Code != "version_mismatch" {
			t.Errorf("UpdateCustomer of a stale version: %v, want 412 version_mismatch", err)
		}
		answered, err := c.AnswerRequirement(ctx, created.CustomerID, updated.Requirements[0].ID, "Amazon")
		if err != nil || len(answered.Requirements) != 0 {
			t.Errorf("AnswerRequirement = %+v, %v; want no requirement left", answered, err)
		}
	})
}
