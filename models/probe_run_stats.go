package models

import (
	"context"

	"gorm.io/gorm"
)

// CountRunsByStatus returns how many probe runs are in each status, for the
// metrics of the verification queue; a status without runs is absent.
func CountRunsByStatus(ctx context.Context, db *gorm.DB) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	if err := db.WithContext(ctx).Model(&ProbeRun{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, wrap(err, "count probe runs by status")
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
