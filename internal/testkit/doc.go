// Package testkit holds the few test helpers that tests of more than one package
// need: a signed-in editor's HTTP client on a real connection, a small full disk
// and a read-only file (both need root: without it the test is skipped, with the
// reason), a row count on a database file, the whole body of an answer (Body),
// the module's schema.sql (Schema) and a log sink safe for a server goroutine
// (SyncBuffer). Only tests import it.
package testkit
