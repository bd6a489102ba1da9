package models_test

import (
	"sync"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// TestPostgresPoolReusesConnections sends 32 clients' queries through a
// pool: with the default pool every query reuses one of at most MaxOpen
// connections, none is closed for want of an idle slot; with Go's own
// default of two idle connections most of them are thrown away, which is
// what made PostgreSQL slow under load.
func TestPostgresPoolReusesConnections(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	load := func(t *testing.T, pool models.Pool) (opened int, idleClosed int64) {
		db, err := models.OpenWith(url, pool)
		if err != nil {
			t.Fatal(err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sqlDB.Close() })
		var wg sync.WaitGroup
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 25 {
					var one int
					if err := db.Raw("SELECT 1").Scan(&one).Error; err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		st := sqlDB.Stats()
		if st.MaxOpenConnections != pool.MaxOpen {
			t.Errorf("max open %d, want %d", st.MaxOpenConnections, pool.MaxOpen)
		}
		return st.OpenConnections, st.MaxIdleClosed
	}
	pool := models.DefaultPool
	pool.MaxOpen, pool.MaxIdle = 8, 8 // a test's share of the server
	if opened, closed := load(t, pool); opened > 8 || closed != 0 {
		t.Errorf("the configured pool holds %d connections and closed %d for want of an idle slot, want ≤ 8 and 0", opened, closed)
	}
	goDefault := models.Pool{MaxOpen: 8, MaxIdle: 2, MaxLifetime: time.Hour, MaxIdleTime: time.Hour}
	if _, closed := load(t, goDefault); closed == 0 {
		t.Error("with two idle connections no connection was thrown away: the load does not show what the pool fixes")
	}
}
