package openapi

import (
	"fmt"
	"strings"

	"github.com/onboardkyb/onboard/api"
)

// webhookDeliveryKey is the overlay's one paragraph on how every event is
// delivered, ending each event's description.
const webhookDeliveryKey = "x-webhook-delivery"

// expandWebhooks builds the webhooks section, one operation for each type
// of api.EventTypes in its order. The overlay gives each type only what
// differs: a summary, a description and an example event; every event is
// signed, sent and answered alike.
func expandWebhooks(doc *obj) error {
	given := doc.child("webhooks")
	delivery, _ := doc.get(webhookDeliveryKey).(string)
	if given == nil || delivery == "" {
		return fmt.Errorf("overlay.json needs webhooks and %s", webhookDeliveryKey)
	}
	doc.del(webhookDeliveryKey)
	out := newObj()
	for _, t := range api.EventTypes {
		e := given.child(t)
		if e == nil {
			return fmt.Errorf("webhooks: overlay.json says nothing of the event type %s", t)
		}
		summary, _ := e.get("summary").(string)
		description, _ := e.get("description").(string)
		if summary == "" || description == "" || !e.has("example") || len(e.keys) != 3 {
			return fmt.Errorf("webhooks.%s: give summary, description and example, and nothing else", t)
		}
		out.set(t, newObj("post", newObj(
			"operationId", "webhook"+camel(t),
			"summary", summary,
			"tags", []any{"Webhooks"},
			"description", description+"\n\n"+delivery,
			"security", []any{},
			"parameters", []any{ref("parameters", "WebhookId"), ref("parameters", "WebhookTimestamp"),
				ref("parameters", "WebhookSignature"), ref("parameters", "WebhookBodySignature")},
			"requestBody", newObj(
				"required", true,
				"description", "The event, of type "+t+".",
				"content", newObj("application/json", newObj(
					"schema", newObj("allOf", []any{ref("schemas", "WebhookEvent"),
						newObj("properties", newObj("type", newObj("const", t)))}),
					"example", e.get("example"),
				)),
			),
			"responses", newObj(
				"2XX", ref("responses", "WebhookAccepted"),
				"default", ref("responses", "WebhookRetried"),
			),
		)))
	}
	if len(given.keys) != len(api.EventTypes) {
		for _, t := range given.keys {
			if out.child(t) == nil {
				return fmt.Errorf("webhooks.%s: no such event type in api.EventTypes", t)
			}
		}
	}
	doc.set("webhooks", out)
	return nil
}

// camel turns customer.requirements_updated into CustomerRequirementsUpdated.
func camel(s string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '_' }) {
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	return b.String()
}
