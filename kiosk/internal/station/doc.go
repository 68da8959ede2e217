// Package station is the kiosk's domain service: it holds the catalogue
// in force, the kiosk's clock, operator shifts and paired tablets, and
// signs residents up by checking their form with the shared rules and
// storing the signature. It also registers residents at meetings, records
// the votes, lets an operator call a meeting offline, and takes residents'
// answers to the catalogue's surveys. The web package only translates
// HTTP to calls here.
package station
