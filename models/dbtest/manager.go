package dbtest

import (
	"context"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// ManagerOf returns the user who created tender id, who manages it: the
// actor a test passes to the models' tender functions. For a tender that
// does not exist it returns an admin that is not stored, so the function
// under test answers ErrNotFound as it would for anyone.
func ManagerOf(db *gorm.DB, id uint) *models.User {
	t, err := models.FindTender(context.Background(), db, id)
	if err != nil {
		return &models.User{Role: models.RoleAdmin, Email: "nobody@example.test"}
	}
	return t.CreatedBy
}
