package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"version prints the version", []string{"version"}, 0, "tenderprobe dev", ""},
		{"version names the schema version", []string{"version"}, 0, "(schema ", ""},
		{"help lists the subcommands", []string{"help"}, 0, "catalogue import FILE", ""},
		{"an unknown subcommand exits 2 with the usage", []string{"frobnicate"}, 2, "", `unknown subcommand "frobnicate"`},
		{"a bad serve flag exits 2", []string{"serve", "--no-such-flag"}, 2, "", "flag provided but not defined"},
		{"a bad flag without a subcommand goes to serve and exits 2", []string{"--addr", "no-port"}, 2, "", "not host:port"},
		{"catalogue without a subcommand exits 2", []string{"catalogue"}, 2, "", "import FILE or export"},
		{"catalogue export with a bad format exits 2", []string{"catalogue", "export", "--format", "xml"}, 2, "", "yaml or json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
			}
		})
	}
}
