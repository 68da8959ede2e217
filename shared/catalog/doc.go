// Package catalog defines the catalogue a kiosk collects for: territories
// with their resident counts, initiative projects with their rules, and
// the initiative-group members who may collect. The same JSON format is a
// kiosk's -catalog file and what the server pushes; docs/catalog.md
// documents it. A catalogue is valid as a whole or refused as a whole.
package catalog
