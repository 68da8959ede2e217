// Package signature validates a resident's signature form against a
// project's rules (age on the signing date, plausible birth date,
// residence, consent, collection window, a real drawn signature) and
// defines the signature record both the kiosk and the server store.
package signature
