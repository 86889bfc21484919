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

// Sign-in throttling. Failures are counted per e-mail address and client (a keyed
// hash of the client's address, made by the handlers) and per e-mail address as a
// whole. Nothing is ever locked for good: failures lead to a growing wait, during
// which an attempt is refused without checking the password.
//
//   - Per address and client: the first clientFreeFailures failures cost nothing;
//     each further one makes that client wait clientFirstDelay, doubling up to
//     clientMaxDelay. Another client, such as the editor at the office while
//     someone guesses from elsewhere, is not slowed by it.
//   - Per address, all clients together (guessing from many addresses): past
//     accountFreeFailures, each failure makes the account wait accountFirstDelay,
//     doubling up to accountMaxDelay, for every client except those from which
//     the account signed in within KnownClientMemory (login_clients).
//
// Failures are forgotten FailureMemory after the last one; a successful sign-in
// forgets its client's; a beheerder can lift all of an account's
// (LiftSignInThrottle, audited).
const (
	clientFreeFailures  = 4
	clientFirstDelay    = 30 * time.Second
	clientMaxDelay      = 15 * time.Minute
	accountFreeFailures = 20
	accountFirstDelay   = 5 * time.Second
	accountMaxDelay     = 5 * time.Minute
	// FailureMemory is how long failures are kept after the last one, and
	// KnownClientMemory how long a client counts as known after a sign-in from it
	// (both in the privacy statement; PurgeExpired enforces them).
	FailureMemory     = 24 * time.Hour
	KnownClientMemory = 90 * 24 * time.Hour
)

// WaitError is the answer to a sign-in (or password change) while its client, or
// the account, must wait: Until is when the next attempt will be checked, At when
// that was decided. It is ErrLockedOut for errors.Is.
type WaitError struct{ Until, At time.Time }

func (e *WaitError) Error() string {
	return "too many failed sign-ins: wait until " + e.Until.UTC().Format(time.RFC3339)
}

// Is makes errors.Is(err, ErrLockedOut) true.
func (e *WaitError) Is(target error) bool { return target == ErrLockedOut }

// Wait is how long from At until the next attempt, in whole seconds, at least one.
func (e *WaitError) Wait() time.Duration {
	return max((e.Until.Sub(e.At) + time.Second - 1).Truncate(time.Second), time.Second)
}

// throttleDelay is the wait after failures failures, of which free cost nothing.
func throttleDelay(failures, free int, first, most time.Duration) time.Duration {
	if failures <= free {
		return 0
	}
	d := first
	for i := free + 1; i < failures && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

var (
	// ErrBadCredentials is the one answer for an unknown address and a wrong password.
	ErrBadCredentials = errors.New("unknown e-mail address or wrong password")
	// ErrLockedOut means too many failed sign-ins: a *WaitError tells how long.
	ErrLockedOut = errors.New("too many failed sign-ins")
	// ErrSamePassword means the new password is the current one (or the
	// one-time password being replaced).
	ErrSamePassword = errors.New("new password equals the current one")
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
	// SessionEpoch moves on at every password change: a session signed in at
	// an older epoch has ended.
	SessionEpoch int64
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

func (d *DB) hashPassword(pw string) (string, error) {
	if msg := CheckPassword(pw); msg != "" {
		return "", fmt.Errorf("%w: %s", ErrInvalid, msg)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), d.passwordCost())
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// passwordCost is the work factor of the database's new hashes.
func (d *DB) passwordCost() int {
	if d.PasswordCost == 0 {
		return passwordCost
	}
	return d.PasswordCost
}

// dummyHashes holds, per work factor, the hash an address without an account is
// compared against, so that it takes as long to refuse as a wrong password.
var dummyHashes sync.Map // int → []byte

func (d *DB) dummyHash() []byte {
	cost := d.passwordCost()
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), cost)
	if err != nil {
		panic(err) // only on a broken random source
	}
	v, _ := dummyHashes.LoadOrStore(cost, h)
	return v.([]byte)
}

const userColumns = `id, email, name, role, disabled, must_change_password, created_at, last_login_at, session_epoch FROM users`

func scanUser(s rowScanner) (User, error) {
	var (
		u       User
		created string
		last    sql.NullString
	)
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Disabled, &u.MustChangePassword, &created, &last, &u.SessionEpoch); err != nil {
		return User{}, err
	}
	u.CreatedAt, _ = time.Parse(time.RFC3339, created)
	u.LastLoginAt = timeOrNil(last)
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
	return queryAll(ctx, d.r, "list users", scanUser, "SELECT "+userColumns+" ORDER BY role = 'beheerder' DESC, email")
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
	hash, err := d.hashPassword(in.Password)
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", in.Email, err)
	}
	var id int64
	at := d.Now()
	err = d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, password_hash, role, must_change_password, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, in.Email, strings.TrimSpace(in.Name), hash, in.Role, in.MustChangePassword, timestamp(at))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return audit(ctx, tx, at, by, ActionAccountCreate, in.Email, "rol "+in.Role)
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
		actor, u, err := adminAndUser(ctx, tx, by, id)
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
		return audit(ctx, tx, d.Now(), &actor, ActionAccountChange, u.Email, strings.Join(changes, ", "))
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
	hash, err := d.hashPassword(pw)
	if err != nil {
		return "", err
	}
	err = d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		actor, u, err := adminAndUser(ctx, tx, by, id)
		if err != nil {
			return err
		}
		// A new epoch: whoever is signed in with the old password is signed out.
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, must_change_password = 1, session_epoch = session_epoch + 1 WHERE id = ?", hash, id); err != nil {
			return err
		}
		return audit(ctx, tx, d.Now(), &actor, ActionAccountChange, u.Email, "eenmalig wachtwoord ingesteld")
	})
	if err != nil {
		return "", fmt.Errorf("reset password of user %d: %w", id, err)
	}
	return pw, nil
}

// ChangePassword sets an editor's own password after checking the current one
// (ErrBadCredentials when it is wrong). Wrong guesses count like failed sign-ins
// of the account from client, with the same growing wait (*WaitError). The new
// password may not be the current one (ErrSamePassword), which also keeps a
// one-time password from being kept. It moves the account's session epoch on, so
// that every session signed in before ends; the caller moves its own session to
// the new epoch (returned) with a new id.
func (d *DB) ChangePassword(ctx context.Context, id int64, current, next, client string) (int64, error) {
	if current == next {
		return 0, fmt.Errorf("change password of user %d: %w", id, ErrSamePassword)
	}
	hash, err := d.hashPassword(next)
	if err != nil {
		return 0, err
	}
	var old, email string
	if err := d.r.QueryRowContext(ctx, "SELECT password_hash, email FROM users WHERE id = ? AND disabled = 0", id).Scan(&old, &email); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("change password of user %d: %w", id, ErrNotFound)
		}
		return 0, fmt.Errorf("change password of user %d: %w", id, err)
	}
	if err := d.checkThrottle(ctx, email, client, d.Now()); err != nil {
		return 0, fmt.Errorf("change password of user %d: %w", id, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(old), []byte(current)) != nil {
		var wait *WaitError
		werr := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
			var err error
			at := d.Now()
			if wait, err = recordFailure(ctx, tx, email, client, at); err != nil {
				return err
			}
			u, err := findUser(ctx, tx, "id = ?", id)
			if err != nil {
				return err
			}
			return audit(ctx, tx, at, &u, ActionLoginFailed, u.Email, "huidig wachtwoord onjuist bij wachtwoord wijzigen"+wait.detail())
		})
		if werr != nil {
			return 0, fmt.Errorf("change password of user %d: %w", id, werr)
		}
		if wait != nil {
			return 0, fmt.Errorf("change password of user %d: %w", id, wait)
		}
		return 0, fmt.Errorf("change password of user %d: %w", id, ErrBadCredentials)
	}
	var epoch int64
	err = d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		// Only if nobody changed it in between.
		err := tx.QueryRowContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = 0,
			session_epoch = session_epoch + 1 WHERE id = ? AND password_hash = ? RETURNING session_epoch`, hash, id, old).Scan(&epoch)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_throttle WHERE email = ? AND client_key = ?", email, client); err != nil {
			return err
		}
		u, err := findUser(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, d.Now(), &u, ActionPasswordChange, u.Email, "andere sessies beëindigd")
	})
	if err != nil {
		return 0, fmt.Errorf("change password of user %d: %w", id, err)
	}
	return epoch, nil
}

// Authenticate checks an e-mail address and password, for a sign-in from client
// (a keyed hash of the client's address; see the throttling above). It answers
// ErrBadCredentials alike for an unknown address and a wrong password, taking the
// same time for both (an unknown address is checked against a dummy hash); a
// *WaitError (ErrLockedOut) while the client or the account must wait, whether
// the address has an account or not; ErrDisabled for the right password of a
// disabled account. Each checked attempt is written to the audit log.
func (d *DB) Authenticate(ctx context.Context, email, password, client string) (User, error) {
	email = NormalizeEmail(email)
	if err := d.checkThrottle(ctx, email, client, d.Now()); err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	u, known, match, err := d.checkPassword(ctx, email, password)
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	switch {
	case !match:
		return User{}, d.failedSignIn(ctx, email, client, u, known)
	case u.Disabled:
		at := d.Now()
		err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
			return audit(ctx, tx, at, &u, ActionLoginFailed, u.Email, "account uitgeschakeld")
		})
		if err != nil {
			return User{}, fmt.Errorf("authenticate: %w", err)
		}
		return User{}, ErrDisabled
	}
	if err := d.signedIn(ctx, u, client, d.Now()); err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	return u, nil
}

// checkPassword compares password with the account of email, and for an unknown
// address with a dummy hash: the same work and the same answer either way. known
// says whether the address has an account (u).
func (d *DB) checkPassword(ctx context.Context, email, password string) (u User, known, match bool, err error) {
	var stored string
	err = d.r.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE email = ?", email).Scan(&stored)
	hash := []byte(stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		hash = d.dummyHash()
	case err != nil:
		return User{}, false, false, err
	default:
		known = true
		if u, err = findUser(ctx, d.r, "email = ?", email); err != nil {
			return User{}, false, false, err
		}
	}
	match = bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil && known
	return u, known, match, nil
}

// failedSignIn records a failed sign-in of email from client (u is the account
// when known) and returns what to answer: the wait it brings, or ErrBadCredentials.
func (d *DB) failedSignIn(ctx context.Context, email, client string, u User, known bool) error {
	var wait *WaitError
	// The wait runs from now, after the slow hash, not from the start.
	at := d.Now()
	err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		var err error
		if wait, err = recordFailure(ctx, tx, email, client, at); err != nil {
			return err
		}
		subject := "onbekend account" // what was typed may be a password: never log it
		var by *User
		if known {
			subject, by = u.Email, &u
		}
		return audit(ctx, tx, at, by, ActionLoginFailed, subject, "wachtwoord onjuist of account onbekend"+wait.detail())
	})
	switch {
	case err != nil:
		return fmt.Errorf("authenticate: %w", err)
	case wait != nil:
		return wait
	}
	return ErrBadCredentials
}

// signedIn records a sign-in of u from client at t: the client's failures are
// forgotten and it is known from now on (the account's count of failures from
// everywhere stays), and audit entries past their retention go.
func (d *DB) signedIn(ctx context.Context, u User, client string, t time.Time) error {
	return d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_throttle WHERE email = ? AND client_key = ?", u.Email, client); err != nil {
			return err
		}
		if client != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_clients (email, client_key, last_at) VALUES (?, ?, ?)
				ON CONFLICT (email, client_key) DO UPDATE SET last_at = excluded.last_at`, u.Email, client, t.Unix()); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_clients WHERE last_at < ?", t.Add(-KnownClientMemory).Unix()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET last_login_at = ? WHERE id = ?", timestamp(t), u.ID); err != nil {
			return err
		}
		// Entries past their retention go now and then: at each sign-in.
		if _, err := tx.ExecContext(ctx, "DELETE FROM audit_log WHERE at < ?", timestamp(t.Add(-AuditRetention))); err != nil {
			return err
		}
		return audit(ctx, tx, t, &u, ActionLogin, u.Email, "")
	})
}

// checkThrottle answers a *WaitError when client, or the account as a whole (for
// a client it never signed in from), must still wait at time t.
func (d *DB) checkThrottle(ctx context.Context, email, client string, t time.Time) error {
	var until int64
	err := d.r.QueryRowContext(ctx, `SELECT coalesce(max(wait_until), 0) FROM login_throttle
		WHERE email = ? AND last_at >= ? AND (client_key = ?
			OR (client_key = '' AND NOT EXISTS (SELECT 1 FROM login_clients k
				WHERE k.email = ? AND k.client_key = ? AND ? <> '' AND k.last_at >= ?)))`,
		email, t.Add(-FailureMemory).Unix(), client, email, client, client, t.Add(-KnownClientMemory).Unix()).Scan(&until)
	if err != nil {
		return fmt.Errorf("sign-in throttle: %w", err)
	}
	if until > t.Unix() {
		return &WaitError{Until: time.Unix(until, 0), At: t}
	}
	return nil
}

// recordFailure counts a failure for email from client and for email as a whole,
// and returns the wait it brings for this client, or nil. Failures of long ago are
// swept first.
func recordFailure(ctx context.Context, tx *sql.Tx, email, client string, t time.Time) (*WaitError, error) {
	nowS := t.Unix()
	if _, err := tx.ExecContext(ctx, "DELETE FROM login_throttle WHERE last_at < ?", t.Add(-FailureMemory).Unix()); err != nil {
		return nil, err
	}
	// Waits end at t plus the delay; the database keeps whole seconds, rounded up
	// so that no attempt is checked before the announced time.
	count := func(key string, free int, first, most time.Duration) (time.Time, error) {
		var failures int
		err := tx.QueryRowContext(ctx, `INSERT INTO login_throttle (email, client_key, failures, last_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (email, client_key) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at
			RETURNING failures`, email, key, nowS).Scan(&failures)
		if err != nil {
			return time.Time{}, err
		}
		d := throttleDelay(failures, free, first, most)
		if d == 0 {
			return time.Time{}, nil
		}
		until := t.Add(d)
		_, err = tx.ExecContext(ctx, "UPDATE login_throttle SET wait_until = ? WHERE email = ? AND client_key = ?",
			until.Add(time.Second-1).Unix(), email, key)
		return until, err
	}
	until, err := count(client, clientFreeFailures, clientFirstDelay, clientMaxDelay)
	if err != nil {
		return nil, err
	}
	if client != "" {
		accountUntil, err := count("", accountFreeFailures, accountFirstDelay, accountMaxDelay)
		if err != nil {
			return nil, err
		}
		var known bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM login_clients WHERE email = ? AND client_key = ? AND last_at >= ?)",
			email, client, t.Add(-KnownClientMemory).Unix()).Scan(&known); err != nil {
			return nil, err
		}
		if !known && accountUntil.After(until) {
			until = accountUntil
		}
	}
	if until.IsZero() {
		return nil, nil
	}
	return &WaitError{Until: until, At: t}, nil
}

// detail is what the audit log says about a wait ("" for none).
func (e *WaitError) detail() string {
	if e == nil {
		return ""
	}
	return "; volgende poging na " + e.Wait().String()
}

// SignInThrottle is the state of an account's failed sign-ins, for beheerders.
type SignInThrottle struct {
	Failures int       // counted from every client, within FailureMemory
	Until    time.Time // zero when no client has to wait
}

// SignInThrottles maps the e-mail addresses of accounts with recent failures to
// their state.
func (d *DB) SignInThrottles(ctx context.Context) (map[string]SignInThrottle, error) {
	t := d.Now()
	return queryMap(ctx, d.r, "sign-in throttles", func(s rowScanner) (email string, st SignInThrottle, err error) {
		var until int64
		if err := s.Scan(&email, &st.Failures, &until); err != nil {
			return "", st, err
		}
		if until > t.Unix() {
			st.Until = time.Unix(until, 0)
		}
		return email, st, nil
	}, `SELECT u.email,
			coalesce(sum(CASE WHEN l.client_key = '' THEN l.failures END), sum(l.failures)), max(l.wait_until)
		FROM login_throttle l JOIN users u ON u.email = l.email
		WHERE l.last_at >= ? GROUP BY u.email`, t.Add(-FailureMemory).Unix())
}

// LiftSignInThrottle forgets every failed sign-in of account id, from every
// client: whoever had to wait may try again at once. Beheerders only; audited.
func (d *DB) LiftSignInThrottle(ctx context.Context, id int64, by User) error {
	err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		actor, u, err := adminAndUser(ctx, tx, by, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM login_throttle WHERE email = ?", u.Email)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		return audit(ctx, tx, d.Now(), &actor, ActionAccountChange, u.Email, fmt.Sprintf("inlogvertraging opgeheven (%d tellers)", n))
	})
	if err != nil {
		return fmt.Errorf("lift sign-in throttle of user %d: %w", id, err)
	}
	return nil
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

// adminAndUser loads the acting beheerder (ErrForbidden for anyone else) and the
// account id they act on.
func adminAndUser(ctx context.Context, tx *sql.Tx, by User, id int64) (actor, u User, err error) {
	if actor, err = loadActor(ctx, tx, by.ID); err != nil {
		return actor, u, err
	}
	if !actor.IsAdmin() {
		return actor, u, ErrForbidden
	}
	u, err = findUser(ctx, tx, "id = ?", id)
	return actor, u, err
}
