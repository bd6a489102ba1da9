package models_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// schemaOf describes the schema of db as sorted lines: every column with
// its type, nullability and default, every index with its columns, every
// foreign key and every trigger. Two databases of one dialect with the same
// lines have the same schema, whatever order SQLite's CREATE TABLE text
// lists the constraints in.
func schemaOf(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var lines []string
	add := func(q string, args ...any) {
		t.Helper()
		var rows []map[string]any
		if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
			t.Fatalf("schema: %s: %v", q, err)
		}
		for _, r := range rows {
			keys := make([]string, 0, len(r))
			for k := range r {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			var b strings.Builder
			for _, k := range keys {
				fmt.Fprintf(&b, "%s=%s ", k, valueString(r[k]))
			}
			lines = append(lines, strings.TrimSpace(b.String()))
		}
	}
	if db.Name() == "sqlite" {
		var tables []string
		if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			add("SELECT ? AS tbl, 'column' AS what, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)", tb, tb)
			add("SELECT ? AS tbl, 'foreign key' AS what, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?)", tb, tb)
			var indexes []string
			if err := db.Raw("SELECT name FROM pragma_index_list(?)", tb).Scan(&indexes).Error; err != nil {
				t.Fatal(err)
			}
			add("SELECT ? AS tbl, 'index' AS what, name, \"unique\", origin, partial FROM pragma_index_list(?)", tb, tb)
			for _, ix := range indexes {
				add("SELECT ? AS idx, 'index column' AS what, seqno, name FROM pragma_index_info(?)", ix, ix)
			}
		}
		add("SELECT 'trigger' AS what, name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
	} else {
		add(`SELECT 'column' AS what, table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
			FROM information_schema.columns WHERE table_schema = current_schema()`)
		add(`SELECT 'index' AS what, tablename, indexname, replace(indexdef, current_schema() || '.', '') AS def
			FROM pg_indexes WHERE schemaname = current_schema()`)
		add(`SELECT 'constraint' AS what, c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
			FROM pg_constraint c WHERE c.connamespace = current_schema()::regnamespace`)
		add(`SELECT 'trigger' AS what, tgrelid::regclass::text AS tbl, tgname, replace(pg_get_triggerdef(oid), current_schema() || '.', '') AS def
			FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)`)
	}
	slices.Sort(lines)
	return lines
}

// valueString prints a value read from either database the same way.
func valueString(v any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "NULL"
		}
		return valueString(rv.Elem().Interface())
	}
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// diffLines lists the lines only in a (-) and only in b (+).
func diffLines(a, b []string) string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
