package db

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestThrottleDelayGrows(t *testing.T) {
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{1, 0}, {4, 0}, {5, 30 * time.Second}, {6, time.Minute}, {7, 2 * time.Minute},
		{9, 8 * time.Minute}, {10, 15 * time.Minute}, {50, 15 * time.Minute}, {1000, 15 * time.Minute},
	} {
		if got := throttleDelay(tt.failures, clientFreeFailures, clientFirstDelay, clientMaxDelay); got != tt.want {
			t.Errorf("after %d failures: %v, want %v", tt.failures, got, tt.want)
		}
	}
}

// waitOf is the wait err asks for, or 0 when err is no *WaitError.
func waitOf(err error) time.Duration {
	var w *WaitError
	if errors.As(err, &w) {
		return w.Wait()
	}
	return 0
}

func TestSignInWaitsPerClientAndGrows(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.CreateUser(ctx, UserInput{Email: "ria@example.org", Role: RoleEditor, Password: "een heel lang wachtwoord"}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		if _, err := d.Authenticate(ctx, "ria@example.org", "fout", "aanvaller"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	_, err := d.Authenticate(ctx, "ria@example.org", "fout", "aanvaller")
	if !errors.Is(err, ErrLockedOut) || waitOf(err) != 30*time.Second {
		t.Fatalf("5th failure: %v (wait %v), want 30s", err, waitOf(err))
	}
	// Refused without a check: the count does not move, the right password does not help.
	if _, err := d.Authenticate(ctx, "ria@example.org", "een heel lang wachtwoord", "aanvaller"); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("right password while waiting: %v", err)
	}
	var failures int
	if err := d.r.QueryRow("SELECT failures FROM login_throttle WHERE email = 'ria@example.org' AND client_key = 'aanvaller'").Scan(&failures); err != nil || failures != 5 {
		t.Fatalf("failures = %d (%v), want 5", failures, err)
	}
	// Each failure after a wait doubles the next one.
	for _, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		if _, err := d.w.Exec("UPDATE login_throttle SET wait_until = 0"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Authenticate(ctx, "ria@example.org", "fout", "aanvaller"); waitOf(err) != want {
			t.Fatalf("next failure: %v, want a wait of %v", err, want)
		}
	}
	// Another client signs in at once.
	if _, err := d.Authenticate(ctx, "ria@example.org", "een heel lang wachtwoord", "thuis"); err != nil {
		t.Fatalf("another client: %v", err)
	}
	// Failures are forgotten a day after the last one.
	if _, err := d.w.Exec("UPDATE login_throttle SET last_at = last_at - 86401"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Authenticate(ctx, "ria@example.org", "een heel lang wachtwoord", "aanvaller"); err != nil {
		t.Fatalf("a day later: %v", err)
	}
}

// Guessing from many addresses slows the account down for new clients only: the
// owner signs in without waiting from where they signed in before.
func TestSignInWaitsForTheAccountExceptKnownClients(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	const pw = "een heel lang wachtwoord"
	if _, err := d.CreateUser(ctx, UserInput{Email: "ria@example.org", Role: RoleEditor, Password: pw}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Authenticate(ctx, "ria@example.org", pw, "kantoor"); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 1; i <= accountFreeFailures+1; i++ {
		_, err = d.Authenticate(ctx, "ria@example.org", "fout", fmt.Sprintf("bot-%d", i))
		if i <= accountFreeFailures && !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d from a new address: %v", i, err)
		}
	}
	if w := waitOf(err); w != accountFirstDelay {
		t.Fatalf("failure %d: %v, want a wait of %v", accountFreeFailures+1, err, accountFirstDelay)
	}
	if _, err := d.Authenticate(ctx, "ria@example.org", pw, "nieuw-adres"); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("a new client while the account waits: %v", err)
	}
	if _, err := d.Authenticate(ctx, "ria@example.org", pw, "kantoor"); err != nil {
		t.Fatalf("the known client while the account waits: %v", err)
	}
	admin, err := d.CreateUser(ctx, UserInput{Email: "baas@example.org", Role: RoleAdmin, Password: pw}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ria, _ := d.FindUserByEmail(ctx, "ria@example.org")
	if err := d.LiftSignInThrottle(ctx, ria.ID, ria); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a redacteur lifts: %v", err)
	}
	if st, _ := d.SignInThrottles(ctx); st["ria@example.org"].Failures != accountFreeFailures+1 || st["ria@example.org"].Until.IsZero() {
		t.Fatalf("throttles = %+v", st)
	}
	if err := d.LiftSignInThrottle(ctx, ria.ID, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Authenticate(ctx, "ria@example.org", pw, "nieuw-adres"); err != nil {
		t.Fatalf("after the lift: %v", err)
	}
	if st, _ := d.SignInThrottles(ctx); len(st) != 0 {
		t.Errorf("throttles after the lift: %+v", st)
	}
}

func TestChangePasswordRules(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	const pw = "een heel lang wachtwoord"
	u, err := d.CreateUser(ctx, UserInput{Email: "ria@example.org", Role: RoleEditor, Password: pw, MustChangePassword: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ChangePassword(ctx, u.ID, pw, pw, "c"); !errors.Is(err, ErrSamePassword) {
		t.Fatalf("the same (one-time) password again: %v", err)
	}
	for i := 1; i <= clientFreeFailures; i++ {
		if _, err := d.ChangePassword(ctx, u.ID, "geraden wachtwoord", "nog een heel lang wachtwoord", "c"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong current password %d: %v", i, err)
		}
	}
	if _, err := d.ChangePassword(ctx, u.ID, "geraden wachtwoord", "nog een heel lang wachtwoord", "c"); waitOf(err) != clientFirstDelay {
		t.Fatalf("5th wrong current password: %v, want a wait", err)
	}
	if _, err := d.ChangePassword(ctx, u.ID, pw, "nog een heel lang wachtwoord", "c"); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("right current password while waiting: %v", err)
	}
	epoch, err := d.ChangePassword(ctx, u.ID, pw, "nog een heel lang wachtwoord", "elders")
	if err != nil || epoch != u.SessionEpoch+1 {
		t.Fatalf("change = epoch %d, %v; want %d", epoch, err, u.SessionEpoch+1)
	}
	if u, _ = d.FindUserByID(ctx, u.ID); u.SessionEpoch != epoch || u.MustChangePassword {
		t.Fatalf("after the change: %+v", u)
	}
}
