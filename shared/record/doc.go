// Package record defines the kiosk's append-only log: typed records
// (signatures now; meeting attendance, votes and survey answers later),
// numbered per kiosk and epoch, each hashed over the previous record's hash
// so a gap, an edit or a reordering is detectable by whoever holds the
// chain. The kiosk writes it and the sync server verifies it with the
// same code.
package record
