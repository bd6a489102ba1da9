package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestTextTheDatabaseWouldRefuseIsAValidationError(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		cases := []struct {
			name  string
			write func() error
			field string
		}{
			{"a NUL in a new organisation's name", func() error {
				_, err := models.CreateOrg(ctx, db, nil, "Evil\x00Org", models.OrgSupplier, time.Now())
				return err
			}, "name"},
			{"a user name longer than its column", func() error {
				_, err := models.CreateUser(ctx, db, nil, "long@example.test", strings.Repeat("n", 201), "correct horse battery 9", models.RoleAuditor, nil, time.Now())
				return err
			}, "name"},
			{"a NUL in a tender title", func() error {
				_, err := models.CreateTender(ctx, db, w.officer, models.TenderInput{Title: "a\x00b"}, time.Now())
				return err
			}, "title"},
			{"a NUL in a column updated by name", func() error {
				return db.Model(&models.Org{}).Where("id = ?", w.buyer.ID).Update("name", "x\x00y").Error
			}, "name"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.write()
				var ve *models.ValidationError
				if !errors.As(err, &ve) || ve.Field != c.field {
					t.Fatalf("err %v, want a validation error of %s", err, c.field)
				}
			})
		}
		var n int64
		db.Model(&models.Org{}).Where("name LIKE ?", "Evil%").Count(&n)
		if n != 0 {
			t.Errorf("%d refused organisations were stored", n)
		}
	})
}
