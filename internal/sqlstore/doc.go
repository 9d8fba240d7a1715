// Package sqlstore is what the SQLite and PostgreSQL stores share beyond
// their SQL: the storage format of a customer's profile (our own and
// versioned, not the wire JSON), the runner that applies each engine's
// embedded migrations, and the description of connection pools that the
// metrics read.
package sqlstore
