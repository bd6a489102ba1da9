package models

import (
	"reflect"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// guardText refuses, before any INSERT or UPDATE, a string that the
// database would refuse itself with an error the user cannot act on:
// a NUL character (PostgreSQL's text types cannot hold one) or a value
// longer than its column's size (PostgreSQL enforces varchar(n); SQLite
// would store it). It turns them into a ValidationError naming the column,
// on every write of every model, so no form or API field can reach the
// database unchecked.
func guardText(db *gorm.DB) {
	st := db.Statement
	if db.Error != nil || st.Schema == nil {
		return
	}
	check := func(f *schema.Field, s string) {
		switch {
		case strings.IndexByte(s, 0) >= 0:
			_ = db.AddError(invalid(f.DBName, "nul_character"))
		case f.Size > 0 && utf8.RuneCountInString(s) > f.Size:
			_ = db.AddError(invalid(f.DBName, "too_long", "max", f.Size))
		case !utf8.ValidString(s):
			_ = db.AddError(invalid(f.DBName, "not_utf8"))
		}
	}
	if m, ok := st.Dest.(map[string]any); ok {
		for k, v := range m {
			if s, ok := v.(string); ok {
				if f := st.Schema.LookUpField(k); f != nil {
					check(f, s)
				}
			}
		}
		return
	}
	rv := reflect.Indirect(st.ReflectValue)
	checkRow := func(row reflect.Value) {
		row = reflect.Indirect(row)
		if row.Kind() != reflect.Struct {
			return
		}
		for _, f := range st.Schema.Fields {
			if f.FieldType.Kind() != reflect.String {
				continue
			}
			if v, zero := f.ValueOf(st.Context, row); !zero {
				if s, ok := v.(string); ok {
					check(f, s)
				}
			}
		}
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range rv.Len() {
			checkRow(rv.Index(i))
		}
	case reflect.Struct:
		checkRow(rv)
	}
}

// registerGuards adds guardText before every create and update.
func registerGuards(db *gorm.DB) error {
	if err := db.Callback().Create().Before("gorm:create").Register("tenderprobe:guard_text", guardText); err != nil {
		return err
	}
	return db.Callback().Update().Before("gorm:update").Register("tenderprobe:guard_text", guardText)
}
