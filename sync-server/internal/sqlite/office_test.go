package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUsersAndSessions(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.AddUser(ctx, User{Username: "admin", Role: RoleAdmin}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		u        User
		password string
	}{
		{User{Username: "admin", Role: RoleAdmin}, "correct horse battery"}, // taken
		{User{Username: "Bad Name", Role: RoleAdmin}, "correct horse battery"},
		{User{Username: "viewer", Role: "root"}, "correct horse battery"},
		{User{Username: "group", Role: RoleGroup}, "correct horse battery"}, // no project
		{User{Username: "viewer2", Role: RoleViewer, ProjectID: "p1"}, "correct horse battery"},
		{User{Username: "short", Role: RoleViewer}, "short"},
	}
	for _, b := range bad {
		if _, err := db.AddUser(ctx, b.u, b.password); !errors.Is(err, ErrBadUser) && !errors.Is(err, ErrUserExists) {
			t.Errorf("%+v accepted: %v", b.u, err)
		}
	}
	if _, _, _, err := db.Login(ctx, "admin", "wrong password!", time.Hour); !errors.Is(err, ErrBadLogin) {
		t.Fatal(err)
	}
	if _, _, _, err := db.Login(ctx, "nobody", "correct horse battery", time.Hour); !errors.Is(err, ErrBadLogin) {
		t.Fatal(err)
	}
	u, token, csrf, err := db.Login(ctx, "admin", "correct horse battery", time.Hour)
	if err != nil || u.Role != RoleAdmin || token == "" || csrf == "" {
		t.Fatal(u, err)
	}
	got, gotCSRF, err := db.Session(ctx, token)
	if err != nil || got.Username != "admin" || gotCSRF != csrf {
		t.Fatal(got, err)
	}
	now := time.Now()
	db.now = func() time.Time { return now.Add(2 * time.Hour) }
	if _, _, err := db.Session(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Fatalf("expired session: %v", err)
	}
	db.now = time.Now
	if err := db.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	db.now = func() time.Time { return now }
	if _, _, err := db.Session(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Fatalf("session after logout: %v", err)
	}
	g := User{Role: RoleGroup, ProjectID: "p1"}
	if !g.CanSeeProject("p1") || g.CanSeeProject("p2") || g.CanExportPersonalData() {
		t.Fatal("group member permissions")
	}
	if v := (User{Role: RoleViewer}); !v.CanSeeProject("p2") || v.CanExportPersonalData() {
		t.Fatal("viewer permissions")
	}
}

func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for _, a := range []string{"login", "export.csv", "pdf.sheets"} {
		if err := db.Audit(ctx, AuditEntry{Actor: "admin", Action: a, Object: "project:p1"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 3 {
		t.Fatalf("verify: %d %v", n, err)
	}
	log, err := db.AuditLog(ctx, 10)
	if err != nil || len(log) != 3 || log[0].Action != "pdf.sheets" {
		t.Fatalf("log: %+v %v", log, err)
	}
	// Someone with the database file edits a row: detected.
	if _, err := db.db.Exec("UPDATE audit SET actor = 'someone' WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyAudit(ctx); !errors.Is(err, ErrAuditBroken) {
		t.Fatalf("tampered row not detected: %v", err)
	}
	if _, err := db.db.Exec("UPDATE audit SET actor = 'admin' WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.Exec("DELETE FROM audit WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyAudit(ctx); !errors.Is(err, ErrAuditBroken) {
		t.Fatalf("removed row not detected: %v", err)
	}
}
