package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles of office users.
const (
	RoleAdmin  = "admin"  // everything
	RoleViewer = "viewer" // read, no personal data export
	RoleGroup  = "group"  // an initiative-group member: their project only
)

// Errors callers test.
var (
	ErrBadLogin    = errors.New("sqlite: wrong username or password")
	ErrUserExists  = errors.New("sqlite: username taken")
	ErrBadUser     = errors.New("sqlite: invalid user")
	ErrNoSession   = errors.New("sqlite: no such session")
	usernameFormat = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)
)

// User is an office user.
type User struct {
	ID        int64
	Username  string
	FullName  string
	Role      string
	ProjectID string // for RoleGroup
}

// CanSeeProject reports whether u may see a project's data.
func (u User) CanSeeProject(id string) bool {
	return u.Role == RoleAdmin || u.Role == RoleViewer || (u.Role == RoleGroup && u.ProjectID == id)
}

// CanExportPersonalData reports whether u may download CSVs of signatures.
func (u User) CanExportPersonalData() bool { return u.Role == RoleAdmin }

// AddUser creates a user with a bcrypt-hashed password.
func (db *DB) AddUser(ctx context.Context, u User, password string) (User, error) {
	switch {
	case !usernameFormat.MatchString(u.Username):
		return User{}, fmt.Errorf("%w: username must be 2–64 lower-case letters, digits, . _ -", ErrBadUser)
	case u.Role != RoleAdmin && u.Role != RoleViewer && u.Role != RoleGroup:
		return User{}, fmt.Errorf("%w: role must be admin, viewer or group", ErrBadUser)
	case (u.Role == RoleGroup) != (u.ProjectID != ""):
		return User{}, fmt.Errorf("%w: a group member needs a project, other roles none", ErrBadUser)
	case len(password) < 10:
		return User{}, fmt.Errorf("%w: the password needs at least 10 characters", ErrBadUser)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, err
	}
	var project any
	if u.ProjectID != "" {
		project = u.ProjectID
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (username, full_name, role, project_id, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, u.Username, u.FullName, u.Role, project, string(hash), db.stamp())
		if isUnique(err) {
			return ErrUserExists
		}
		if err != nil {
			return fmt.Errorf("sqlite: add user: %w", err)
		}
		u.ID, err = res.LastInsertId()
		return err
	})
	return u, err
}

// Users lists the office users.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT id, username, full_name, role, COALESCE(project_id, '') FROM users WHERE disabled_at IS NULL ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Username, &u.FullName, &u.Role, &u.ProjectID); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// dummyHash keeps a login for an unknown user as slow as for a known one,
// so timing does not tell which usernames exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such user, no such password"), bcrypt.DefaultCost)

// Login checks a password and opens a session, returning its secret
// token (kept only as a hash) and its CSRF token.
func (db *DB) Login(ctx context.Context, username, password string, ttl time.Duration) (User, string, string, error) {
	var u User
	var hash string
	err := db.db.QueryRowContext(ctx, `SELECT id, username, full_name, role, COALESCE(project_id, ''), password_hash
		FROM users WHERE username = ? AND disabled_at IS NULL`, username).Scan(&u.ID, &u.Username, &u.FullName, &u.Role, &u.ProjectID, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, "", "", ErrBadLogin
	}
	if err != nil {
		return User{}, "", "", fmt.Errorf("sqlite: login: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return User{}, "", "", ErrBadLogin
	}
	token, csrf := randomToken(), randomToken()
	now := db.now()
	err = db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			SecretHash(token), u.ID, csrf, now.UTC().Format(time.RFC3339Nano), now.Add(ttl).UTC().Format(time.RFC3339Nano))
		return err
	})
	if err != nil {
		return User{}, "", "", fmt.Errorf("sqlite: session: %w", err)
	}
	return u, token, csrf, nil
}

// Session returns the user and CSRF token of a live session.
func (db *DB) Session(ctx context.Context, token string) (User, string, error) {
	if token == "" {
		return User{}, "", ErrNoSession
	}
	var u User
	var csrf, expires string
	err := db.db.QueryRowContext(ctx, `SELECT u.id, u.username, u.full_name, u.role, COALESCE(u.project_id, ''), s.csrf, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled_at IS NULL`, SecretHash(token)).
		Scan(&u.ID, &u.Username, &u.FullName, &u.Role, &u.ProjectID, &csrf, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", ErrNoSession
	}
	if err != nil {
		return User{}, "", fmt.Errorf("sqlite: session: %w", err)
	}
	if exp, err := time.Parse(time.RFC3339Nano, expires); err != nil || !db.now().Before(exp) {
		return User{}, "", ErrNoSession
	}
	return u, csrf, nil
}

// Logout ends a session.
func (db *DB) Logout(ctx context.Context, token string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", SecretHash(token))
		return err
	})
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
