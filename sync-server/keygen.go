package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/settings"
)

// runKeygenCommand handles `sync-server keygen [-out FILE]`: it makes the
// office key pair and prints the public key, which standalone kiosks'
// catalogue files carry as office_key. The file is never overwritten.
func runKeygenCommand(args []string, stdout io.Writer, lookup func(string) (string, bool)) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("out", "", "key file to write (default: the server's, $SBOR_OFFICE_KEY or office.key in -data)")
	data := fs.String("data", DefaultConfig().DataDir, "data directory of the server")
	if err := settings.Parse(fs, args, lookup); err != nil {
		return err
	}
	path := *out
	if path == "" {
		cfg := Config{DataDir: *data}
		cfg.OfficeKey, _ = lookup(settings.EnvName("office-key"))
		path = cfg.OfficeKeyFile()
	}
	kp, err := seal.Generate()
	if err != nil {
		return err
	}
	if err := kp.WriteFile(path); err != nil {
		if !errors.Is(err, os.ErrExist) {
			return err
		}
		// Say which key is there, so the office need not make another.
		if old, rerr := seal.ReadFile(path); rerr == nil {
			return fmt.Errorf("%s already holds the office key %s (fingerprint %s), never overwritten: a new key would leave every record sealed to it unreadable",
				path, old.Public, old.Public.Fingerprint())
		}
		return fmt.Errorf("%s exists and is never overwritten: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	fmt.Fprintf(stdout, "office key written to %s: keep it secret, back it up apart from the database\n", abs)
	fmt.Fprintf(stdout, "fingerprint %s\n", kp.Public.Fingerprint())
	fmt.Fprintf(stdout, "for the catalogue files of kiosks without a server:\n\"office_key\": %q\n", kp.Public.String())
	return nil
}
