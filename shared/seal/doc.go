// Package seal encrypts residents' personal data at the kiosk to the
// office's public key, so that neither the kiosk nor whoever copies its SD
// card can read it back; only the sync server, which holds the private
// key, opens it on receipt.
//
// Sealing is anonymous public-key encryption with golang.org/x/crypto/nacl/box
// (X25519, XSalsa20-Poly1305): the sender's key is an ephemeral one, made
// for a session of SessionMessages messages and kept only in memory, each
// message with a random nonce. Nothing the sender writes decrypts, and
// the office computes one shared key per session rather than per message.
package seal
