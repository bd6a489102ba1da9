package report

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// fillLeaves sets every leaf under v (strings, numbers, times, slices of
// either, structs of them; slices get two elements) to a value of its own,
// numbering leaves in walk order; the leaf numbered odd gets another value.
// It returns how many leaves there are.
func fillLeaves(t *testing.T, v reflect.Value, n *int, odd int) {
	t.Helper()
	next := func() int {
		i := *n
		*n++
		if i == odd {
			return i + 1000
		}
		return i
	}
	switch {
	case v.Type() == reflect.TypeOf(&time.Time{}):
		tm := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(next()) * time.Hour)
		v.Set(reflect.ValueOf(&tm))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", next()))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(next()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillLeaves(t, v.Index(i), n, odd)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fillLeaves(t, v.Field(i), n, odd)
		}
	default:
		t.Fatalf("the sheet key test does not know %s: teach fillLeaves and appendKey", v.Type())
	}
}

// TestTheSheetKeyCoversEveryField changes each field of a Sheet in turn
// (each element of its lists too) and requires the key to change: a field
// added to Sheet and not to appendKey would leave a stored sheet stale.
func TestTheSheetKeyCoversEveryField(t *testing.T) {
	t.Parallel()
	build := func(odd int) (Sheet, int) {
		var s Sheet
		n := 0
		fillLeaves(t, reflect.ValueOf(&s).Elem(), &n, odd)
		return s, n
	}
	base, leaves := build(-1)
	baseKey := base.appendKey(nil)
	for i := range leaves {
		s, _ := build(i)
		if bytes.Equal(s.appendKey(nil), baseKey) {
			t.Errorf("changing leaf %d of the sheet leaves its key the same", i)
		}
	}
	// An absent time is not the zero time, and a list's boundaries count.
	a, b := base, base
	a.Deadline, b.Deadline = nil, &time.Time{}
	if bytes.Equal(a.appendKey(nil), b.appendKey(nil)) {
		t.Error("no deadline and a zero deadline have the same key")
	}
	a, b = base, base
	a.ScopeTags, b.ScopeTags = []string{"ab", "c"}, []string{"a", "bc"}
	if bytes.Equal(a.appendKey(nil), b.appendKey(nil)) {
		t.Error("scope tags split differently have the same key")
	}
	a, b = base, base
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	bt := at.In(time.FixedZone("CEST", 2*3600))
	a.Deadline, b.Deadline = &at, &bt
	if bytes.Equal(a.appendKey(nil), b.appendKey(nil)) {
		t.Error("one instant in two zones has the same key")
	}
}
