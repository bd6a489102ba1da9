// Package settings turns a table of configuration settings into command-line
// flags, TENDERPROBE_* environment variables, defaults, range checks and
// usage text, so that each setting is declared once. Every row binds one
// field of a configuration struct; its current value when the table is
// built is its default.
package settings

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Setting is one row of a configuration table.
type Setting struct {
	// Flag is the flag's name without dashes.
	Flag string
	// Env is the environment variable read before the flags; "" for none.
	Env string
	// Meta names the value in the usage text (ADDR, N, D, FILE); "" for
	// a boolean.
	Meta string
	// Help is one line of usage text.
	Help string
	// DefaultText replaces the default shown in the usage text, for
	// defaults that are not a literal value ("/etc/resolv.conf").
	DefaultText string
	value       value
}

// value is a setting's binding: flag.Value plus its range check.
type value interface {
	flag.Value
	check() error
}

// The constructors bind a row to a field. Each returns a Setting whose
// Flag, Env, Meta and Help the caller fills in with With.

// String binds a string.
func String(p *string) Setting { return Setting{value: &stringValue{p}} }

// Bool binds a boolean.
func Bool(p *bool) Setting { return Setting{value: &boolValue{p}} }

// Int binds an integer that must lie between lo and hi.
func Int(p *int, lo, hi int) Setting { return Setting{value: &intValue{p, lo, hi}} }

// Port binds a TCP port: 0 means standard, shown as the default; an explicit
// value must be a port number.
func Port(p *int, standard int) Setting { return Setting{value: &portValue{p, standard}} }

// Duration binds a duration of at least lo.
func Duration(p *time.Duration, lo time.Duration) Setting {
	return Setting{value: &durationValue{p, lo}}
}

// Prefixes binds a list of CIDR prefixes given comma-separated or by
// repeating the flag; the first flag replaces the environment's list.
func Prefixes(p *[]netip.Prefix) Setting { return Setting{value: &prefixValue{p: p}} }

// With names the row: its flag, environment variable, usage placeholder
// and help line.
func (s Setting) With(flagName, env, meta, help string) Setting {
	s.Flag, s.Env, s.Meta, s.Help = flagName, env, meta, help
	return s
}

// Showing sets the default shown in the usage text.
func (s Setting) Showing(def string) Setting {
	s.DefaultText = def
	return s
}

// Register reads each row's environment variable (through getenv; nil
// skips the environment) and defines its flag on fs, so that a flag given
// on the command line wins over the environment.
func Register(fs *flag.FlagSet, table []Setting, getenv func(string) string) error {
	for _, s := range table {
		if s.Env != "" && getenv != nil {
			if v := getenv(s.Env); v != "" {
				if err := s.value.Set(v); err != nil {
					return fmt.Errorf("%s=%q %w", s.Env, v, err)
				}
				if pv, ok := s.value.(*prefixValue); ok {
					pv.fromEnv = true
				}
			}
		}
		fs.Var(s.value, s.Flag, s.Help)
	}
	return nil
}

// Check reports the first row whose value is out of its range, naming the flag.
func Check(table []Setting) error {
	for _, s := range table {
		if err := s.value.check(); err != nil {
			return fmt.Errorf("--%s %w", s.Flag, err)
		}
	}
	return nil
}

// Usage writes the table as help lines: flag and placeholder, help, the
// environment variable and the default.
func Usage(table []Setting, indent string) string {
	var b strings.Builder
	for _, s := range table {
		name := "--" + s.Flag
		if s.Meta != "" {
			name += " " + s.Meta
		}
		var extra []string
		if s.Env != "" {
			extra = append(extra, "env "+s.Env)
		}
		def := s.DefaultText
		if def == "" {
			def = s.value.String()
		}
		if _, isBool := s.value.(*boolValue); def != "" && !(isBool && def == "false") {
			extra = append(extra, "default "+def)
		}
		line := s.Help
		if len(extra) > 0 {
			line += " (" + strings.Join(extra, ", ") + ")"
		}
		if len(name) < 20 {
			fmt.Fprintf(&b, "%s%-21s%s\n", indent, name, line)
		} else {
			fmt.Fprintf(&b, "%s%s\n%s%-21s%s\n", indent, name, indent, "", line)
		}
	}
	return b.String()
}

type stringValue struct{ p *string }

func (v *stringValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}
func (v *stringValue) Set(s string) error { *v.p = s; return nil }
func (v *stringValue) check() error       { return nil }

type boolValue struct{ p *bool }

func (v *boolValue) String() string {
	if v.p == nil {
		return "false"
	}
	return strconv.FormatBool(*v.p)
}
func (v *boolValue) IsBoolFlag() bool { return true }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("is not a boolean (true or false)")
	}
	*v.p = b
	return nil
}
func (v *boolValue) check() error { return nil }

type intValue struct {
	p      *int
	lo, hi int
}

func (v *intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("is not a whole number")
	}
	*v.p = n
	return nil
}
func (v *intValue) check() error {
	if *v.p < v.lo || *v.p > v.hi {
		return fmt.Errorf("must be between %d and %d, got %d", v.lo, v.hi, *v.p)
	}
	return nil
}

type portValue struct {
	p        *int
	standard int
}

func (v *portValue) String() string {
	if v.p == nil || *v.p == 0 {
		return strconv.Itoa(v.standard)
	}
	return strconv.Itoa(*v.p)
}
func (v *portValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("is not a port number")
	}
	if n == 0 {
		n = -1 // an explicit 0 is not "standard": the check refuses it
	}
	*v.p = n
	return nil
}
func (v *portValue) check() error {
	if *v.p != 0 && (*v.p < 1 || *v.p > 65535) {
		got := *v.p
		if got == -1 {
			got = 0
		}
		return fmt.Errorf("must be between 1 and 65535, got %d", got)
	}
	return nil
}

type durationValue struct {
	p  *time.Duration
	lo time.Duration
}

func (v *durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return shortDuration(*v.p)
}

// shortDuration writes 12h for 12h0m0s and 15m for 15m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return errors.New("is not a duration like 90s, 15m or 168h")
	}
	*v.p = d
	return nil
}
func (v *durationValue) check() error {
	switch {
	case *v.p >= v.lo:
		return nil
	case v.lo <= time.Nanosecond:
		return fmt.Errorf("must be positive, got %s", *v.p)
	}
	return fmt.Errorf("must be at least %s, got %s", v.lo, *v.p)
}

type prefixValue struct {
	p       *[]netip.Prefix
	fromEnv bool
}

func (v *prefixValue) String() string {
	if v.p == nil {
		return ""
	}
	parts := make([]string, len(*v.p))
	for i, p := range *v.p {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}
func (v *prefixValue) Set(s string) error {
	if v.fromEnv {
		*v.p, v.fromEnv = nil, false
	}
	list, err := AppendPrefixes(*v.p, s)
	if err != nil {
		return err
	}
	*v.p = list
	return nil
}
func (v *prefixValue) check() error { return nil }

// AppendPrefixes parses a comma-separated list of CIDR prefixes (an address
// alone means just that address) and appends them to list.
func AppendPrefixes(list []netip.Prefix, v string) ([]netip.Prefix, error) {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return list, fmt.Errorf("%q is not an address or CIDR prefix", part)
			}
			list = append(list, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		pfx, err := netip.ParsePrefix(part)
		if err != nil {
			return list, fmt.Errorf("%q is not a CIDR prefix like 10.1.0.0/16", part)
		}
		list = append(list, pfx.Masked())
	}
	return list, nil
}
