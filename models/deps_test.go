package models_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// forbiddenDeps returns the packages of deps that models must not depend
// on. models is imported by every layer; pulling in the probe engine would
// drag its DNS library and network code into the web handlers' view of the
// data, app/attest holds the file store and app/mail the mailer. The leaf
// packages models shares with them (the check registry, the receipt, the
// domain-name rule) import nothing of the project.
func forbiddenDeps(deps []string) []string {
	var bad []string
	for _, p := range deps {
		switch {
		case p == "tenderprobe/app/probe/check":
		case p == "tenderprobe/app/probe", strings.HasPrefix(p, "tenderprobe/app/probe/"),
			p == "tenderprobe/app/attest", strings.HasPrefix(p, "tenderprobe/app/attest/"),
			p == "tenderprobe/app/mail", strings.HasPrefix(p, "tenderprobe/app/mail/"),
			p == "github.com/miekg/dns", strings.HasPrefix(p, "github.com/miekg/dns/"):
			bad = append(bad, p)
		}
	}
	return bad
}

func TestForbiddenDeps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		deps []string
		want []string
	}{
		{"the check registry is allowed", []string{"tenderprobe/app/probe/check", "tenderprobe/app/receipt"}, nil},
		{"the probe engine is refused", []string{"tenderprobe/app/probe"}, []string{"tenderprobe/app/probe"}},
		{"a package of the engine is refused", []string{"tenderprobe/app/probe/resolver"}, []string{"tenderprobe/app/probe/resolver"}},
		{"app/attest is refused", []string{"tenderprobe/app/attest"}, []string{"tenderprobe/app/attest"}},
		{"the mailer is refused", []string{"tenderprobe/app/mail"}, []string{"tenderprobe/app/mail"}},
		{"the DNS library is refused", []string{"github.com/miekg/dns"}, []string{"github.com/miekg/dns"}},
		{"a name that only starts alike is allowed", []string{"tenderprobe/app/probecli2", "tenderprobe/app/attested"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := forbiddenDeps(tt.deps); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestModelsDoNotDependOnTheProbeEngineOrAttest(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the dependencies of models: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "tenderprobe/models").Output()
	if err != nil {
		t.Fatalf("go list -deps tenderprobe/models: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "tenderprobe/models") {
		t.Fatalf("go list printed no dependencies of models:\n%s", out)
	}
	if bad := forbiddenDeps(deps); len(bad) > 0 {
		t.Errorf("models depends on %s; keep what it needs in a leaf package", strings.Join(bad, ", "))
	}
}
