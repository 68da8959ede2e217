package station

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
)

// Pairing errors the web layer maps to API codes.
var (
	ErrPairCode = errors.New("station: unknown, used or expired pairing code")
	ErrNoDevice = sqlite.ErrNoDevice
)

const (
	// PairCodeTTL is how long a pairing code shown on the kiosk works.
	PairCodeTTL = 5 * time.Minute
	// pairCodeTries wrong PINs burn a code, so a code seen over someone's
	// shoulder is not a way to guess the PIN at leisure.
	pairCodeTries = 5
	// pairCodesMax bounds the codes held at once; the oldest goes first.
	pairCodesMax = 16
	// touchEvery limits how often a tablet's last_seen is written: a
	// write per request would compete with signatures for the one writer.
	touchEvery = time.Minute
)

// Device is a paired tablet as the operator sees it.
type Device struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	UserAgent string    `json:"user_agent"`
	PairedAt  time.Time `json:"paired_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// pairing holds the one-time codes in memory: a restart voids them,
// which costs the operator one more tap.
type pairing struct {
	mu      sync.Mutex
	codes   map[string]*pairCode
	touched map[int64]time.Time
}

type pairCode struct {
	expires time.Time
	tries   int
}

// NewPairingCode checks the operator PIN and returns a one-time code a
// tablet pairs with, valid for PairCodeTTL.
func (s *Station) NewPairingCode(pin string) (string, time.Time, error) {
	if !s.CheckPIN(pin) {
		return "", time.Time{}, ErrWrongPIN
	}
	now := s.now()
	code := newPairCode()
	p := &s.pairing
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.codes == nil {
		p.codes = map[string]*pairCode{}
	}
	for c, pc := range p.codes {
		if !now.Before(pc.expires) {
			delete(p.codes, c)
		}
	}
	for len(p.codes) >= pairCodesMax {
		oldest := ""
		for c, pc := range p.codes {
			if oldest == "" || pc.expires.Before(p.codes[oldest].expires) {
				oldest = c
			}
		}
		delete(p.codes, oldest)
	}
	expires := now.Add(PairCodeTTL)
	p.codes[code] = &pairCode{expires: expires}
	return code, expires, nil
}

// Pair pairs a tablet with a code from NewPairingCode and the operator
// PIN, returning the device's secret token. The code is used up by the
// first success; wrong PINs count against it. previousToken, the device
// token the browser already holds, if any, is unpaired. An empty name
// becomes defaultName(n).
func (s *Station) Pair(ctx context.Context, code, pin, name, userAgent, previousToken string, defaultName func(int64) string) (string, Device, error) {
	now := s.now()
	p := &s.pairing
	// Take a try under the lock, check the (slow) PIN outside it.
	p.mu.Lock()
	pc := p.codes[code]
	if pc == nil || !now.Before(pc.expires) || pc.tries >= pairCodeTries {
		p.mu.Unlock()
		return "", Device{}, ErrPairCode
	}
	pc.tries++
	p.mu.Unlock()

	if !s.CheckPIN(pin) {
		p.mu.Lock()
		if pc.tries >= pairCodeTries {
			delete(p.codes, code)
		}
		p.mu.Unlock()
		return "", Device{}, ErrWrongPIN
	}
	p.mu.Lock()
	if p.codes[code] != pc { // a concurrent request used it first
		p.mu.Unlock()
		return "", Device{}, ErrPairCode
	}
	delete(p.codes, code)
	p.mu.Unlock()

	token := newToken()
	row, err := s.db.AddDevice(ctx, token, previousToken, strings.TrimSpace(name), userAgent, defaultName, now)
	if err != nil {
		return "", Device{}, err
	}
	return token, s.deviceView(row), nil
}

// Device returns the paired device of token, ErrNoDevice if there is
// none, and notes that it was seen (at most once per touchEvery).
func (s *Station) Device(ctx context.Context, token string) (Device, error) {
	row, err := s.db.DeviceByToken(ctx, token)
	if err != nil {
		return Device{}, err
	}
	now := s.now()
	p := &s.pairing
	p.mu.Lock()
	if p.touched == nil {
		p.touched = map[int64]time.Time{}
	}
	last, ok := p.touched[row.ID]
	due := !ok || now.Sub(last) >= touchEvery || now.Before(last)
	if due {
		p.touched[row.ID] = now
	}
	p.mu.Unlock()
	if due {
		if err := s.db.TouchDevice(ctx, row.ID, now); err != nil {
			return Device{}, err
		}
		row.LastSeen = now
	}
	return s.deviceView(row), nil
}

// Devices lists the paired tablets.
func (s *Station) Devices(ctx context.Context) ([]Device, error) {
	rows, err := s.db.Devices(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Device, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.deviceView(r))
	}
	return out, nil
}

// Unpair ends a tablet's pairing: its cookie stops working with its next
// request, and its open shifts close.
func (s *Station) Unpair(ctx context.Context, id int64) error {
	now, _ := s.clock.Now()
	if err := s.db.UnpairDevice(ctx, id, now); err != nil {
		return err
	}
	s.pairing.mu.Lock()
	delete(s.pairing.touched, id)
	s.pairing.mu.Unlock()
	return nil
}

// now is the clock's time to the second, as the store keeps it.
func (s *Station) now() time.Time {
	now, _ := s.clock.Now()
	return now.Truncate(time.Second)
}

func (s *Station) deviceView(d sqlite.Device) Device {
	return Device{ID: d.ID, Name: d.Name, UserAgent: d.UserAgent,
		PairedAt: d.PairedAt.In(s.clock.Location()), LastSeen: d.LastSeen.In(s.clock.Location())}
}

// newPairCode returns 80 random bits as 16 lowercase letters and digits:
// unguessable within its few minutes, short enough to type from the
// screen when a tablet has no camera.
func newPairCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}
