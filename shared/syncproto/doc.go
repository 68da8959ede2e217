// Package syncproto is the kiosk ⇄ server sync protocol (docs/sync.md):
// the messages, their limits, and a strict decoder that refuses anything
// unknown, malformed or oversized with a protocol error instead of
// guessing. Both sides encode and decode through it.
package syncproto
