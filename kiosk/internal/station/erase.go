package station

import (
	"context"
	"log/slog"
	"time"
)

// EraseSealed erases the sealed personal data of records the server
// acknowledged more than keep ago; their hashes stay, so the log still
// verifies. Acknowledgements are stamped with the device clock (the
// uplink's), so the cutoff is taken from it too.
func (s *Station) EraseSealed(ctx context.Context, keep time.Duration) (int64, error) {
	return s.db.EraseSealed(ctx, time.Now().Add(-keep))
}

// EraseSealedEvery runs EraseSealed at once and then every interval (at
// least a minute) until ctx ends.
func (s *Station) EraseSealedEvery(ctx context.Context, keep, every time.Duration) {
	every = max(every, time.Minute)
	for {
		n, err := s.EraseSealed(ctx, keep)
		switch {
		case err != nil && ctx.Err() == nil:
			slog.Error("erasing sealed personal data failed", "err", err)
		case n > 0:
			slog.Info("sealed personal data erased from the kiosk", "records", n, "acknowledged_before", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
