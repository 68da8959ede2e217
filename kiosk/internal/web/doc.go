// Package web serves the kiosk's touch UI and its JSON API (docs/api.md)
// over the station service. One file per page or group of endpoints;
// gate.go decides, for every request, whether it is the kiosk's own
// screen, a paired tablet, or nobody to serve.
package web
