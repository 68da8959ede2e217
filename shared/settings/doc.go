// Package settings binds a program's flags to environment variables, so
// every setting of the kiosk and the server can come from the command line
// or from SBOR_… variables (a systemd EnvironmentFile), flags winning.
package settings
