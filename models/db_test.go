package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"tenderprobe/models"
)

func TestEveryPooledSQLiteConnectionHasTheSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := models.Open(filepath.Join(t.TempDir(), "pool.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	// Hold three connections at once so the pool has to open three.
	var conns []*sql.Conn
	for range 3 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		checks := []struct {
			pragma, want string
		}{
			{"foreign_keys", "1"},
			{"journal_mode", "wal"},
			{"busy_timeout", "5000"},
		}
		for _, p := range checks {
			t.Run(fmt.Sprintf("connection %d has %s %s", i+1, p.pragma, p.want), func(t *testing.T) {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != p.want {
					t.Errorf("got %s", got)
				}
			})
		}
	}
}

func TestDSN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		postgres bool
		sqlite   string
	}{
		{"a plain path becomes a file URI with the settings", "./tenderprobe.db", false,
			"file:./tenderprobe.db?_foreign_keys=1&_journal_mode=WAL&_busy_timeout=5000&_txlock=immediate"},
		{"a path with a query keeps it", "data.db?cache=shared", false,
			"data.db?cache=shared&_foreign_keys=1&_journal_mode=WAL&_busy_timeout=5000&_txlock=immediate"},
		{"a postgres URL is PostgreSQL", "postgres://u@127.0.0.1/db", true, ""},
		{"a postgresql URL is PostgreSQL", "postgresql://u@127.0.0.1/db", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := models.IsPostgresDSN(c.in); got != c.postgres {
				t.Errorf("IsPostgresDSN = %v", got)
			}
			if !c.postgres {
				if got := models.SQLiteDSN(c.in); got != c.sqlite {
					t.Errorf("SQLiteDSN = %s", got)
				}
			}
		})
	}
	t.Run("an empty DSN is refused", func(t *testing.T) {
		if _, err := models.Open(" "); err == nil {
			t.Error("opened an empty DSN")
		}
	})
}
