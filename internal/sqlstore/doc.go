// Package sqlstore is the store core that the SQLite and PostgreSQL stores
// share: Core, which each engine embeds, holds every store method that is
// the same on both (customer reads and lists, partners and keys, rate
// limits, operators, files, the audit trail, webhook endpoints, deliveries
// and events) over a small seam
// (Queryer, Dialect: placeholders, time parameters, row locks). Also here:
// the storage format of a customer's profile (our own and versioned, not
// the wire JSON), the migration runner, the customer-list query, and the
// description of connection pools that the metrics read.
//
// What stays in each engine is what differs for a reason: opening and
// durability checks, error mapping, the create path (group commit on
// SQLite, pipelined batches on PostgreSQL), status changes, and claiming
// deliveries (FOR UPDATE SKIP LOCKED on PostgreSQL).
package sqlstore
