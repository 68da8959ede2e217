// Package sqlite is the kiosk's store: one SQLite file in the data dir
// holding the append-only record log, the signatures indexed out of it
// (a UNIQUE index refuses a second signature of a citizen for a project),
// meetings called here, meeting attendance and votes, survey answers
// (UNIQUE indexes refuse a second registration or answer of a citizen),
// open shifts, the tablets paired to the kiosk, and the last good
// catalogue.
package sqlite
