package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/sbor-project/sbor/shared/settings"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// runUserCommand handles `sync-server user add [-data DIR] -role ROLE [-project ID] [-name "ФИО"] USERNAME`.
// The password is read from the terminal without echo, or from stdin
// when stdin is not a terminal (for scripts).
func runUserCommand(ctx context.Context, args []string, stdin *os.File, stdout io.Writer, lookup func(string) (string, bool)) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: sync-server user add [-data DIR] -role admin|viewer|group [-project ID] [-name NAME] USERNAME")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	data := fs.String("data", DefaultConfig().DataDir, "data directory of the server")
	role := fs.String("role", "", "admin, viewer or group")
	project := fs.String("project", "", "project id, for a group member")
	name := fs.String("name", "", "full name, shown in the office")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("give exactly one USERNAME after the flags")
	}
	if err := settings.ApplyEnv(fs, lookup); err != nil {
		return err
	}
	password, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, *data)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.AddUser(ctx, sqlite.User{Username: fs.Arg(0), FullName: *name, Role: *role, ProjectID: *project}, password)
	if err != nil {
		return err
	}
	if err := db.Audit(ctx, sqlite.AuditEntry{Actor: "cli", Action: "user.add", Object: "user:" + u.Username, Detail: "role " + u.Role}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) added\n", u.Username, u.Role)
	return nil
}

func readPassword(stdin *os.File, stdout io.Writer) (string, error) {
	if term.IsTerminal(int(stdin.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		p1, err := term.ReadPassword(int(stdin.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "Again: ")
		p2, err := term.ReadPassword(int(stdin.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// runAuditCommand handles `sync-server audit verify [-data DIR]`: it walks
// the audit log's hash chain and names the first entry that breaks it.
func runAuditCommand(ctx context.Context, args []string, stdout io.Writer, lookup func(string) (string, bool)) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: sync-server audit verify [-data DIR]")
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	data := fs.String("data", DefaultConfig().DataDir, "data directory of the server")
	if err := settings.Parse(fs, args[1:], lookup); err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, *data)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit log verified: %d entries, chain intact\n", n)
	return nil
}

// runRetentionCommand handles `sync-server retention run [-data DIR]
// [-retention 2160h] [-timezone Europe/Moscow]`: the scheduled purge, by
// hand.
func runRetentionCommand(ctx context.Context, args []string, stdout io.Writer, lookup func(string) (string, bool)) error {
	if len(args) == 0 || args[0] != "run" {
		return errors.New("usage: sync-server retention run [-data DIR] [-retention 2160h] [-timezone ZONE]")
	}
	def := DefaultConfig()
	fs := flag.NewFlagSet("retention run", flag.ContinueOnError)
	data := fs.String("data", def.DataDir, "data directory of the server")
	retention := fs.Duration("retention", def.Retention, "erase a project's personal data this long after its selection_end")
	zone := fs.String("timezone", def.TimeZone, "the municipality's time zone")
	if err := settings.Parse(fs, args[1:], lookup); err != nil {
		return err
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, *data)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Catalog(ctx)
	if err != nil {
		return err
	}
	n, err := purgeDue(ctx, db, c, *retention, time.Now(), loc, "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "retention: personal data of %d project(s) erased\n", n)
	return nil
}
