// Command sync-server is Sbor's central server: kiosks sync their record
// logs to it over websockets; it dedupes signatures across kiosks, keeps
// tallies toward each project's threshold, and is the catalogue authority.
// main only wires the parts together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sbor-project/sbor/shared/lockout"
	"github.com/sbor-project/sbor/shared/release"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/settings"
	"github.com/sbor-project/sbor/sync-server/internal/hub"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
	"github.com/sbor-project/sbor/sync-server/internal/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 {
		var err error
		switch os.Args[1] {
		case "user":
			err = runUserCommand(ctx, os.Args[2:], os.Stdin, os.Stdout, os.LookupEnv)
		case "audit":
			err = runAuditCommand(ctx, os.Args[2:], os.Stdout, os.LookupEnv)
		case "retention":
			err = runRetentionCommand(ctx, os.Args[2:], os.Stdout, os.LookupEnv)
		case "keygen":
			err = runKeygenCommand(os.Args[2:], os.Stdout, os.LookupEnv)
		default:
			goto serve
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "sync-server "+os.Args[1]+":", err)
			os.Exit(1)
		}
		return
	}
serve:
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:], os.LookupEnv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "sync-server:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sync-server:", err)
		m.Close()
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "sync-server: listening on http://%s\n", m.Server.Addr())
	<-ctx.Done()
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "sync-server:", err)
		os.Exit(1)
	}
}

// Main is the server program.
type Main struct {
	Config Config
	Timing hub.Timing
	// LoginPolicy throttles failed sign-ins; tests make it fast.
	LoginPolicy lockout.Policy

	DB *sqlite.DB
	// Office is the key residents' personal data are sealed to.
	Office *seal.KeyPair
	Hub    *hub.Hub
	Server *web.Server
	served chan error

	stopRetention context.CancelFunc
	retentionDone chan struct{}
}

// NewMain returns a Main with default settings.
func NewMain() *Main { return &Main{Config: DefaultConfig(), Timing: hub.DefaultTiming} }

// ParseFlags reads settings from args, then SBOR_… variables.
func (m *Main) ParseFlags(args []string, lookup func(string) (string, bool)) error {
	fs := flag.NewFlagSet("sync-server", flag.ContinueOnError)
	m.Config.Bind(fs)
	if err := settings.Parse(fs, args, lookup); err != nil {
		return err
	}
	return m.Config.Validate()
}

// Run opens the store and starts serving.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})))
	var err error
	if m.DB, err = sqlite.Open(ctx, cfg.DataDir); err != nil {
		return err
	}
	// Before the catalogue is loaded: it goes out carrying the key.
	if m.Office, err = openOfficeKey(ctx, m.DB, cfg.OfficeKeyFile()); err != nil {
		return err
	}
	m.Hub = hub.New(m.DB, m.Timing)
	c, err := m.DB.Catalog(ctx)
	if err != nil {
		return err
	}
	if c != nil {
		if err := m.DB.SyncCatalogLinks(ctx, c); err != nil {
			return err
		}
		if err := m.Hub.SetCatalog(c); err != nil {
			return err
		}
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return fmt.Errorf("timezone: %w", err)
	}
	m.Server, err = web.New(web.Config{AdminToken: cfg.AdminToken, EnrollTTL: cfg.EnrollTTL, BodyLimit: cfg.BodyLimit,
		SessionTTL: cfg.SessionTTL, Location: loc, PublicURL: cfg.PublicURL, TrustedProxies: cfg.TrustedProxies, LoginPolicy: m.LoginPolicy}, m.DB, m.Hub)
	if err != nil {
		return err
	}
	if err := m.Server.Listen(cfg.Addr); err != nil {
		return err
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.Server.Serve(cfg.TLSCert, cfg.TLSKey) }()
	rctx, stop := context.WithCancel(context.Background())
	m.stopRetention, m.retentionDone = stop, make(chan struct{})
	go func() {
		defer close(m.retentionDone)
		m.retentionLoop(rctx, loc)
	}()
	if cfg.AdminToken == "" {
		slog.Warn("no -admin-token: the admin API is closed")
	}
	slog.Info("sync server started", "addr", m.Server.Addr().String(), "data", cfg.DataDir, "version", release.Version,
		"office_key", m.Office.Public.String(), "office_key_fingerprint", m.Office.Public.Fingerprint())
	return nil
}

// errOfficeKeyMissing is returned when the office key file is gone but
// the database has used one.
var errOfficeKeyMissing = errors.New("the office key file is missing")

// openOfficeKey reads the office key from path, or makes one there for a
// database that never had one. A database that had another key refuses
// the start: kiosks seal to the key they were sent, and a silently new
// one would leave every record they hold unsent unreadable.
func openOfficeKey(ctx context.Context, db *sqlite.DB, path string) (*seal.KeyPair, error) {
	kp, err := seal.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		held, err := db.OfficeKeyFingerprint(ctx)
		if err != nil {
			return nil, err
		}
		if held != "" {
			return nil, fmt.Errorf("%w: %s; the database expects the key %s: restore the file from its backup, or give its place with -office-key",
				errOfficeKeyMissing, path, held)
		}
		if kp, err = seal.Generate(); err != nil {
			return nil, err
		}
		if err := kp.WriteFile(path); err != nil {
			return nil, err
		}
		slog.Warn("NEW OFFICE KEY GENERATED: BACK IT UP NOW, apart from the database. Residents' personal data are sealed to it; "+
			"if it is lost, every record kiosks have not sent yet can never be opened",
			"file", path, "fingerprint", kp.Public.Fingerprint())
	case err != nil:
		return nil, fmt.Errorf("-office-key: %w", err)
	}
	if err := db.UseOfficeKey(ctx, kp); err != nil {
		return nil, fmt.Errorf("-office-key %s: %w; restore the right key file, or give its place with -office-key", path, err)
	}
	return kp, nil
}

// Close stops serving and closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.stopRetention != nil {
		// Waited for, so that a run under way does not meet a closed database.
		m.stopRetention()
		<-m.retentionDone
		m.stopRetention = nil
	}
	if m.Server != nil && m.served != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errs = append(errs, m.Server.Shutdown(ctx), <-m.served)
		m.served = nil
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
		m.DB = nil
	}
	return errors.Join(errs...)
}

// Config is every server setting; each flag also reads SBOR_<FLAG>.
type Config struct {
	Addr       string
	DataDir    string
	AdminToken string
	EnrollTTL  time.Duration
	BodyLimit  int64
	LogLevel   slog.Level
	TimeZone   string
	SessionTTL time.Duration
	PublicURL  string
	// OfficeKey is the office's seal key file; "" is office.key in DataDir.
	OfficeKey string

	TLSCert, TLSKey string
	TrustedProxies  []netip.Prefix

	Retention      time.Duration
	RetentionEvery time.Duration
}

// DefaultConfig returns the defaults in configs/sync-server.env.example.
func DefaultConfig() Config {
	return Config{Addr: ":8090", DataDir: "data", EnrollTTL: 72 * time.Hour, BodyLimit: 64 << 10, LogLevel: slog.LevelInfo,
		TimeZone: "Europe/Moscow", SessionTTL: 12 * time.Hour, Retention: 90 * 24 * time.Hour, RetentionEvery: 24 * time.Hour}
}

// Bind registers the settings as flags.
func (c *Config) Bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "address of the API and the /sync websocket")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (SQLite database)")
	fs.StringVar(&c.AdminToken, "admin-token", c.AdminToken, "bearer token for the admin API (at least 16 characters)")
	fs.DurationVar(&c.EnrollTTL, "enroll-ttl", c.EnrollTTL, "how long a kiosk enrollment code stays valid")
	fs.Int64Var(&c.BodyLimit, "body-limit", c.BodyLimit, "largest JSON request body in bytes (catalogues have their own 8 MiB limit)")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log level: DEBUG, INFO, WARN, ERROR")
	fs.StringVar(&c.TimeZone, "timezone", c.TimeZone, "the municipality's time zone")
	fs.DurationVar(&c.SessionTTL, "session-ttl", c.SessionTTL, "how long an office sign-in lasts")
	fs.StringVar(&c.OfficeKey, "office-key", c.OfficeKey, "office key file kiosks seal personal data to (default: office.key in -data; made at the first start)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "the server's address as residents reach it, for QR codes and documents (default: from each request)")
	fs.DurationVar(&c.Retention, "retention", c.Retention, "erase a project's personal data this long after its selection_end")
	fs.DurationVar(&c.RetentionEvery, "retention-every", c.RetentionEvery, "how often the server checks for data past retention")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "TLS certificate file (PEM); with -tls-key the server speaks HTTPS")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "TLS private key file (PEM)")
	fs.Func("trusted-proxies", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-* headers are believed", func(v string) error {
		c.TrustedProxies = nil
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			p, err := netip.ParsePrefix(f)
			if err != nil {
				a, aerr := netip.ParseAddr(f)
				if aerr != nil {
					return fmt.Errorf("%q is not an address or CIDR", f)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
		return nil
	})
}

// OfficeKeyFile is the office key file in use.
func (c *Config) OfficeKeyFile() string {
	if c.OfficeKey != "" {
		return c.OfficeKey
	}
	return filepath.Join(c.DataDir, officeKeyName)
}

// officeKeyName is the office key file's name in the data dir.
const officeKeyName = "office.key"

// Validate checks the settings together.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("-data is required"))
	}
	if c.AdminToken != "" && len(c.AdminToken) < 16 {
		errs = append(errs, errors.New("-admin-token must have at least 16 characters"))
	}
	if c.EnrollTTL < time.Minute {
		errs = append(errs, errors.New("-enroll-ttl must be at least 1m"))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("-timezone: %w", err))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("-tls-cert and -tls-key go together"))
	}
	if c.Retention < 0 || c.RetentionEvery < time.Minute {
		errs = append(errs, errors.New("-retention must not be negative and -retention-every at least 1m"))
	}
	if c.SessionTTL < time.Minute {
		errs = append(errs, errors.New("-session-ttl must be at least 1m"))
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, errors.New("-public-url must start with http:// or https://"))
	}
	if c.BodyLimit < 4<<10 {
		errs = append(errs, errors.New("-body-limit must be at least 4096"))
	}
	return errors.Join(errs...)
}
