// Package api is the wire contract of onboard's partner API: the request
// and response bodies of every /api route, the error body, the webhook
// event and the webhook signing scheme. The server and the Go client both
// use these types, so the two cannot drift apart. It imports only the
// standard library, so a partner who imports the client gets nothing of the
// server.
//
// Field names are the contract's (see create-customer.txt). Times are RFC
// 3339 in UTC with whole seconds on the way out; the date-times inside a
// Profile are strings, because the service echoes them as it normalised
// them and accepts any RFC 3339 offset on the way in.
package api
