package models

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// Two versions of a parent table whose children cascade on delete. The
// change of column size makes the SQLite migrator rebuild the parent table.
type evoParentV1 struct {
	ID   uint
	Name string     `gorm:"size:10"`
	Kids []evoChild `gorm:"foreignKey:ParentID;constraint:OnDelete:CASCADE"`
}

func (evoParentV1) TableName() string { return "evo_parents" }

type evoParentV2 struct {
	ID   uint
	Name string     `gorm:"size:20;not null;default:''"`
	Kids []evoChild `gorm:"foreignKey:ParentID;constraint:OnDelete:CASCADE"`
}

func (evoParentV2) TableName() string { return "evo_parents" }

type evoChild struct {
	ID       uint
	ParentID uint
}

func TestMigrationThatRebuildsATableKeepsItsChildren(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "evo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer Close(db)
	// Several idle connections with foreign keys on from the DSN, as in a
	// server that has been running.
	sqlDB, _ := db.DB()
	sqlDB.SetMaxIdleConns(4)
	var conns []*sql.Conn
	for range 4 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
	if err := migrate(ctx, db, &evoParentV1{}, &evoChild{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&evoParentV1{Name: "p", Kids: []evoChild{{}, {}}}).Error; err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, &evoParentV2{}, &evoChild{}); err != nil {
		t.Fatal(err)
	}
	var ddl string
	db.Raw("SELECT sql FROM sqlite_master WHERE name = 'evo_parents'").Scan(&ddl)
	if !strings.Contains(ddl, "NOT NULL") {
		t.Fatalf("the table was not rebuilt, so the test proves nothing: %s", ddl)
	}
	var parents, kids int64
	db.Table("evo_parents").Count(&parents)
	db.Model(&evoChild{}).Count(&kids)
	if parents != 1 || kids != 2 {
		t.Errorf("after the migration: %d parents, %d children; want 1 and 2", parents, kids)
	}
	var fk int
	if err := db.Raw("PRAGMA foreign_keys").Scan(&fk).Error; err != nil || fk != 1 {
		t.Errorf("foreign keys are %d after migrating, %v", fk, err)
	}
}
