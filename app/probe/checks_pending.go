package probe

import "errors"

// errNotBuilt marks check groups whose pending_*.go placeholder is still in place.
var errNotBuilt = errors.New("check not built yet")
