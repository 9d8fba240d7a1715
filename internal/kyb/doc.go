// Package kyb is the domain of the onboarding service and the only door to
// its storage. Service (service.go) carries out every use case: creating and
// reading customers, review (review.go), partners and their API keys
// (partner.go, auth.go), documents (upload.go, file.go, reference.go),
// webhook endpoints and the outbox (webhook.go), rate limits
// (ratelimit.go) and operators (operator.go). The rules that validate a
// profile are in validate.go, the error vocabulary in errors.go, and the
// Store interfaces that the storage engines implement in store.go and
// beside their entities.
//
// The wire contract it validates is package api (the public types that the
// Go client shares); kyb imports nothing else of the project, and knows
// nothing of HTTP or SQL.
package kyb
