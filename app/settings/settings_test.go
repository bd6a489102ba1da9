package settings

import (
	"flag"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"
)

type config struct {
	Name    string
	On      bool
	Count   int
	Port    int
	Wait    time.Duration
	Allowed []netip.Prefix
}

func (c *config) table() []Setting {
	return []Setting{
		String(&c.Name).With("name", "T_NAME", "NAME", "a name"),
		Bool(&c.On).With("on", "T_ON", "", "a switch"),
		Int(&c.Count, 1, 10).With("count", "T_COUNT", "N", "a count"),
		Port(&c.Port, 443).With("port", "T_PORT", "N", "a port"),
		Duration(&c.Wait, time.Second).With("wait", "T_WAIT", "D", "a wait"),
		Prefixes(&c.Allowed).With("allow", "T_ALLOW", "CIDR", "prefixes"),
	}
}

func parse(args []string, env map[string]string) (config, error) {
	c := config{Name: "default", Count: 3, Wait: time.Minute}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	table := c.table()
	if err := Register(fs, table, func(k string) string { return env[k] }); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, Check(table)
}

func TestTable(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(config) bool
		wantErr string
	}{
		{"nothing given keeps the defaults", nil, nil, func(c config) bool {
			return c.Name == "default" && !c.On && c.Count == 3 && c.Port == 0 && c.Wait == time.Minute && c.Allowed == nil
		}, ""},
		{"the environment sets every kind of value", nil,
			map[string]string{"T_NAME": "env", "T_ON": "true", "T_COUNT": "7", "T_PORT": "8443", "T_WAIT": "90s", "T_ALLOW": "10.0.0.0/8, 192.0.2.1"},
			func(c config) bool {
				return c.Name == "env" && c.On && c.Count == 7 && c.Port == 8443 && c.Wait == 90*time.Second && len(c.Allowed) == 2 && c.Allowed[1].Bits() == 32
			}, ""},
		{"a flag wins over the environment", []string{"--name", "flag", "--on=false"}, map[string]string{"T_NAME": "env", "T_ON": "1"},
			func(c config) bool { return c.Name == "flag" && !c.On }, ""},
		{"the first prefix flag replaces the environment's list, later ones add", []string{"--allow", "10.1.0.0/16", "--allow", "10.2.0.0/16"},
			map[string]string{"T_ALLOW": "172.16.0.0/12"},
			func(c config) bool { return len(c.Allowed) == 2 && c.Allowed[0].String() == "10.1.0.0/16" }, ""},
		{"a count out of range names the flag and the range", []string{"--count", "11"}, nil, nil, "--count must be between 1 and 10, got 11"},
		{"an explicit port 0 is refused", []string{"--port", "0"}, nil, nil, "--port must be between 1 and 65535, got 0"},
		{"a wait below its minimum is refused", []string{"--wait", "10ms"}, nil, nil, "--wait must be at least 1s"},
		{"a bad boolean in the environment names the variable", nil, map[string]string{"T_ON": "maybe"}, nil, `T_ON="maybe" is not a boolean`},
		{"a bad duration in the environment names the variable", nil, map[string]string{"T_WAIT": "soon"}, nil, `T_WAIT="soon" is not a duration`},
		{"a bad prefix is refused", []string{"--allow", "10.0.0.0/33"}, nil, nil, "not a CIDR prefix"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(tc.args, tc.env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(c) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestUsageListsEveryRowWithItsVariableAndDefault(t *testing.T) {
	c := config{Name: "default", Count: 3, Wait: 15 * time.Minute}
	u := Usage(c.table(), "  ")
	for _, want := range []string{"--name NAME", "env T_NAME, default default", "--on ", "--count N", "default 3", "--port N", "default 443", "default 15m", "--allow CIDR", "env T_ALLOW"} {
		if !strings.Contains(u, want) {
			t.Errorf("usage lacks %q:\n%s", want, u)
		}
	}
	if strings.Contains(u, "default false") {
		t.Errorf("a switch shows its default false:\n%s", u)
	}
}
