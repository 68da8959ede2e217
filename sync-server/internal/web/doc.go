// Package web serves the sync server's HTTP API (docs/api.md, server
// part): the catalogue, kiosk enrollment and revocation, tallies and
// duplicates, and the /sync websocket the hub handles.
package web
