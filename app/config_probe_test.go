package app

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestServeProbeSettings(t *testing.T) {
	t.Parallel()
	env := envFrom
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(ProbeConfig) bool
		wantErr string
	}{
		{"without settings probes use the system resolver, standard ports and a weekly re-check", nil, nil,
			func(p ProbeConfig) bool {
				return p.Resolver == "" && !p.AllowPrivate && p.HTTPSPort == 0 && p.RecheckInterval == 7*24*time.Hour && p.Workers == 4
			}, ""},
		{"the flags of the probe command configure serve's probes", []string{"--resolver", "127.0.0.1:5353", "--trust-anchor", "root.key",
			"--ca-file", "ca.pem", "--rpki-vrps", "vrps.json", "--allow-private", "--probe-https-port", "8443", "--probe-smtp-port", "2525",
			"--probe-http-port", "8080", "--probe-ns-port", "5300", "--probe-workers", "2", "--recheck-interval", "24h"}, nil,
			func(p ProbeConfig) bool {
				return p.Resolver == "127.0.0.1:5353" && p.TrustAnchor == "root.key" && p.CAFile == "ca.pem" && p.RPKIVRPs == "vrps.json" &&
					p.AllowPrivate && p.HTTPSPort == 8443 && p.SMTPPort == 2525 && p.HTTPPort == 8080 && p.NSPort == 5300 &&
					p.Workers == 2 && p.RecheckInterval == 24*time.Hour
			}, ""},
		{"the environment configures them too", nil, map[string]string{"TENDERPROBE_RESOLVER": "10.0.0.53", "TENDERPROBE_ALLOW_PRIVATE": "true",
			"TENDERPROBE_RECHECK_INTERVAL": "72h", "TENDERPROBE_CA_FILE": "ca.pem", "TENDERPROBE_PROBE_HTTPS_PORT": "4443"},
			func(p ProbeConfig) bool {
				return p.Resolver == "10.0.0.53" && p.AllowPrivate && p.RecheckInterval == 72*time.Hour && p.CAFile == "ca.pem" && p.HTTPSPort == 4443
			}, ""},
		{"a flag wins over the environment", []string{"--recheck-interval", "1h"}, map[string]string{"TENDERPROBE_RECHECK_INTERVAL": "72h"},
			func(p ProbeConfig) bool { return p.RecheckInterval == time.Hour }, ""},
		{"a re-check interval that is not a duration is refused", nil, map[string]string{"TENDERPROBE_RECHECK_INTERVAL": "weekly"}, nil, "not a duration"},
		{"a re-check every few seconds is refused", []string{"--recheck-interval", "5s"}, nil, nil, "at least 1m"},
		{"no workers leaves the probing to other processes", []string{"--probe-workers", "0"}, nil,
			func(p ProbeConfig) bool { return p.Workers == 0 }, ""},
		{"a negative number of workers is refused", []string{"--probe-workers", "-1"}, nil, nil, "probe-workers"},
		{"a port out of range is refused", []string{"--probe-https-port", "70000"}, nil, nil, "probe-https-port"},
		{"an allow-private setting that is not a boolean is refused", nil, map[string]string{"TENDERPROBE_ALLOW_PRIVATE": "perhaps"}, nil, "not a boolean"},
		{"allowed networks come from the environment, and flags replace them", []string{"--allow-net", "10.20.0.0/16,192.0.2.7"},
			map[string]string{"TENDERPROBE_ALLOW_NETS": "172.16.0.0/12"},
			func(p ProbeConfig) bool {
				return fmt.Sprint(p.AllowNets) == "[10.20.0.0/16 192.0.2.7/32]"
			}, ""},
		{"an allowed network that is not a prefix is refused", []string{"--allow-net", "10.0.0.0/33"}, nil, nil, "allow-net"},
		{"an allowed network in the environment that is not a prefix is refused", nil, map[string]string{"TENDERPROBE_ALLOW_NETS": "intranet"}, nil, "TENDERPROBE_ALLOW_NETS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseServeConfig(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(cfg.Probe) {
				t.Fatalf("probe settings %+v", cfg.Probe)
			}
		})
	}
}
