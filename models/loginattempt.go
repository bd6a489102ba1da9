package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// LoginAttempt counts the password checks of one key (an account or a
// client IP) within a window, so the login rate limit holds across
// processes. Failures counts every check reserved in the window: the failed
// ones and those still running; a successful check gives its place back.
type LoginAttempt struct {
	Subject     string `gorm:"primaryKey;size:400"`
	Failures    int    `gorm:"not null"`
	WindowStart time.Time
}

// ErrTooManyLogins is matched by every LoginLimitError (429).
var ErrTooManyLogins = errors.New("too many failed logins")

// LoginLimitError says that Key has used up its password checks until the
// window ends at Until.
type LoginLimitError struct {
	Key   string
	Until time.Time
}

// Error names the key and the end of its window.
func (e *LoginLimitError) Error() string {
	return fmt.Sprintf("models: %s: %s until %s", e.Key, ErrTooManyLogins, e.Until.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrTooManyLogins) true.
func (e *LoginLimitError) Is(target error) bool { return target == ErrTooManyLogins }

// LoginReservation is one password check counted against a key by
// ReserveLoginAttempt.
type LoginReservation struct {
	Key         string
	WindowStart time.Time
}

// reserveSQL counts one attempt for a key in a single statement, so that
// concurrent logins each see a different count: a read followed by a write
// let 30 simultaneous guesses all pass a limit of 5. It starts a new window
// when the old one has passed. ON CONFLICT ... RETURNING works on SQLite
// 3.35+ and PostgreSQL; both evaluate SET from the row as it was.
const reserveSQL = `INSERT INTO login_attempts (subject, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (subject) DO UPDATE SET
	failures = CASE WHEN login_attempts.window_start <= ? THEN 1 ELSE login_attempts.failures + 1 END,
	window_start = CASE WHEN login_attempts.window_start <= ? THEN excluded.window_start ELSE login_attempts.window_start END
RETURNING failures, window_start`

// dbTime is how times of login attempts are stored: in UTC and to the
// microsecond, so that SQLite's text comparison orders them and a
// reservation's window start reads back equal on PostgreSQL.
func dbTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// ReserveLoginAttempt counts one password check against key before it is
// made. Within limit it returns the reservation; past it, a
// *LoginLimitError, and the caller must not check the password. A failed
// check keeps its reservation: that is the failure count.
func ReserveLoginAttempt(ctx context.Context, db *gorm.DB, key string, limit int, window time.Duration, now time.Time) (LoginReservation, error) {
	now = dbTime(now)
	cutoff := now.Add(-window)
	var row struct {
		Failures    int
		WindowStart time.Time
	}
	res := db.WithContext(ctx).Raw(reserveSQL, key, now, cutoff, cutoff).Scan(&row)
	if res.Error != nil {
		return LoginReservation{}, wrap(res.Error, "reserve login attempt for %s", key)
	}
	if res.RowsAffected != 1 {
		return LoginReservation{}, fmt.Errorf("models: reserve login attempt for %s: %d rows returned", key, res.RowsAffected)
	}
	if row.Failures > limit {
		return LoginReservation{}, &LoginLimitError{Key: key, Until: row.WindowStart.Add(window)}
	}
	return LoginReservation{Key: key, WindowStart: dbTime(row.WindowStart)}, nil
}

// ReleaseLoginAttempt gives back a reservation whose check succeeded or
// never ran. A window that has since been restarted is left alone.
func ReleaseLoginAttempt(ctx context.Context, db *gorm.DB, r LoginReservation) error {
	err := db.WithContext(ctx).Model(&LoginAttempt{}).
		Where("subject = ? AND window_start = ? AND failures > 0", r.Key, r.WindowStart).
		Update("failures", gorm.Expr("failures - 1")).Error
	if err != nil {
		return wrap(err, "release login attempt for %s", r.Key)
	}
	return nil
}

// ResetLoginFailures forgets the failed logins of key after a success.
func ResetLoginFailures(ctx context.Context, db *gorm.DB, key string) error {
	if err := db.WithContext(ctx).Where("subject = ?", key).Delete(&LoginAttempt{}).Error; err != nil {
		return wrap(err, "reset login failures")
	}
	return nil
}

// DeleteStaleLoginAttempts forgets failure counts whose window started
// before before; they no longer block anyone.
func DeleteStaleLoginAttempts(ctx context.Context, db *gorm.DB, before time.Time) error {
	if err := db.WithContext(ctx).Where("window_start < ?", dbTime(before)).Delete(&LoginAttempt{}).Error; err != nil {
		return wrap(err, "delete stale login attempts")
	}
	return nil
}
