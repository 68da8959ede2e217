package syncproto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"

	"github.com/sbor-project/sbor/shared/record"
)

// batchDomain keeps batch digests apart from every other SHA-256 input.
const batchDomain = "sbor-batch-v1"

// BatchDigest is what a kiosk signs for a batch: SHA-256 over
// "sbor-batch-v1", the length-prefixed kiosk id and epoch, pending and the
// record count (big-endian uint64), then for each record its seq, one
// byte saying whether its sealed part travels with it, the hash it
// claims, and the hash its content gives (record.Recompute).
//
// Both sides recompute the content hash rather than trust the claimed
// one, so a changed byte anywhere in a record (seq, type, payload, sealed
// part, prev hash, hash) changes the digest. A kiosk whose own log is
// damaged still signs what it sends, so the server tells that apart
// (CodeChain) from a batch changed on the way (CodeSignature).
func BatchDigest(kioskID, epoch string, recs []record.Record, pending int) [32]byte {
	h := sha256.New()
	h.Write([]byte(batchDomain))
	writeLen(h, uint64(len(kioskID)))
	h.Write([]byte(kioskID))
	writeLen(h, uint64(len(epoch)))
	h.Write([]byte(epoch))
	writeLen(h, uint64(pending))
	writeLen(h, uint64(len(recs)))
	for _, r := range recs {
		writeLen(h, r.Seq)
		// An empty sealed part does not travel (omitempty): sign what
		// arrives, so it counts as none.
		sealed := byte(0)
		if len(r.Sealed) > 0 {
			sealed = 1
		} else {
			r.Sealed = nil
		}
		h.Write([]byte{sealed})
		content := r.Recompute(epoch)
		h.Write(r.Hash[:])
		h.Write(content[:])
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func writeLen(h interface{ Write([]byte) (int, error) }, n uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	h.Write(b[:])
}

// SignBatch signs b for the kiosk's session in epoch, setting b.Signature.
func SignBatch(priv ed25519.PrivateKey, kioskID, epoch string, b *Batch) {
	d := BatchDigest(kioskID, epoch, b.Records, b.Pending)
	b.Signature = ed25519.Sign(priv, d[:])
}

// VerifyBatch reports whether b is signed by the holder of pub for the
// kiosk's session in epoch. A key of the wrong size verifies nothing.
func VerifyBatch(pub ed25519.PublicKey, kioskID, epoch string, b *Batch) bool {
	if len(pub) != ed25519.PublicKeySize || len(b.Signature) != ed25519.SignatureSize {
		return false
	}
	d := BatchDigest(kioskID, epoch, b.Records, b.Pending)
	return ed25519.Verify(pub, d[:], b.Signature)
}
