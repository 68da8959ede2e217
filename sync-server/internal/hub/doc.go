// Package hub serves the sync protocol (shared/syncproto) to kiosks over
// websockets: it authenticates each session, stores batches through the
// store and acknowledges them only after commit, answers duplicate checks,
// pushes catalogue changes to connected kiosks and drops revoked ones.
// A bad message closes that one session; the hub serves the others on.
package hub
