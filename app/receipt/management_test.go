package receipt

import (
	"bytes"
	"slices"
	"testing"
)

// Management endpoints join the hashed declaration only when there are
// some, so that every receipt issued before they existed still verifies.
func TestManagementEndpointsInTheReceipt(t *testing.T) {
	t.Run("a scope without management endpoints hashes as before", func(t *testing.T) {
		d := sampleDocument()
		d.Scope.Management = []string{}
		got, err := Canonical(d)
		if err != nil || bytes.Contains(got, []byte("management")) {
			t.Errorf("canonical %s, %v", got, err)
		}
	})
	t.Run("management endpoints are hashed sorted and listed as a change", func(t *testing.T) {
		a, b := sampleDocument(), sampleDocument()
		b.Scope.Management = []string{"ssh.example.nl", "beheer.example.nl"}
		got, err := Canonical(b)
		if err != nil || !bytes.Contains(got, []byte(`"management":["beheer.example.nl","ssh.example.nl"]`)) {
			t.Errorf("canonical %s, %v", got, err)
		}
		if d := Diff(a, b); !slices.Contains(d, `management endpoints changed from "" to "beheer.example.nl, ssh.example.nl"`) {
			t.Errorf("changes %q", d)
		}
	})
}
