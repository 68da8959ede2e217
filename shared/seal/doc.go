// Package seal encrypts residents' personal data at the kiosk to the
// office's public key, so that neither the kiosk nor whoever copies its SD
// card can read it back; only the sync server, which holds the private
// key, opens it on receipt.
//
// Sealing is an anonymous sealed box (NaCl crypto_box_seal,
// golang.org/x/crypto/nacl/box): X25519 with a fresh ephemeral key per
// message, XSalsa20-Poly1305. The sender keeps nothing that decrypts.
package seal
