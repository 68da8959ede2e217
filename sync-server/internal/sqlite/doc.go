// Package sqlite is the sync server's store on database/sql. Its SQL is
// kept portable (no SQLite-only functions; ON CONFLICT, partial indexes
// and CHECKs that PostgreSQL shares) so a second engine can be added for
// regions that outgrow one machine without touching the sync logic.
// TODO(postgres): placeholders are "?"; a PostgreSQL engine needs them
// rebound to $n, which is the only dialect difference left.
package sqlite
