// Package web serves the kiosk's touch UI and its JSON API (docs/api.md)
// over the station service. One file per page or endpoint.
package web
