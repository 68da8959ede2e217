// Package citizen holds the rules that identify a resident: how a full name
// is normalized, the identity key that makes "one signature per citizen per
// project" enforceable, and the near-duplicate test that flags typos for
// the office without refusing anyone. The kiosk and the server both call
// it, so a name collides in the same way everywhere.
package citizen
