// Package consent holds the exact consent wording a signer agrees to
// (column 6 of the signature sheet, Приложение 1) and the version under
// which it is stored with every signature, so the office can show which
// text each citizen saw.
package consent
