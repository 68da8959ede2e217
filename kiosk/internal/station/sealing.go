package station

import (
	"context"
	"sync"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

// ErrNoOfficeKey: the catalogue in force has no office key, so nothing
// personal can be sealed and nothing is collected.
var ErrNoOfficeKey = sqlite.ErrNoOfficeKey

// Scopes of keyed hashes: a resident is one per project, meeting or survey.
const (
	projectScope = "project:"
	meetingScope = "meeting:"
	surveyScope  = "survey:"
)

// secrets caches the pinned dedupe secret of each scope.
type secrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

// sealing returns how to write a record of the resident with key in scope:
// the office key of the catalogue in force and the keyed hash of key.
func (s *Station) sealing(ctx context.Context, scope, id string, key citizen.Key) (sqlite.Sealing, []byte, error) {
	c := s.Catalog()
	if c == nil {
		return sqlite.Sealing{}, nil, ErrNoCatalog
	}
	office, err := c.SealKey()
	if err != nil {
		return sqlite.Sealing{}, nil, ErrNoOfficeKey
	}
	secret, err := s.secret(ctx, scope, id)
	if err != nil {
		return sqlite.Sealing{}, nil, err
	}
	return sqlite.Sealing{Office: office, KeyHash: citizen.KeyHash(key, secret)}, secret, nil
}

// secret returns the scope's pinned secret, pinning the server's (for a
// project, when the uplink has one) or a fresh one at first use.
func (s *Station) secret(ctx context.Context, kind, id string) ([]byte, error) {
	scope := kind + id
	s.secrets.mu.Lock()
	defer s.secrets.mu.Unlock()
	if b, ok := s.secrets.m[scope]; ok {
		return b, nil
	}
	var offered []byte
	if r := s.remote.Load(); r != nil && kind == projectScope {
		offered = (*r).ProjectKey(id)
	}
	now, _ := s.clock.Now()
	b, err := s.db.DedupeSecret(ctx, scope, offered, now)
	if err != nil {
		return nil, err
	}
	if s.secrets.m == nil {
		s.secrets.m = map[string][]byte{}
	}
	s.secrets.m[scope] = b
	return b, nil
}

// near returns a signer's near keys and probes under the project's secret.
func near(name string, birth calendar.Date, secret []byte) sqlite.Near {
	return sqlite.Near{Keys: citizen.NearKeys(name, birth, secret), Probes: citizen.NearProbes(name, birth, secret)}
}
