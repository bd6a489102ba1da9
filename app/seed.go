package app

import (
	"context"
	"fmt"
	"io"

	"gorm.io/gorm"

	"tenderprobe/seed"
)

// seedDatabase loads the shipped catalogue (idempotent) and then either the
// demo data (--demo) or, in an empty database, a first admin whose one-time
// password is printed to out: the only time it is ever shown.
func seedDatabase(ctx context.Context, db *gorm.DB, cfg Config, out io.Writer) error {
	if _, err := seed.LoadCatalogue(ctx, db); err != nil {
		return err
	}
	if cfg.Demo {
		if err := seed.Demo(ctx, db); err != nil {
			return err
		}
		fmt.Fprintf(out, "Demo accounts (password %q):", seed.DemoPassword)
		for _, a := range seed.DemoAccounts {
			fmt.Fprintf(out, " %s (%s)", a.Email, a.Role)
		}
		fmt.Fprintln(out)
		return nil
	}
	email, password, err := seed.EnsureAdmin(ctx, db)
	if err != nil {
		return err
	}
	if password != "" {
		fmt.Fprintf(out, "Created the first admin account.\n  e-mail:   %s\n  password: %s\nThis password is shown only once: log in and keep it safe, or add users and disable this one.\n", email, password)
	}
	return nil
}
