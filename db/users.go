package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Roles. A redacteur edits cases, moderates suggestions, imports figures and edits
// theme texts; a beheerder can do all that and also manage accounts and read the
// audit log. Who may move a case between which statuses: see CanTransition.
const (
	RoleEditor = "redacteur"
	RoleAdmin  = "beheerder"
)

// Roles lists the roles, least powerful first.
var Roles = []string{RoleEditor, RoleAdmin}

// Password rules. bcrypt reads at most 72 bytes; longer passwords are refused
// rather than silently cut.
const (
	MinPasswordLength = 12 // characters
	MaxPasswordBytes  = 72
	// passwordCost is the bcrypt work factor: about 0.2 s per check on the
	// project's 2-core machine, slow enough against guessing, fast enough to sign in.
	passwordCost = 11
)

// Sign-in throttling per e-mail address, on top of the per-address limit in the
// handlers: maxFailures wrong attempts within failureWindow lock the address for
// LockoutDuration, also for the right password.
const (
	maxFailures     = 5
	failureWindow   = 15 * time.Minute
	LockoutDuration = 15 * time.Minute
)

var (
	// ErrBadCredentials is the one answer for an unknown address and a wrong password.
	ErrBadCredentials = errors.New("unknown e-mail address or wrong password")
	// ErrLockedOut means too many failed sign-ins for the address: wait LockoutDuration.
	ErrLockedOut = errors.New("too many failed sign-ins")
	// ErrDisabled means the account exists and the password is right, but a beheerder
	// disabled it.
	ErrDisabled = errors.New("account disabled")
	// ErrForbidden means the editor's role does not allow the change.
	ErrForbidden = errors.New("not allowed for this role")
	// ErrInvalid means input that the database refuses (an unknown role, a password
	// too short); handlers validate first, so this is a last line.
	ErrInvalid = errors.New("invalid input")
	// ErrLastAdmin means the change would leave no active beheerder.
	ErrLastAdmin = errors.New("no active beheerder would be left")
	// ErrSelf means an editor tried to disable or demote their own account.
	ErrSelf = errors.New("cannot change own role or access")
)

// User is an editor's account. The password hash never leaves the package.
type User struct {
	ID                 int64
	Email              string
	Name               string
	Role               string
	Disabled           bool
	MustChangePassword bool
	CreatedAt          time.Time
	LastLoginAt        *time.Time
}

// IsAdmin reports whether the user is a beheerder.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

// DisplayName is the name, or the e-mail address when no name is set.
func (u User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// UserInput creates an account.
type UserInput struct {
	Email    string
	Name     string
	Role     string
	Password string
	// MustChangePassword is set when the password was made up for the editor
	// (GeneratePassword): they choose their own at the first sign-in.
	MustChangePassword bool
}

// UserUpdate changes an account; nil fields stay as they are.
type UserUpdate struct {
	Role     *string
	Disabled *bool
}

// NormalizeEmail is how addresses are compared and stored.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckPassword tells what is wrong with a new password, in Dutch, or "" when it is
// acceptable. Handlers show the message; the db refuses the same passwords.
func CheckPassword(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return fmt.Sprintf("Het wachtwoord moet minstens %d tekens lang zijn.", MinPasswordLength)
	case len(pw) > MaxPasswordBytes:
		return fmt.Sprintf("Het wachtwoord mag hoogstens %d tekens lang zijn (minder bij letters met accenten).", MaxPasswordBytes)
	case strings.TrimSpace(pw) == "":
		return "Het wachtwoord mag niet alleen uit spaties bestaan."
	}
	return ""
}

// GeneratePassword makes up a one-time password of 20 characters from an alphabet
// without look-alikes (no 0/O, 1/l/I), about 115 bits.
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	return randomFrom(alphabet, 20)
}

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	max := 256 - 256%len(alphabet)
	buf := make([]byte, 1)
	for i := 0; i < n; {
		rand.Read(buf)
		if int(buf[0]) >= max {
			continue
		}
		b[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(b)
}

func hashPassword(pw string) (string, error) {
	if msg := CheckPassword(pw); msg != "" {
		return "", fmt.Errorf("%w: %s", ErrInvalid, msg)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when an address has no account, so that an
// unknown address takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), passwordCost)
	if err != nil {
		panic(err) // only on a broken random source
	}
	return h
})

const userColumns = `id, email, name, role, disabled, must_change_password, created_at, last_login_at FROM users`

func scanUser(s interface{ Scan(...any) error }) (User, error) {
	var (
		u       User
		created string
		last    sql.NullString
	)
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Disabled, &u.MustChangePassword, &created, &last); err != nil {
		return User{}, err
	}
	u.CreatedAt, _ = time.Parse(time.RFC3339, created)
	if last.Valid {
		t, _ := time.Parse(time.RFC3339, last.String)
		u.LastLoginAt = &t
	}
	return u, nil
}

// FindUserByID returns an account, disabled or not.
func (d *DB) FindUserByID(ctx context.Context, id int64) (User, error) {
	u, err := findUser(ctx, d.r, "id = ?", id)
	if err != nil {
		return User{}, fmt.Errorf("find user %d: %w", id, err)
	}
	return u, nil
}

// FindUserByEmail returns the account with this address, disabled or not.
func (d *DB) FindUserByEmail(ctx context.Context, email string) (User, error) {
	u, err := findUser(ctx, d.r, "email = ?", NormalizeEmail(email))
	if err != nil {
		return User{}, fmt.Errorf("find user %q: %w", email, err)
	}
	return u, nil
}

type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func findUser(ctx context.Context, q rowQueryer, where string, arg any) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userColumns+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

// Users lists every account, beheerders first, then by address.
func (d *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT "+userColumns+" ORDER BY role = 'beheerder' DESC, email")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateUser adds an account. by is the beheerder who adds it, or nil for the
// command line. An address that is taken gives ErrDuplicate.
func (d *DB) CreateUser(ctx context.Context, in UserInput, by *User) (User, error) {
	in.Email = NormalizeEmail(in.Email)
	if in.Email == "" || !strings.Contains(in.Email, "@") {
		return User{}, fmt.Errorf("create user: %w: e-mail address %q", ErrInvalid, in.Email)
	}
	if in.Role != RoleEditor && in.Role != RoleAdmin {
		return User{}, fmt.Errorf("create user: %w: role %q", ErrInvalid, in.Role)
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", in.Email, err)
	}
	var id int64
	err = d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, password_hash, role, must_change_password, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, in.Email, strings.TrimSpace(in.Name), hash, in.Role, in.MustChangePassword, now())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return audit(ctx, tx, by, ActionAccountCreate, in.Email, "rol "+in.Role)
	})
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", in.Email, err)
	}
	return d.FindUserByID(ctx, id)
}

// UpdateUser changes an account's role or access. A beheerder cannot change their
// own (ErrSelf), and the last active beheerder cannot be demoted or disabled
// (ErrLastAdmin). Disabling takes effect at once: sessions check the account on
// every request.
func (d *DB) UpdateUser(ctx context.Context, id int64, upd UserUpdate, by User) (User, error) {
	err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		actor, err := loadActor(ctx, tx, by.ID)
		if err != nil {
			return err
		}
		if !actor.IsAdmin() {
			return ErrForbidden
		}
		u, err := findUser(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if u.ID == actor.ID {
			return ErrSelf
		}
		role, disabled := u.Role, u.Disabled
		if upd.Role != nil {
			if *upd.Role != RoleEditor && *upd.Role != RoleAdmin {
				return fmt.Errorf("%w: role %q", ErrInvalid, *upd.Role)
			}
			role = *upd.Role
		}
		if upd.Disabled != nil {
			disabled = *upd.Disabled
		}
		if role == u.Role && disabled == u.Disabled {
			return nil
		}
		if u.Role == RoleAdmin && !u.Disabled && (role != RoleAdmin || disabled) {
			var admins int
			if err := tx.QueryRowContext(ctx,
				"SELECT count(*) FROM users WHERE role = 'beheerder' AND disabled = 0 AND id <> ?", u.ID).Scan(&admins); err != nil {
				return err
			}
			if admins == 0 {
				return ErrLastAdmin
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET role = ?, disabled = ? WHERE id = ?", role, disabled, u.ID); err != nil {
			return err
		}
		var changes []string
		if role != u.Role {
			changes = append(changes, "rol "+u.Role+" → "+role)
		}
		if disabled != u.Disabled {
			if disabled {
				changes = append(changes, "uitgeschakeld")
			} else {
				changes = append(changes, "ingeschakeld")
			}
		}
		return audit(ctx, tx, &actor, ActionAccountChange, u.Email, strings.Join(changes, ", "))
	})
	if err != nil {
		return User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return d.FindUserByID(ctx, id)
}

// ResetPassword gives an account a new one-time password, which is returned to be
// shown once; the editor must choose their own at the next sign-in.
func (d *DB) ResetPassword(ctx context.Context, id int64, by User) (string, error) {
	pw := GeneratePassword()
	hash, err := hashPassword(pw)
	if err != nil {
		return "", err
	}
	err = d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		actor, err := loadActor(ctx, tx, by.ID)
		if err != nil {
			return err
		}
		if !actor.IsAdmin() {
			return ErrForbidden
		}
		u, err := findUser(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, must_change_password = 1 WHERE id = ?", hash, id); err != nil {
			return err
		}
		return audit(ctx, tx, &actor, ActionAccountChange, u.Email, "eenmalig wachtwoord ingesteld")
	})
	if err != nil {
		return "", fmt.Errorf("reset password of user %d: %w", id, err)
	}
	return pw, nil
}

// ChangePassword sets an editor's own password after checking the current one
// (ErrBadCredentials when it is wrong).
func (d *DB) ChangePassword(ctx context.Context, id int64, current, next string) error {
	hash, err := hashPassword(next)
	if err != nil {
		return err
	}
	var old string
	if err := d.r.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE id = ? AND disabled = 0", id).Scan(&old); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("change password of user %d: %w", id, ErrNotFound)
		}
		return fmt.Errorf("change password of user %d: %w", id, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(old), []byte(current)) != nil {
		return fmt.Errorf("change password of user %d: %w", id, ErrBadCredentials)
	}
	err = d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		// Only if nobody changed it in between.
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ? AND password_hash = ?", hash, id, old)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		u, err := findUser(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, &u, ActionPasswordChange, u.Email, "")
	})
	if err != nil {
		return fmt.Errorf("change password of user %d: %w", id, err)
	}
	return nil
}

// Authenticate checks an e-mail address and password. It answers ErrBadCredentials
// alike for an unknown address and a wrong password, taking the same time for both
// (an unknown address is checked against a dummy hash); ErrLockedOut after
// maxFailures failures within failureWindow for the address, whether it has an
// account or not; ErrDisabled for the right password of a disabled account. Each
// outcome is written to the audit log.
func (d *DB) Authenticate(ctx context.Context, email, password string) (User, error) {
	email = NormalizeEmail(email)
	t := time.Now()
	var lockedUntil int64
	err := d.r.QueryRowContext(ctx, "SELECT locked_until FROM login_failures WHERE email = ?", email).Scan(&lockedUntil)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if lockedUntil > t.Unix() {
		return User{}, ErrLockedOut
	}

	var (
		hash   []byte
		u      User
		stored string
	)
	err = d.r.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE email = ?", email).Scan(&stored)
	known := err == nil
	switch {
	case errors.Is(err, sql.ErrNoRows):
		hash = dummyHash()
	case err != nil:
		return User{}, fmt.Errorf("authenticate: %w", err)
	default:
		hash = []byte(stored)
		if u, err = findUser(ctx, d.r, "email = ?", email); err != nil {
			return User{}, fmt.Errorf("authenticate: %w", err)
		}
	}
	// Compare also for an unknown address, and only then decide: the same work
	// and the same answer either way.
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil && known

	if !match {
		locked := false
		werr := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
			var err error
			if locked, err = recordFailure(ctx, tx, email, t); err != nil {
				return err
			}
			subject := "onbekend account" // what was typed may be a password: never log it
			var by *User
			if known {
				subject, by = u.Email, &u
			}
			detail := "wachtwoord onjuist of account onbekend"
			if locked {
				detail += "; adres " + LockoutDuration.String() + " geblokkeerd"
			}
			return audit(ctx, tx, by, ActionLoginFailed, subject, detail)
		})
		if werr != nil {
			return User{}, fmt.Errorf("authenticate: %w", werr)
		}
		if locked {
			return User{}, ErrLockedOut
		}
		return User{}, ErrBadCredentials
	}
	if u.Disabled {
		err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
			return audit(ctx, tx, &u, ActionLoginFailed, u.Email, "account uitgeschakeld")
		})
		if err != nil {
			return User{}, fmt.Errorf("authenticate: %w", err)
		}
		return User{}, ErrDisabled
	}
	err = d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE email = ?", email); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET last_login_at = ? WHERE id = ?", now(), u.ID); err != nil {
			return err
		}
		// Entries past their retention go now and then: at each sign-in.
		if _, err := tx.ExecContext(ctx, "DELETE FROM audit_log WHERE at < ?",
			time.Now().Add(-AuditRetention).UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		return audit(ctx, tx, &u, ActionLogin, u.Email, "")
	})
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	return u, nil
}

// recordFailure counts a failed sign-in for email and reports whether the address
// is now locked. Windows that have passed start over; rows of long ago are swept.
func recordFailure(ctx context.Context, tx *sql.Tx, email string, t time.Time) (bool, error) {
	nowS := t.Unix()
	if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE first_at < ? AND locked_until < ?",
		nowS-int64(failureWindow.Seconds()), nowS); err != nil {
		return false, err
	}
	var failures int
	err := tx.QueryRowContext(ctx, `INSERT INTO login_failures (email, failures, first_at) VALUES (?, 1, ?)
		ON CONFLICT (email) DO UPDATE SET failures = failures + 1
		RETURNING failures`, email, nowS).Scan(&failures)
	if err != nil {
		return false, err
	}
	if failures < maxFailures {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, "UPDATE login_failures SET locked_until = ?, failures = 0, first_at = ? WHERE email = ?",
		nowS+int64(LockoutDuration.Seconds()), nowS, email)
	return true, err
}

// loadActor reads the editor making a change inside the change's transaction, so
// that an account disabled a moment ago can no longer write.
func loadActor(ctx context.Context, tx *sql.Tx, id int64) (User, error) {
	u, err := findUser(ctx, tx, "id = ?", id)
	if errors.Is(err, ErrNotFound) || (err == nil && u.Disabled) {
		return User{}, ErrForbidden
	}
	return u, err
}

func randRead(b []byte) { rand.Read(b) }
