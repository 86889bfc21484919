package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// SessionStorage keeps editors' sessions in the database file, so they survive a
// restart. It implements fiber.Storage for Fiber's session middleware. Keys are
// stored hashed (SHA-256): the file, or a backup of it, holds no usable session id.
type SessionStorage struct {
	d         *DB
	lastSweep atomic.Int64 // unix seconds of the last removal of expired rows
}

// sessionSweepEvery is how often, at most, a save also removes expired sessions.
const sessionSweepEvery = 10 * time.Minute

// storageTimeout bounds each call: fiber.Storage passes no context.
const storageTimeout = 10 * time.Second

// Sessions returns the session storage backed by this database.
func (d *DB) Sessions() *SessionStorage { return &SessionStorage{d: d} }

func sessionKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Get returns the data of a live session, or nil when there is none or it expired.
func (s *SessionStorage) Get(key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storageTimeout)
	defer cancel()
	var data []byte
	err := s.d.r.QueryRowContext(ctx, "SELECT data FROM sessions WHERE id = ? AND (expires_at = 0 OR expires_at > ?)",
		sessionKey(key), s.d.Now().Unix()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	return data, nil
}

// Set stores a session's data for exp (0: no expiry). Now and then it also removes
// expired sessions, in the same transaction.
func (s *SessionStorage) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storageTimeout)
	defer cancel()
	t := s.d.Now().Unix()
	var expires int64
	if exp > 0 {
		expires = t + int64(exp.Seconds())
	}
	sweep := false
	if last := s.lastSweep.Load(); t-last >= int64(sessionSweepEvery.Seconds()) {
		sweep = s.lastSweep.CompareAndSwap(last, t)
	}
	err := s.d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, data, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
			sessionKey(key), val, expires); err != nil {
			return err
		}
		if sweep {
			_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <> 0 AND expires_at <= ?", t)
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set session: %w", err)
	}
	return nil
}

// Delete removes a session.
func (s *SessionStorage) Delete(key string) error {
	if key == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storageTimeout)
	defer cancel()
	err := s.d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", sessionKey(key))
		return err
	})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Reset removes every session: everyone is signed out.
func (s *SessionStorage) Reset() error {
	ctx, cancel := context.WithTimeout(context.Background(), storageTimeout)
	defer cancel()
	err := s.d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions")
		return err
	})
	if err != nil {
		return fmt.Errorf("reset sessions: %w", err)
	}
	return nil
}

// Close does nothing: the database is closed by its owner.
func (s *SessionStorage) Close() error { return nil }

// Secret returns the server secret called name, made of size random bytes the
// first time it is asked for and kept in the database from then on.
func (d *DB) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	var v []byte
	err := d.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("secret %q: %w", name, err)
	}
	fresh := make([]byte, size)
	randRead(fresh)
	err = d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		// Another start may have made it in between: keep the first one.
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)", name, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&v)
	})
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w", name, err)
	}
	return v, nil
}
