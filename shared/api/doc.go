// Package api is the JSON envelope of the kiosk's and the server's HTTP
// APIs: strict request decoding (JSON content type, size limit, no
// unknown fields) and errors as {"error": code, "message": text} with
// field problems, the message taken from the caller's language.
package api
