package app

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"tenderprobe/models"
)

// A vendor lists management endpoints (SSH servers) next to its web and
// mail domains, on the form and through the API, validated like domains.
func TestScopeManagementEndpoints(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	vendor := a.apiClient("vendor@demo.test")
	s := a.session("vendor@demo.test")

	cases := []struct {
		name   string
		body   map[string]any
		status int
		want   string
		mgmt   []string
	}{
		{"the API stores management endpoints in A-label form and answers them in the scope",
			map[string]any{"web": []string{"www.example.nl"}, "management": []string{"Beheer.Example.nl", "bastion.example.nl", "beheer.example.nl"}},
			200, `"management":["beheer.example.nl","bastion.example.nl"]`, []string{"beheer.example.nl", "bastion.example.nl"}},
		{"a scope saved without the field keeps the management endpoints",
			map[string]any{"web": []string{"www.example.nl"}}, 200, `"management":["beheer.example.nl","bastion.example.nl"]`, []string{"beheer.example.nl", "bastion.example.nl"}},
		{"an IP address is refused, naming the endpoint",
			map[string]any{"management": []string{"10.0.0.1"}}, 422, `management endpoint \"10.0.0.1\"`, []string{"beheer.example.nl", "bastion.example.nl"}},
		{"a name with a bad character is refused", map[string]any{"management": []string{"ssh_host.example.nl"}}, 422, "ssh_host.example.nl", []string{"beheer.example.nl", "bastion.example.nl"}},
		{"an empty list clears them", map[string]any{"web": []string{"www.example.nl"}, "management": []string{}}, 200, `"management":[]`, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := vendor.putJSON(w.apiPath("/scope"), c.body)
			if res.status != c.status || !strings.Contains(res.body, c.want) {
				t.Fatalf("status %d, want %d with %s: %s", res.status, c.status, c.want, res.body)
			}
			if got := w.reload(t).ScopeNames(models.ScopeManagement); !slices.Equal(got, c.mgmt) {
				t.Errorf("management endpoints %v, want %v", got, c.mgmt)
			}
		})
	}
	t.Run("the form saves them and the page shows them in the field", func(t *testing.T) {
		res := s.post(w.path("/scope"), url.Values{"web": {"www.example.nl"}, "mail": {""}, "management": {"ssh.example.nl\nbeheer.example.nl"}})
		if res.status != 303 {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		if got := w.reload(t).ScopeNames(models.ScopeManagement); !slices.Equal(got, []string{"ssh.example.nl", "beheer.example.nl"}) {
			t.Errorf("management endpoints %v", got)
		}
		page := s.get(w.path("")).body
		if !strings.Contains(page, `name="management"`) || !strings.Contains(page, "ssh.example.nl\nbeheer.example.nl</textarea>") ||
			!strings.Contains(page, "Management endpoints (SSH servers) of the offer") {
			t.Error("the attestation page does not show the management endpoints in their field")
		}
		if m := vendor.get(w.apiPath("")).json(t); !strings.Contains(strings.Join(anyStrings(m["scope"].(map[string]any)["management"]), ","), "ssh.example.nl") {
			t.Errorf("the attestation's JSON scope is %v", m["scope"])
		}
	})
	t.Run("the form shows a refused endpoint and keeps what was typed", func(t *testing.T) {
		res := s.post(w.path("/scope"), url.Values{"web": {"www.example.nl"}, "management": {"192.168.1.1"}})
		if res.status != 422 || !strings.Contains(res.body, "management endpoint &#34;192.168.1.1&#34;") || !strings.Contains(res.body, "192.168.1.1</textarea>") {
			t.Errorf("status %d: %s", res.status, errorText(res.body))
		}
	})
	t.Run("the form in Dutch names the field and the refusal in Dutch", func(t *testing.T) {
		res := postIn(s, "nl", w.path("/scope"), url.Values{"web": {"www.example.nl"}, "management": {"-x.example.nl"}})
		if !strings.Contains(res.body, "Beheerpunten (SSH-servers) van de inschrijving") || !strings.Contains(res.body, "beheerpunt &#34;-x.example.nl&#34;") {
			t.Errorf("status %d: %s", res.status, errorText(res.body))
		}
	})
	t.Run("after submission the attestation page lists them", func(t *testing.T) {
		w.fill(t)
		w.submit(t)
		page := s.get(w.path("")).body
		if !strings.Contains(page, "<dt>Management endpoints</dt><dd>ssh.example.nl, beheer.example.nl</dd>") {
			t.Error("the submitted attestation does not list its management endpoints")
		}
	})
}

func anyStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
