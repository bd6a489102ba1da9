package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestPasskeyRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		org, err := models.CreateOrg(ctx, db, nil, "Council", models.OrgBuyer, now)
		if err != nil {
			t.Fatal(err)
		}
		u, err := models.CreateUser(ctx, db, nil, "keys@council.test", "Key Holder", "a long enough password", models.RoleOfficer, &org.ID, now)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("a challenge is taken once, only for its purpose and user, and not after it expires", func(t *testing.T) {
			token, err := models.CreatePasskeyChallenge(ctx, db, &u.ID, models.PasskeyRegister, `{"challenge":"x"}`, time.Minute, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.TakePasskeyChallenge(ctx, db, token, models.PasskeyLogin, nil, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("taken as a sign-in: %v", err)
			}
			if s, err := models.TakePasskeyChallenge(ctx, db, token, models.PasskeyRegister, &u.ID, now); err != nil || s != `{"challenge":"x"}` {
				t.Errorf("first take: %q, %v", s, err)
			}
			if _, err := models.TakePasskeyChallenge(ctx, db, token, models.PasskeyRegister, &u.ID, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("second take: %v, want ErrNotFound", err)
			}
			late, err := models.CreatePasskeyChallenge(ctx, db, nil, models.PasskeyLogin, "{}", time.Minute, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.TakePasskeyChallenge(ctx, db, late, models.PasskeyLogin, nil, now.Add(time.Minute)); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("expired take: %v, want ErrNotFound", err)
			}
		})

		p, err := models.AddPasskey(ctx, db, u, "  Security   key ", []byte("credential-1"), "{}", 7, now)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the name is tidied and the user counts the passkey as a second factor", func(t *testing.T) {
			fresh, err := models.FindUser(ctx, db, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "Security key" || fresh.Passkeys != 1 || !fresh.HasSecondFactor() || fresh.HasTOTP() {
				t.Errorf("name %q, %d passkeys, second factor %v", p.Name, fresh.Passkeys, fresh.HasSecondFactor())
			}
		})

		t.Run("the same credential cannot be registered twice", func(t *testing.T) {
			if _, err := models.AddPasskey(ctx, db, u, "Again", []byte("credential-1"), "{}", 0, now); !errors.Is(err, models.ErrConflict) {
				t.Errorf("err %v, want ErrConflict", err)
			}
		})

		found, err := models.FindPasskey(ctx, db, []byte("credential-1"))
		if err != nil || found.User.ID != u.ID {
			t.Fatalf("find: %+v, %v", found, err)
		}
		for _, tc := range []struct {
			name  string
			count uint32
			want  error
		}{
			{"a counter that goes backwards is refused", 6, models.ErrPasskeyCounter},
			{"a counter that stays the same is refused", 7, models.ErrPasskeyCounter},
			{"a counter that goes up is accepted", 8, nil},
			{"the counter before the last one is refused", 8, models.ErrPasskeyCounter},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := models.UsePasskey(ctx, db, found, tc.count, "{}", now); !errors.Is(err, tc.want) {
					t.Errorf("err %v, want %v", err, tc.want)
				}
			})
		}

		t.Run("another user's passkey cannot be removed", func(t *testing.T) {
			other, err := models.CreateUser(ctx, db, nil, "other@council.test", "Other", "a long enough password", models.RoleOfficer, &org.ID, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := models.RemovePasskey(ctx, db, other, p.ID, false, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("err %v, want ErrNotFound", err)
			}
		})

		t.Run("the last passkey stays while it is the required second factor, and goes when it is not", func(t *testing.T) {
			if err := models.RemovePasskey(ctx, db, u, p.ID, true, now); !errors.Is(err, models.ErrLastPasskey) {
				t.Errorf("err %v, want ErrLastPasskey", err)
			}
			if err := models.RemovePasskey(ctx, db, u, p.ID, false, now); err != nil {
				t.Fatal(err)
			}
			fresh, err := models.FindUser(ctx, db, u.ID)
			if err != nil || fresh.Passkeys != 0 || fresh.HasSecondFactor() {
				t.Errorf("after the removal: %d passkeys (%v)", fresh.Passkeys, err)
			}
		})
	})
}
