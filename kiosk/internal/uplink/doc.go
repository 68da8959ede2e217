// Package uplink is the kiosk's side of the sync protocol: it enrolls the
// kiosk once, then keeps a websocket session to the server whenever the
// network allows, sending the record log in bounded batches with a small
// window in flight, marking records acknowledged only when the server
// says they are committed, applying catalogue pushes, and answering the
// station's "did this citizen sign elsewhere?" while online.
package uplink
