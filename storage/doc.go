// Package storage keeps Supervision File's state: the metadata database
// (SQLite embedded by default, PostgreSQL once the service runs on more than
// one machine) and the blobs that make up each member of staff's file (a local
// folder here; S3-compatible storage elsewhere).
//
// One implementation of the queries serves both databases. Every value is
// passed as text, an integer, a boolean or bytes, and times and dates are
// written in fixed-width text, so the same SQL with $n placeholders runs on
// both; only the schema (migrations/sqlite, migrations/postgres) differs.
//
// The contract tests in storetest and blobtest run against every backend, so
// a behaviour the service relies on (a stale save refused, a write-once
// object) is checked the same way on each.
package storage
