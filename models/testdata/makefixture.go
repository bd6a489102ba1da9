//go:build ignore

// Command makefixture makes an SQLite fixture of the migration tests: a
// database whose schema the models package of the checkout it runs in
// creates, holding the rows of the given SQL files. It is run from a
// checkout of an older commit (see README.md), so it uses only what every
// version of models has: Open, Migrate and Close.
//
//	go run makefixture.go OUT.db ROWS.sql...
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"

	"tenderprobe/models"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: go run makefixture.go OUT.db ROWS.sql...")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "makefixture:", err)
		os.Exit(1)
	}
}

func run(out string, rowFiles []string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists; remove it first", out)
	}
	db, err := models.Open(out)
	if err != nil {
		return err
	}
	if err := models.Migrate(context.Background(), db); err != nil {
		return err
	}
	for _, f := range rowFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, stmt := range statements(string(b)) {
			if err := db.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%s: %w\n%s", f, err, stmt)
			}
		}
	}
	var tables []string
	if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").Scan(&tables).Error; err != nil {
		return err
	}
	for _, t := range tables {
		var n int64
		if err := db.Table(t).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("table %s has no rows: the fixture must have rows in every table", t)
		}
	}
	var broken []map[string]any
	if err := db.Raw("PRAGMA foreign_key_check").Scan(&broken).Error; err != nil {
		return err
	}
	if len(broken) > 0 {
		return fmt.Errorf("%d rows violate foreign keys, first: %v", len(broken), broken[0])
	}
	if err := models.Close(db); err != nil {
		return err
	}
	return compact(out)
}

// compact rewrites the file with small pages, so that the fixture of
// some fifty tables and indexes stays small, and leaves it in WAL mode
// like every database Tenderprobe makes, with the write-ahead log folded in.
func compact(path string) error {
	db, err := gorm.Open(sqlite.Open("file:"+path), &gorm.Config{})
	if err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	sqlDB.SetMaxOpenConns(1)
	for _, s := range []string{"PRAGMA journal_mode = DELETE", "PRAGMA page_size = 1024", "VACUUM", "PRAGMA journal_mode = WAL", "PRAGMA integrity_check"} {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// statements splits an SQL file at semicolons that end a line, dropping
// comment lines.
func statements(sql string) []string {
	var lines []string
	for _, l := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	var out []string
	for _, s := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.TrimSuffix(s, ";"))
		}
	}
	return out
}
