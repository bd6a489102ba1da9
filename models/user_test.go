package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		disabled := true
		if _, err := models.UpdateUser(ctx, db, nil, w.auditor.ID, models.UserChanges{Disabled: &disabled}, time.Now()); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, email, password string
			ok                    bool
		}{
			{"the right password logs in", "officer@example.test", "correct horse battery 1", true},
			{"the e-mail address ignores case and spaces", "  Officer@Example.TEST ", "correct horse battery 1", true},
			{"a wrong password is refused", "officer@example.test", "correct horse battery 2", false},
			{"an unknown address is refused the same way", "nobody@example.test", "correct horse battery 1", false},
			{"a disabled account is refused the same way", "auditor@example.test", "correct horse battery 1", false},
			{"an empty password is refused", "officer@example.test", "", false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				u, err := models.Authenticate(ctx, db, c.email, c.password)
				if c.ok {
					if err != nil || u.ID != w.officer.ID || u.Org == nil || u.Org.ID != w.buyer.ID {
						t.Errorf("got %+v, %v", u, err)
					}
					return
				}
				if !errors.Is(err, models.ErrInvalidCredentials) || u != nil {
					t.Errorf("got %+v, %v; want ErrInvalidCredentials", u, err)
				}
			})
		}
	})
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		t.Run("the password is stored as a bcrypt hash, never in clear", func(t *testing.T) {
			u, err := models.FindUser(ctx, db, w.officer.ID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(u.PasswordHash, "correct horse battery 1") || !strings.HasPrefix(u.PasswordHash, "sha256+$2") {
				t.Errorf("hash %q", u.PasswordHash)
			}
			if cost, err := bcrypt.Cost([]byte(strings.TrimPrefix(u.PasswordHash, "sha256+"))); err != nil || cost != models.BcryptCost {
				t.Errorf("cost %d, %v; want %d", cost, err, models.BcryptCost)
			}
		})
		cases := []struct {
			name, email, password, role string
			org                         *uint
			field                       string
			err                         error
		}{
			{"an address in use, in other case, is a conflict", "OFFICER@example.test", "correct horse battery 1", models.RoleOfficer, &w.buyer.ID, "", models.ErrConflict},
			{"a malformed address is refused", "not-an-address", "correct horse battery 1", models.RoleAdmin, nil, "email", nil},
			{"a short password is refused", "new@example.test", "short", models.RoleAdmin, nil, "password", nil},
			{"an unknown role is refused", "new@example.test", "correct horse battery 1", "root", nil, "role", nil},
			{"an officer without an org is refused", "new@example.test", "correct horse battery 1", models.RoleOfficer, nil, "org_id", nil},
			{"an officer of a supplier org is refused", "new@example.test", "correct horse battery 1", models.RoleOfficer, &w.supplier.ID, "org_id", nil},
			{"a vendor of a buyer org is refused", "new@example.test", "correct horse battery 1", models.RoleVendor, &w.buyer.ID, "org_id", nil},
			{"an org that does not exist is refused", "new@example.test", "correct horse battery 1", models.RoleAuditor, ptr(uint(9999)), "org_id", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before, _ := models.CountUsers(ctx, db)
				_, err := models.CreateUser(ctx, db, nil, c.email, "Someone", c.password, c.role, c.org, time.Now())
				if c.err != nil && !errors.Is(err, c.err) {
					t.Errorf("got %v, want %v", err, c.err)
				}
				if c.field != "" && fieldOf(err) != c.field {
					t.Errorf("got %v, want a validation error on %s", err, c.field)
				}
				if after, _ := models.CountUsers(ctx, db); after != before {
					t.Errorf("users went from %d to %d", before, after)
				}
			})
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		t.Run("an admin renames a user and resets the password", func(t *testing.T) {
			u, err := models.UpdateUser(ctx, db, nil, w.vendor.ID, models.UserChanges{Name: ptr("Renamed"), Password: ptr("new-password")}, time.Now())
			if err != nil || u.Name != "Renamed" {
				t.Fatalf("got %+v, %v", u, err)
			}
			if _, err := models.Authenticate(ctx, db, "vendor@example.test", "new-password"); err != nil {
				t.Errorf("new password refused: %v", err)
			}
			if _, err := models.Authenticate(ctx, db, "vendor@example.test", "correct horse battery 1"); err == nil {
				t.Error("old password still works")
			}
		})
		t.Run("moving an officer to a supplier org is refused and changes nothing", func(t *testing.T) {
			_, err := models.UpdateUser(ctx, db, nil, w.officer.ID, models.UserChanges{OrgID: &w.supplier.ID, Name: ptr("Changed")}, time.Now())
			if fieldOf(err) != "org_id" {
				t.Fatalf("got %v", err)
			}
			u, _ := models.FindUser(ctx, db, w.officer.ID)
			if *u.OrgID != w.buyer.ID || u.Name != "Officer" {
				t.Errorf("user changed to %+v", u)
			}
		})
		t.Run("an auditor can be made an officer of a buyer org", func(t *testing.T) {
			u, err := models.UpdateUser(ctx, db, nil, w.auditor.ID, models.UserChanges{Role: ptr(models.RoleOfficer), OrgID: &w.buyer2.ID}, time.Now())
			if err != nil || u.Role != models.RoleOfficer || u.Org == nil || u.Org.ID != w.buyer2.ID {
				t.Errorf("got %+v, %v", u, err)
			}
		})
		t.Run("an unknown user is not found", func(t *testing.T) {
			if _, err := models.UpdateUser(ctx, db, nil, 9999, models.UserChanges{Name: ptr("x")}, time.Now()); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("got %v", err)
			}
		})
	})
}

func TestPasswordRule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Open(t)
	w := newWorld(t, db)
	long := strings.Repeat("lange zin met woorden ", 8) // 176 bytes: past bcrypt's 72
	cases := []struct {
		name, password string
		ok             bool
	}{
		{"eight digits are refused", "12345678", false},
		{"the most common password is refused", "password", false},
		{"eight spaces are refused", "        ", false},
		{"eight NUL bytes are refused", strings.Repeat("\x00", 8), false},
		{"eleven characters of two bytes each are too short", "ééééééééééé", false},
		{"a tab inside is refused", "correct horse\tbattery", false},
		{"the user's own e-mail address is refused", "mail.of.the.user@example.test", false},
		{"a common password of twelve characters is refused", "1qaz2wsx3edc", false},
		{"twelve characters of two bytes each are enough", "éééééééééééé", true},
		{"a passphrase is accepted", "correct horse battery staple", true},
		{"a password longer than bcrypt's 72 bytes is accepted and checked whole", long, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			email := "mail.of.the.user@example.test"
			if c.ok {
				email = fmt.Sprintf("user%d@example.test", i)
			}
			u, err := models.CreateUser(ctx, db, nil, email, "Mail User", c.password, models.RoleAuditor, nil, time.Now())
			var ve *models.ValidationError
			if !c.ok {
				if !errors.As(err, &ve) || ve.Field != "password" {
					t.Fatalf("err %v, want a refusal of the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.Authenticate(ctx, db, u.Email, c.password); err != nil {
				t.Errorf("the password does not log in: %v", err)
			}
			if _, err := models.Authenticate(ctx, db, u.Email, c.password[:len(c.password)-1]+"x"); err == nil {
				t.Error("a password differing in its last character logs in")
			}
		})
	}
	_ = w
}
