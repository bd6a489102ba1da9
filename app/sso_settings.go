package app

import (
	"fmt"
	"time"

	"tenderprobe/app/sso"
	"tenderprobe/handlers"
)

// ssoSettings wires single sign-on: the OpenID Connect client, whose
// requests to providers time out, checking ID tokens against now, and
// the sealer of the providers' client secrets under cfg.SecretKey.
func ssoSettings(cfg Config, now func() time.Time) (handlers.SSOSettings, error) {
	var key []byte
	if cfg.SecretKey != "" {
		k, err := sso.ParseKey(cfg.SecretKey)
		if err != nil {
			return handlers.SSOSettings{}, fmt.Errorf("app: secret-key: %w", err)
		}
		key = k
	}
	sealer, err := sso.NewSealer(key)
	if err != nil {
		return handlers.SSOSettings{}, err
	}
	return handlers.SSOSettings{Client: sso.NewClient(sso.DefaultTimeout, now), Sealer: sealer}, nil
}
