// Package storage opens the SQLite files of the kiosk and the server with
// the durability both need (WAL, synchronous=FULL, a busy timeout, foreign
// keys) and applies their numbered, embedded .sql migrations at start,
// each in one transaction, recording the schema version.
package storage
