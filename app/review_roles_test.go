package app

import (
	"fmt"
	"net/url"
)

// reviewRoleTable is the review matrix routes' part of the role table:
// the CSV of the matrix, accepting from it and the bulk accept, each on a
// fresh tender with one submitted vendor.
func reviewRoleTable() map[string]roleCase {
	const ok, see, unauth, forbidden = 200, 303, 401, 403
	tender := func(suffix string, form url.Values, body any) func(a *testApp) (string, url.Values, any) {
		return func(a *testApp) (string, url.Values, any) {
			w := newAttestWorld(a.t, a)
			w.submit(a.t)
			f := form
			if f != nil && f.Get("answer") == "https" {
				f = url.Values{"answer": {fmt.Sprintf("%d-%d", w.att.ID, w.https)}}
			}
			return fmt.Sprintf("/tenders/%d%s", w.tender.ID, suffix), f, body
		}
	}
	api := func(suffix string) func(a *testApp) (string, url.Values, any) {
		return func(a *testApp) (string, url.Values, any) {
			w := newAttestWorld(a.t, a)
			w.submit(a.t)
			return fmt.Sprintf("/api/v1/tenders/%d%s", w.tender.ID, suffix), nil, map[string]any{}
		}
	}
	apiGet := func(suffix string) func(a *testApp) (string, url.Values, any) {
		return func(a *testApp) (string, url.Values, any) {
			w := newAttestWorld(a.t, a)
			w.submit(a.t)
			return fmt.Sprintf("/api/v1/tenders/%d%s", w.tender.ID, suffix), nil, nil
		}
	}
	return map[string]roleCase{
		"GET /tenders/:id/review.csv":                      {[5]int{see, ok, ok, forbidden, ok}, tender("/review.csv", nil, nil)},
		"GET /tenders/:id/review.xlsx":                     {[5]int{see, ok, ok, forbidden, ok}, tender("/review.xlsx", nil, nil)},
		"GET /api/v1/tenders/:id/review.csv":               {[5]int{unauth, ok, ok, forbidden, ok}, apiGet("/review.csv")},
		"GET /api/v1/tenders/:id/review.xlsx":              {[5]int{unauth, ok, ok, forbidden, ok}, apiGet("/review.xlsx")},
		"POST /tenders/:id/review/accept":                  {[5]int{unauth, see, see, forbidden, forbidden}, tender("/review/accept", url.Values{"answer": {"https"}}, nil)},
		"POST /tenders/:id/review/accept-confirmed":        {[5]int{unauth, see, see, forbidden, forbidden}, tender("/review/accept-confirmed", url.Values{}, nil)},
		"POST /api/v1/tenders/:id/review/accept-confirmed": {[5]int{unauth, ok, ok, forbidden, forbidden}, api("/review/accept-confirmed")},
	}
}
