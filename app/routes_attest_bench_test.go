package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// benchVendors is how many vendors answer and submit at the same time.
const benchVendors = 200

// BenchmarkConcurrentVendors has 200 vendors of 200 suppliers, each with
// its own API token, answer every requirement of one published tender,
// declare their scope and submit, all at once, over real TCP connections
// to the full app on the default SQLite database. Any error fails the
// benchmark, and afterwards every acknowledged submission must be in the
// database with a receipt that verifies. One iteration is one such crowd;
// run it with -benchtime=1x or 3x.
func BenchmarkConcurrentVendors(b *testing.B) {
	a := newTestApp(b)
	base := a.listen(b)
	a.h.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchVendors, MaxConnsPerHost: benchVendors}, Timeout: time.Minute}
	var latencies []time.Duration
	var mu sync.Mutex
	var total int
	round := 0
	for b.Loop() {
		b.StopTimer()
		round++
		tn, err := models.CreateTender(ctx, a.db, officer, models.TenderInput{Title: fmt.Sprintf("Load %d", round), Deadline: ptrTime(time.Now().Add(24 * time.Hour))}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := models.ApplyProfile(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, models.Profile{Slug: "load", Items: []models.ProfileItem{
			{Standard: "https", Level: "mandatory"}, {Standard: "hsts", Level: "mandatory"}, {Standard: "tls", Level: "mandatory"},
			{Standard: "dnssec", Level: "mandatory"}, {Standard: "security-txt", Level: "recommended"},
		}}, time.Now()); err != nil {
			b.Fatal(err)
		}
		if tn, err = models.PublishTender(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, time.Now()); err != nil {
			b.Fatal(err)
		}
		type vendor struct {
			token string
			att   uint
		}
		vendors := make([]vendor, benchVendors)
		for i := range vendors {
			email := fmt.Sprintf("load%d-%d@supplier%d.test", round, i, i)
			inv, _, err := models.Invite(ctx, a.db, officer, tn.ID, models.InviteInput{Email: email, Supplier: fmt.Sprintf("Load Supplier %d-%d", round, i)}, time.Hour, a.h.Now())
			if err != nil {
				b.Fatal(err)
			}
			token, err := models.CreateAPIToken(ctx, a.db, inv.UserID, time.Hour, a.h.Now())
			if err != nil {
				b.Fatal(err)
			}
			vendors[i] = vendor{token, inv.AttestationID}
		}
		b.StartTimer()

		receipts := make([]string, benchVendors)
		errs := make(chan error, benchVendors)
		var wg sync.WaitGroup
		for i, v := range vendors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				send := func(method, path string, body any, want int) (map[string]any, error) {
					raw, _ := json.Marshal(body)
					req, err := http.NewRequest(method, base+path, bytes.NewReader(raw))
					if err != nil {
						return nil, err
					}
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+v.token)
					start := time.Now()
					res, err := client.Do(req)
					if err != nil {
						return nil, fmt.Errorf("%s %s: %w", method, path, err)
					}
					defer res.Body.Close()
					data, _ := io.ReadAll(res.Body)
					mu.Lock()
					latencies = append(latencies, time.Since(start))
					mu.Unlock()
					if res.StatusCode != want {
						return nil, fmt.Errorf("%s %s: status %d: %s", method, path, res.StatusCode, data)
					}
					var m map[string]any
					return m, json.Unmarshal(data, &m)
				}
				p := fmt.Sprintf("/api/v1/attestations/%d", v.att)
				for j, r := range tn.Requirements {
					body := map[string]any{"status": "complies"}
					if (i+j)%3 == 0 {
						body = map[string]any{"status": "partial", "explanation": fmt.Sprintf("vendor %d explains %d", i, j), "planned_date": "2099-12-31"}
					}
					if _, err := send(http.MethodPut, fmt.Sprintf("%s/answers/%d", p, r.ID), body, 200); err != nil {
						errs <- err
						return
					}
				}
				if _, err := send(http.MethodPut, p+"/scope", map[string]any{"domains": []string{fmt.Sprintf("vendor%d.example", i)}}, 200); err != nil {
					errs <- err
					return
				}
				m, err := send(http.MethodPost, p+"/submit", map[string]any{"declaration": true, "declarer": fmt.Sprintf("Vendor %d", i)}, 200)
				if err != nil {
					errs <- err
					return
				}
				receipts[i], _ = m["receipt"].(string)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Error(err)
		}
		if b.Failed() {
			b.FailNow()
		}
		b.StopTimer()
		for i, v := range vendors {
			res, sub, err := models.VerifyReceipt(ctx, a.db, v.att, 0)
			if err != nil || !res.Match || sub.Receipt != receipts[i] {
				b.Fatalf("vendor %d: acknowledged receipt %q, stored %+v, %v", i, receipts[i], res, err)
			}
		}
		total += benchVendors
		b.StartTimer()
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "submissions/s")
	b.ReportMetric(float64(len(latencies))/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}
