// Command kiosk is the Sbor kiosk: it signs residents up for initiative
// projects offline, on a local SQLite store, through a touch UI in the
// browser. main only wires the parts together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/kiosk/internal/uplink"
	"github.com/sbor-project/sbor/kiosk/internal/web"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/lockout"
	"github.com/sbor-project/sbor/shared/release"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/settings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m := NewMain()
	if err := m.ParseFlags(os.Args[1:], os.LookupEnv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		m.Close()
		os.Exit(1)
	}
	for _, a := range m.Server.Addrs() {
		fmt.Fprintf(os.Stderr, "kiosk: listening on http://%s\n", a)
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	for running := true; running; {
		select {
		case <-hup:
			m.ReloadCatalog(ctx)
		case <-ctx.Done():
			running = false
		}
	}
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(1)
	}
}

// Main is the kiosk program: its settings and the parts it runs.
type Main struct {
	Config Config
	// Now is the device clock; tests replace it.
	Now func() time.Time
	// PINPolicy throttles wrong PINs; tests make it fast. Zero: the default.
	PINPolicy lockout.Policy

	DB      *sqlite.DB
	Station *station.Station
	Server  *web.Server
	Uplink  *uplink.Uplink
	served  chan error
	// Background work (the uplink, erasing sealed data) stops with Close.
	stopJobs context.CancelFunc
	jobs     sync.WaitGroup
}

// NewMain returns a Main with default settings.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Now: time.Now}
}

// ParseFlags reads settings from args and, for flags not given, from
// SBOR_… variables through lookup.
func (m *Main) ParseFlags(args []string, lookup func(string) (string, bool)) error {
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	m.Config.Bind(fs)
	if err := settings.Parse(fs, args, lookup); err != nil {
		return err
	}
	return m.Config.Validate()
}

// Run opens the store, loads the catalogue and starts serving.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})))
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return fmt.Errorf("timezone: %w", err)
	}
	if m.DB, err = sqlite.Open(ctx, cfg.DataDir); err != nil {
		return err
	}
	pinHash, err := station.HashPIN(cfg.OperatorPIN)
	if err != nil {
		return err
	}
	m.Config.OperatorPIN = "" // only the hash is kept
	clock := station.NewClock(loc, release.BuildDate(), m.Now)
	m.Station = station.New(m.DB, clock, pinHash, cfg.ShiftTTL)
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	m.stopJobs = stopJobs

	var cred uplink.Credential
	var unenrolled error // why a kiosk given -server cannot sync
	if cfg.ServerURL != "" {
		if cfg.EnrollCode != "" {
			if cred, err = uplink.Enroll(ctx, m.DB, cfg.ServerURL, cfg.EnrollCode); err != nil {
				return err // setting up: the installer is there to read it
			}
		} else if cred, err = uplink.LoadCredential(ctx, m.DB, cfg.ServerURL); err != nil {
			unenrolled = err
			slog.Error("the kiosk cannot sync until it is enrolled again; it collects offline meanwhile", "err", err)
		}
	}

	switch {
	case cfg.Demo:
		// The demo seals to a throwaway key: what residents type into a
		// demo is no one's to read, not even the demo's.
		demo := catalog.Demo(clock.Today())
		throwaway, err := seal.Generate()
		if err != nil {
			return err
		}
		demo.OfficeKey = throwaway.Public.String()
		if err := m.Station.SetCatalog(ctx, demo); err != nil {
			return err
		}
	case cfg.CatalogFile != "":
		if err := m.Station.LoadCatalogFile(ctx, cfg.CatalogFile); err != nil {
			if m.Station.Catalog() == nil {
				return err
			}
			slog.Error("catalogue refused; the last good one stays in force", "err", err)
		}
	default:
		ok, err := m.Station.RestoreCatalog(ctx)
		if err != nil {
			return err
		}
		if !ok && cfg.ServerURL == "" {
			return errors.New("no catalogue: give -catalog FILE, -demo, or -server URL to receive one")
		}
		if !ok {
			slog.Warn("no catalogue yet: waiting for the server to send one", "server", cfg.ServerURL)
		}
	}

	webCfg := web.Config{BodyLimit: cfg.BodyLimit, IdleReset: cfg.IdleReset, PINPolicy: m.PINPolicy,
		OnscreenKeyboard: cfg.OnscreenKeyboard, Tablets: cfg.Tablets, TabletURL: cfg.TabletURL}
	switch {
	case unenrolled != nil:
		webCfg.Sync = uplink.Unenrolled{DB: m.DB, Reason: unenrolled}
	case cfg.ServerURL != "":
		upCfg := uplink.DefaultConfig
		upCfg.RetryMin, upCfg.RetryMax = cfg.SyncRetryMin, cfg.SyncRetryMax
		if m.Uplink, err = uplink.New(upCfg, m.DB, cred, m.Station); err != nil {
			return err
		}
		m.Station.SetRemote(m.Uplink)
		webCfg.Sync = m.Uplink
		m.jobs.Go(func() { m.Uplink.Run(jobsCtx) })
	}
	m.jobs.Go(func() { m.Station.EraseSealedEvery(jobsCtx, cfg.KeepSealed, min(cfg.KeepSealed/24, time.Hour)) })
	if m.Server, err = web.New(webCfg, m.Station); err != nil {
		return err
	}
	if err := m.Server.Listen(cfg.Addrs()...); err != nil {
		return err
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.Server.Serve() }()
	version := 0
	if c := m.Station.Catalog(); c != nil {
		version = c.Version
	}
	slog.Info("kiosk started", "addr", m.Server.Addrs(), "data", cfg.DataDir, "epoch", m.DB.Epoch(),
		"version", release.Version, "catalog_version", version, "server", cfg.ServerURL, "kiosk_id", cred.KioskID,
		"tablets", cfg.Tablets, "onscreen_keyboard", cfg.OnscreenKeyboard)
	if cfg.Tablets && cfg.TabletURL == "" && !m.reachableByTablets() {
		slog.Warn("-tablets is on but the kiosk listens only on its own loopback: tablets cannot reach it; "+
			"listen on the Wi-Fi address too (-addr 127.0.0.1:8080,192.168.4.1:8080 or :8080)", "addr", cfg.Addr)
	}
	return nil
}

// reachableByTablets reports whether some listening address is not the
// screen's own 127.0.0.1 or ::1. (Other loopback addresses count: the
// tests play tablets on 127.0.0.2.)
func (m *Main) reachableByTablets() bool {
	for _, a := range m.Server.Addrs() {
		tcp, ok := a.(*net.TCPAddr)
		if ok && !tcp.IP.Equal(net.IPv4(127, 0, 0, 1)) && !tcp.IP.Equal(net.IPv6loopback) {
			return true
		}
	}
	return false
}

// ReloadCatalog rereads the catalogue file; a bad file leaves the one in force.
func (m *Main) ReloadCatalog(ctx context.Context) {
	if m.Config.CatalogFile == "" {
		return
	}
	if err := m.Station.LoadCatalogFile(ctx, m.Config.CatalogFile); err != nil {
		slog.Error("catalogue reload refused; the last good one stays in force", "err", err)
		return
	}
	slog.Info("catalogue reloaded", "version", m.Station.Catalog().Version)
}

// Close stops serving, letting requests in flight finish, then closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.Server != nil && m.served != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errs = append(errs, m.Server.Shutdown(ctx), <-m.served)
		m.served = nil
	}
	if m.stopJobs != nil {
		m.stopJobs()
		m.jobs.Wait()
		m.stopJobs = nil
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
		m.DB = nil
	}
	return errors.Join(errs...)
}

// Config is every kiosk setting; each flag also reads SBOR_<FLAG>.
type Config struct {
	Addr        string
	DataDir     string
	CatalogFile string
	Demo        bool
	OperatorPIN string
	TimeZone    string
	IdleReset   time.Duration
	ShiftTTL    time.Duration
	BodyLimit   int64
	LogLevel    slog.Level

	ServerURL    string
	EnrollCode   string
	SyncRetryMin time.Duration
	SyncRetryMax time.Duration
	// KeepSealed is how long the sealed personal data of records the
	// server acknowledged stays on the kiosk before it is erased.
	KeepSealed time.Duration

	// OnscreenKeyboard shows the UI's own keyboard on the kiosk's screen
	// (a Pi touchscreen has no system keyboard). Off in the program; the
	// Pi setup turns it on.
	OnscreenKeyboard bool
	// Tablets lets tablets paired with the operator PIN use the kiosk over
	// its Wi-Fi; off, only the kiosk's own screen is served.
	Tablets bool
	// TabletURL is the address tablets open, for the pairing QR code;
	// empty: worked out from -addr and the network interfaces.
	TabletURL string
}

// Addrs splits -addr: one address or several, comma-separated.
func (c *Config) Addrs() []string {
	var out []string
	for _, a := range strings.Split(c.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// DefaultConfig returns the defaults documented in configs/kiosk.env.example.
func DefaultConfig() Config {
	return Config{
		Addr:      ":8080",
		DataDir:   "data",
		TimeZone:  "Europe/Moscow",
		IdleReset: 90 * time.Second,
		ShiftTTL:  14 * time.Hour,
		BodyLimit: 256 << 10,
		LogLevel:  slog.LevelInfo,

		SyncRetryMin: time.Second,
		SyncRetryMax: time.Minute,
		KeepSealed:   7 * 24 * time.Hour,
	}
}

// Bind registers the settings as flags.
func (c *Config) Bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "address of the touch UI and API; several, comma-separated, to serve the screen on 127.0.0.1 and tablets on the Wi-Fi address")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (SQLite database)")
	fs.StringVar(&c.CatalogFile, "catalog", c.CatalogFile, "catalogue JSON file (docs/catalog.md)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "use the built-in demo catalogue")
	fs.StringVar(&c.OperatorPIN, "operator-pin", c.OperatorPIN, "operator PIN that opens shifts (kept only as a hash)")
	fs.StringVar(&c.TimeZone, "timezone", c.TimeZone, "the municipality's time zone for dates")
	fs.DurationVar(&c.IdleReset, "idle-reset", c.IdleReset, "idle time after which the UI clears for the next resident")
	fs.DurationVar(&c.ShiftTTL, "shift-ttl", c.ShiftTTL, "a shift closes itself this long after it opened")
	fs.Int64Var(&c.BodyLimit, "body-limit", c.BodyLimit, "largest request body in bytes")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log level: DEBUG, INFO, WARN, ERROR")
	fs.StringVar(&c.ServerURL, "server", c.ServerURL, "sync server base address, e.g. https://sbor.example; empty: offline only")
	fs.StringVar(&c.EnrollCode, "enroll", c.EnrollCode, "one-time enrollment code from the office (with -server)")
	fs.DurationVar(&c.SyncRetryMin, "sync-retry-min", c.SyncRetryMin, "first reconnect delay after the server is lost")
	fs.DurationVar(&c.SyncRetryMax, "sync-retry-max", c.SyncRetryMax, "longest reconnect delay")
	fs.DurationVar(&c.KeepSealed, "keep-sealed", c.KeepSealed, "erase the sealed personal data of records the server holds this long after its acknowledgement")
	fs.BoolVar(&c.OnscreenKeyboard, "onscreen-keyboard", c.OnscreenKeyboard, "show the UI's own keyboard on the kiosk's screen (no system keyboard)")
	fs.BoolVar(&c.Tablets, "tablets", c.Tablets, "serve tablets paired by QR code and PIN; off: only the kiosk's own screen (loopback)")
	fs.StringVar(&c.TabletURL, "tablet-url", c.TabletURL, "address tablets open, e.g. http://192.168.4.1:8080, for the pairing QR code; empty: guessed")
}

// Validate checks the settings together.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Addrs()) == 0 {
		errs = append(errs, errors.New("-addr is required"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("-data is required"))
	}
	if c.Demo && c.CatalogFile != "" {
		errs = append(errs, errors.New("-demo and -catalog exclude each other"))
	}
	if c.Demo && c.ServerURL != "" {
		errs = append(errs, errors.New("-demo and -server exclude each other: the server sends the catalogue"))
	}
	if c.KeepSealed < time.Minute {
		errs = append(errs, errors.New("-keep-sealed must be at least 1m"))
	}
	if len(c.OperatorPIN) < 4 {
		errs = append(errs, errors.New("-operator-pin (SBOR_OPERATOR_PIN) must have at least 4 characters"))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("-timezone: %w", err))
	}
	if c.IdleReset < 10*time.Second {
		errs = append(errs, errors.New("-idle-reset must be at least 10s"))
	}
	if c.ShiftTTL < time.Minute {
		errs = append(errs, errors.New("-shift-ttl must be at least 1m"))
	}
	if c.BodyLimit < 16<<10 {
		errs = append(errs, errors.New("-body-limit must be at least 16384"))
	}
	if c.CatalogFile != "" {
		c.CatalogFile = filepath.Clean(c.CatalogFile)
	}
	if c.EnrollCode != "" && c.ServerURL == "" {
		errs = append(errs, errors.New("-enroll needs -server"))
	}
	if c.ServerURL != "" && !strings.HasPrefix(c.ServerURL, "http://") && !strings.HasPrefix(c.ServerURL, "https://") {
		errs = append(errs, errors.New("-server must start with http:// or https://"))
	}
	if c.TabletURL != "" && !c.Tablets {
		errs = append(errs, errors.New("-tablet-url needs -tablets"))
	}
	if c.TabletURL != "" && !strings.HasPrefix(c.TabletURL, "http://") && !strings.HasPrefix(c.TabletURL, "https://") {
		errs = append(errs, errors.New("-tablet-url must start with http:// or https://"))
	}
	if c.SyncRetryMin <= 0 || c.SyncRetryMax < c.SyncRetryMin {
		errs = append(errs, errors.New("-sync-retry-min must be positive and not above -sync-retry-max"))
	}
	return errors.Join(errs...)
}
