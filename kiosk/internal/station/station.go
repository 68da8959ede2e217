package station

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/consent"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/threshold"
)

// Errors the web layer maps to API codes.
var (
	ErrWrongPIN         = errors.New("station: wrong PIN")
	ErrUnknownCollector = errors.New("station: no such initiative-group member")
	ErrNotCollector     = errors.New("station: collector is not in this project's group")
	ErrClockUntrusted   = errors.New("station: clock is before the build date")
	ErrNotFound         = errors.New("station: no such project")
	ErrNoShift          = sqlite.ErrNoShift
	ErrDuplicate        = sqlite.ErrDuplicate
	ErrNoCatalog        = errors.New("station: no catalogue loaded")
)

// InvalidError carries the field problems of a refused form, and the
// shared rule's error behind them when there is one (errors.Is finds it).
type InvalidError struct {
	Problems signature.Problems
	Err      error
}

func (e *InvalidError) Error() string { return fmt.Sprintf("station: form refused: %v", e.Problems) }

// Unwrap returns the rule's error, e.g. meeting.ErrVotesOverAll.
func (e *InvalidError) Unwrap() error { return e.Err }

// Remote is the server as the station sees it while signing: a question
// about other kiosks, and a nudge to send a new record. Offline answers
// with an error and the station goes on; the server settles later.
type Remote interface {
	SignedElsewhere(ctx context.Context, projectID string, key citizen.Key) (bool, error)
	Notify()
	// ProjectKey is the server's secret for a project's keyed hashes, or
	// nil before a catalogue came from it.
	ProjectKey(projectID string) []byte
}

// Station is the kiosk's domain service.
type Station struct {
	db       *sqlite.DB
	clock    *Clock
	pinHash  []byte
	shiftTTL time.Duration
	catalog  atomic.Pointer[catalog.Catalog]
	remote   atomic.Pointer[Remote]
	pairing  pairing
	secrets  secrets
}

// SetRemote connects the station to the sync server's uplink.
func (s *Station) SetRemote(r Remote) { s.remote.Store(&r) }

// New returns a station over db. pinHash is the bcrypt hash of the
// operator PIN; the PIN itself is never kept.
func New(db *sqlite.DB, clock *Clock, pinHash []byte, shiftTTL time.Duration) *Station {
	return &Station{db: db, clock: clock, pinHash: pinHash, shiftTTL: shiftTTL}
}

// HashPIN returns the bcrypt hash of pin.
func HashPIN(pin string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(pin), bcrypt.DefaultCost)
}

// Clock returns the station's clock.
func (s *Station) Clock() *Clock { return s.clock }

// DB returns the station's store.
func (s *Station) DB() *sqlite.DB { return s.db }

// Catalog returns the catalogue in force, or nil.
func (s *Station) Catalog() *catalog.Catalog { return s.catalog.Load() }

// SetCatalog validates c, keeps it as the last good catalogue and puts it
// in force. A bad catalogue changes nothing.
func (s *Station) SetCatalog(ctx context.Context, c *catalog.Catalog) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := c.SealKey(); err != nil {
		return err // nothing may be collected that cannot be sealed
	}
	now, _ := s.clock.Now()
	if err := s.db.SaveCatalog(ctx, c, now); err != nil {
		return err
	}
	s.catalog.Store(c)
	return nil
}

// LoadCatalogFile puts the catalogue in file in force. If the file is bad,
// the last good catalogue stays (or is restored from the store at start)
// and the error names the field.
func (s *Station) LoadCatalogFile(ctx context.Context, file string) error {
	err := s.loadFile(ctx, file)
	if err != nil && s.Catalog() == nil {
		last, lerr := s.db.LastCatalog(ctx)
		if lerr != nil {
			return errors.Join(err, lerr)
		}
		if last != nil {
			s.catalog.Store(last)
			slog.Warn("catalogue file refused; using the last good catalogue", "file", file, "err", err, "version", last.Version)
		}
	}
	return err
}

func (s *Station) loadFile(ctx context.Context, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("station: catalogue: %w", err)
	}
	defer f.Close()
	c, err := catalog.Parse(f)
	if err != nil {
		return fmt.Errorf("station: catalogue %s: %w", file, err)
	}
	return s.SetCatalog(ctx, c)
}

// RestoreCatalog puts the last good catalogue in force, if there is one.
func (s *Station) RestoreCatalog(ctx context.Context) (bool, error) {
	last, err := s.db.LastCatalog(ctx)
	if err != nil || last == nil {
		return false, err
	}
	s.catalog.Store(last)
	return true, nil
}

// CheckPIN reports whether pin is the operator PIN. Every PIN the kiosk
// takes (shift, clock, pairing code, pairing a tablet) goes through here.
// Guessing is throttled per source by the web layer (web.pinLimited); a
// pairing code also burns after a few wrong PINs (see Pair).
func (s *Station) CheckPIN(pin string) bool {
	return bcrypt.CompareHashAndPassword(s.pinHash, []byte(pin)) == nil
}

// Shift is an open shift as the UI sees it.
type Shift struct {
	CollectorID   string    `json:"collector_id"`
	CollectorName string    `json:"collector_name"`
	OpenedAt      time.Time `json:"opened_at"`
	Projects      []string  `json:"projects"`
}

// OpenShift checks the PIN and opens a shift for collector on device (0:
// the kiosk's own screen), returning the new shift's secret token.
// previousToken, if any, is closed.
func (s *Station) OpenShift(ctx context.Context, pin, collectorID, previousToken string, device int64) (string, Shift, error) {
	if !s.CheckPIN(pin) {
		return "", Shift{}, ErrWrongPIN
	}
	c := s.Catalog()
	if c == nil {
		return "", Shift{}, ErrNoCatalog
	}
	if c.Member(collectorID) == nil {
		return "", Shift{}, ErrUnknownCollector
	}
	if !s.clock.Trusted() {
		return "", Shift{}, ErrClockUntrusted
	}
	token := newToken()
	now, _ := s.clock.Now()
	row, err := s.db.OpenShift(ctx, token, previousToken, collectorID, device, now)
	if err != nil {
		return "", Shift{}, err
	}
	return token, s.shiftView(c, row), nil
}

// Shift returns the open shift of token as seen from device (0: the
// kiosk's own screen). A shift's token works only on the device that
// opened it: a cookie copied to another tablet opens nothing.
func (s *Station) Shift(ctx context.Context, token string, device int64) (Shift, error) {
	now, _ := s.clock.Now()
	row, err := s.db.Shift(ctx, token, now.Add(-s.shiftTTL))
	if err != nil {
		return Shift{}, err
	}
	if row.DeviceID != device {
		return Shift{}, ErrNoShift
	}
	c := s.Catalog()
	if c == nil || c.Member(row.CollectorID) == nil {
		return Shift{}, ErrNoShift // the collector left the catalogue
	}
	return s.shiftView(c, row), nil
}

// CloseShift closes the shift of token.
func (s *Station) CloseShift(ctx context.Context, token string) error {
	now, _ := s.clock.Now()
	return s.db.CloseShift(ctx, token, now)
}

func (s *Station) shiftView(c *catalog.Catalog, row sqlite.Shift) Shift {
	sh := Shift{CollectorID: row.CollectorID, CollectorName: c.Member(row.CollectorID).FullName,
		OpenedAt: row.OpenedAt.In(s.clock.Location()), Projects: []string{}}
	for _, p := range c.Projects {
		if p.Member(row.CollectorID) != nil {
			sh.Projects = append(sh.Projects, p.ID)
		}
	}
	return sh
}

// Collector is a member who may open a shift.
type Collector struct {
	ID       string   `json:"id"`
	FullName string   `json:"full_name"`
	Projects []string `json:"projects"`
}

// Collectors lists every initiative-group member of the catalogue once.
func (s *Station) Collectors() []Collector {
	c := s.Catalog()
	if c == nil {
		return []Collector{}
	}
	var out []Collector
	index := map[string]int{}
	for _, p := range c.Projects {
		for _, m := range p.Members {
			i, ok := index[m.ID]
			if !ok {
				i = len(out)
				index[m.ID] = i
				out = append(out, Collector{ID: m.ID, FullName: m.FullName})
			}
			out[i].Projects = append(out[i].Projects, p.ID)
		}
	}
	return out
}

// Receipt is what a resident is told once their signature is stored.
type Receipt struct {
	ID            uint64 `json:"id"`
	Sheet         int    `json:"sheet"`
	Row           int    `json:"row"`
	Signatures    int    `json:"signatures"`
	Required      int    `json:"required"`
	NearDuplicate bool   `json:"near_duplicate"`
	ReceiptURL    string `json:"receipt_url,omitempty"`
	// Receipt is the unguessable code in ReceiptURL; the thank-you screen
	// fetches its QR code by it, after the answer (drawing the PNG is most
	// of a signature's cost, and the resident must not wait for it).
	Receipt string `json:"receipt,omitempty"`
}

// Sign checks form against the project's rules on today's date and stores
// the signature under the shift's collector. It returns after the commit.
func (s *Station) Sign(ctx context.Context, shift Shift, projectID string, form signature.Form) (Receipt, error) {
	c := s.Catalog()
	if c == nil {
		return Receipt{}, ErrNoCatalog
	}
	p := c.Project(projectID)
	if p == nil {
		return Receipt{}, ErrNotFound
	}
	if p.Member(shift.CollectorID) == nil {
		return Receipt{}, ErrNotCollector
	}
	if !s.clock.Trusted() {
		return Receipt{}, ErrClockUntrusted
	}
	now, source := s.clock.Now()
	birth, problems := form.Validate(p.Rules(), s.clock.Today())
	if problems != nil {
		return Receipt{}, &InvalidError{Problems: problems}
	}
	sig := signature.Signature{
		ProjectID:      p.ID,
		IdentityKey:    citizen.IdentityKey(form.FullName, birth),
		FullName:       citizen.Clean(form.FullName),
		BirthDate:      birth,
		SignedAt:       now.Truncate(time.Second),
		ClockSource:    source,
		ConsentVersion: consent.Version,
		Strokes:        form.Signature.Strokes,
		CollectorID:    shift.CollectorID,
		Receipt:        newReceipt(),
	}
	sl, secret, err := s.sealing(ctx, projectScope, p.ID, sig.IdentityKey)
	if err != nil {
		return Receipt{}, err
	}
	if r := s.remote.Load(); r != nil {
		signed, err := (*r).SignedElsewhere(ctx, p.ID, sig.IdentityKey)
		if err == nil && signed {
			return Receipt{}, ErrDuplicate
		}
	}
	saved, err := s.db.AddSignature(ctx, sig, p.SheetSize, sl, near(sig.FullName, birth, secret))
	if err != nil {
		return Receipt{}, err
	}
	if r := s.remote.Load(); r != nil {
		(*r).Notify()
	}
	rc := Receipt{
		ID: saved.Seq, Sheet: saved.Sheet, Row: saved.Row, Signatures: saved.Count,
		Required: p.Required(c.Territory(p.TerritoryID)), NearDuplicate: saved.NearDuplicateOf != 0,
	}
	if p.PageURL != "" {
		rc.ReceiptURL, rc.Receipt = receiptURL(p.PageURL, sig.Receipt), sig.Receipt
	}
	return rc, nil
}

// ReceiptURL returns the address a receipt's QR code carries, or false
// for an unknown project or a string that is not a receipt code.
func (s *Station) ReceiptURL(projectID, receipt string) (string, bool) {
	c := s.Catalog()
	if c == nil || c.Project(projectID) == nil || c.Project(projectID).PageURL == "" || !receiptCode.MatchString(receipt) {
		return "", false
	}
	return receiptURL(c.Project(projectID).PageURL, receipt), true
}

// receiptCode is what newReceipt makes: 128 bits in lower-case base32.
var receiptCode = regexp.MustCompile(`^[a-z2-7]{26}$`)

// Project is a project as the kiosk's list shows it.
type Project struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	TerritoryID string   `json:"territory_id"`
	Territory   string   `json:"territory"`
	Residents   int      `json:"residents"`
	Required    int      `json:"required"`
	Signatures  int      `json:"signatures"`
	Percent     int      `json:"percent"`
	Description string   `json:"description"`
	Streets     []string `json:"streets"`
	CollectFrom string   `json:"collect_from"`
	CollectTo   string   `json:"collect_to"`
	Open        bool     `json:"open"`
	PageURL     string   `json:"page_url,omitempty"`
}

// Projects lists the catalogue's projects with this kiosk's counts.
func (s *Station) Projects(ctx context.Context) ([]Project, error) {
	c := s.Catalog()
	if c == nil {
		return []Project{}, nil
	}
	counts, err := s.db.SignatureCounts(ctx)
	if err != nil {
		return nil, err
	}
	today := s.clock.Today()
	out := make([]Project, 0, len(c.Projects))
	for _, p := range c.Projects {
		t := c.Territory(p.TerritoryID)
		prog := threshold.Of(counts[p.ID], t.Residents, p.ThresholdPercent)
		streets := t.Streets
		if streets == nil {
			streets = []string{}
		}
		out = append(out, Project{
			ID: p.ID, Name: p.Name, TerritoryID: t.ID, Territory: t.Name, Residents: t.Residents, Required: prog.Required,
			Signatures: prog.Signatures, Percent: prog.Percent, Description: p.Description, Streets: streets,
			CollectFrom: p.CollectFrom.String(), CollectTo: p.CollectTo.String(),
			Open: !today.Before(p.CollectFrom) && !today.After(p.CollectTo), PageURL: p.PageURL,
		})
	}
	return out, nil
}

// Progress returns a project's progress toward its threshold on this kiosk.
func (s *Station) Progress(ctx context.Context, projectID string) (threshold.Progress, error) {
	c := s.Catalog()
	var p *catalog.Project
	if c != nil {
		p = c.Project(projectID)
	}
	if p == nil {
		return threshold.Progress{}, ErrNotFound
	}
	counts, err := s.db.SignatureCounts(ctx)
	if err != nil {
		return threshold.Progress{}, err
	}
	return threshold.Of(counts[p.ID], c.Territory(p.TerritoryID).Residents, p.ThresholdPercent), nil
}

// newReceipt returns a 128-bit code: unguessable, so a receipt page tells
// nothing to someone who did not hold the QR code.
func newReceipt() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// receiptURL adds the receipt code to the project's page address.
func receiptURL(page, receipt string) string {
	u, err := url.Parse(page)
	if err != nil {
		return page
	}
	q := u.Query()
	q.Set("r", receipt)
	u.RawQuery = q.Encode()
	return u.String()
}

func newToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
