package app

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
)

// uploadBody marks a role-table body to be sent as a multipart upload.
type uploadBody struct {
	name    string
	content []byte
}

// sendAttest sends the requests of the attestation role table that the
// general table's runner cannot: JSON PUTs and multipart uploads.
func sendAttest(c *client, method, path string, form url.Values, body any) response {
	if up, ok := body.(uploadBody); ok {
		fields := map[string]string{}
		for k := range form {
			fields[k] = form.Get(k)
		}
		return c.uploadFields(path, fields, up.name, up.content)
	}
	return c.putJSON(path, body)
}

// attestRoutesCovered reports whether the attestation role table has a row
// for route key, so the general table leaves it to this file.
func attestRoutesCovered(key string) bool {
	_, ok := attestRoleTable()[key]
	return ok
}

// addFile stores pdfBytes as file evidence of the https answer.
func (w *attestWorld) addFile(t testing.TB) *models.Evidence {
	t.Helper()
	if w.a.h.Attest.Store.Dir == "" {
		w.a.withEvidenceStore()
	}
	st, err := w.a.h.Attest.Store.Stage(bytes.NewReader(pdfBytes))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := models.AddFileEvidence(context.Background(), w.a.db, w.a.user("vendor@demo.test"), w.att.ID, w.https,
		models.FileEvidence{FileName: "report.pdf", ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StoragePath: st.RelPath},
		nil, st.Commit, testNow)
	if err != nil {
		st.Cleanup()
		t.Fatal(err)
	}
	return ev
}

// clarify submits the attestation and has the officer ask about https.
func (w *attestWorld) clarify(t testing.TB) {
	t.Helper()
	w.submit(t)
	_, err := models.ReviewAnswer(context.Background(), w.a.db, w.a.user("officer@demo.test"), w.att.ID, w.https,
		models.ReviewDecision{Decision: "clarify", Comment: "Which sites?"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
}

type attestStage int

const (
	stageDraft attestStage = iota
	stageFilled
	stageWithFile
	stageSubmitted
	stageClarify
	stageWithSBOM
)

// attestReq builds a role-table request on a fresh attestation at stage;
// suffix may name :rid (the https requirement) and :eid (a file).
func attestReq(api bool, stage attestStage, suffix string, form url.Values, body any) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		w := newAttestWorld(a.t, a)
		if a.h.Attest.Store.Dir == "" {
			a.withEvidenceStore()
		}
		var evID uint
		switch stage {
		case stageFilled:
			w.fill(a.t)
		case stageWithFile:
			evID = w.addFile(a.t).ID
		case stageSubmitted:
			evID = w.addFile(a.t).ID
			w.submit(a.t)
		case stageClarify:
			w.clarify(a.t)
		case stageWithSBOM:
			evID = w.addSBOM(a.t).ID
		}
		suffix := strings.ReplaceAll(strings.ReplaceAll(suffix, ":rid", fmt.Sprint(w.https)), ":eid", fmt.Sprint(evID))
		if api {
			return w.apiPath("%s", suffix), form, body
		}
		return w.path("%s", suffix), form, body
	}
}

func tenderReq(api bool, suffix string, form url.Values, body any) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		w := newAttestWorld(a.t, a)
		prefix := "/tenders/"
		if api {
			prefix = "/api/v1/tenders/"
		}
		s := suffix
		if strings.Contains(s, ":iid") {
			inv, _, err := models.Invite(context.Background(), a.db, a.user("officer@demo.test"), w.tender.ID,
				models.InviteInput{Email: fmt.Sprintf("revoke@supplier%d.test", next())}, time.Hour, testNow)
			if err != nil {
				a.t.Fatal(err)
			}
			s = strings.ReplaceAll(s, ":iid", fmt.Sprint(inv.ID))
		}
		f, b := form, body
		if form != nil && form.Get("email") == "fresh" {
			f = url.Values{"email": {fmt.Sprintf("fresh@supplier%d.test", next())}}
		}
		if m, ok := body.(map[string]any); ok && m["email"] == "fresh" {
			b = map[string]any{"email": fmt.Sprintf("fresh@supplier%d.test", next())}
		}
		return fmt.Sprint(prefix, w.tender.ID, s), f, b
	}
}

func invitationReq(form url.Values) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		w := newAttestWorld(a.t, a)
		_, token, err := models.Invite(context.Background(), a.db, a.user("officer@demo.test"), w.tender.ID,
			models.InviteInput{Email: fmt.Sprintf("link@supplier%d.test", next())}, time.Hour, testNow)
		if err != nil {
			a.t.Fatal(err)
		}
		return "/invitations/" + token, form, nil
	}
}

// attestRoleTable lists every attestation route with the status each
// caller gets (anonymous, admin, officer, vendor of the supplier, auditor).
func attestRoleTable() map[string]roleCase {
	const (
		ok, created, see, unauth, forbidden = 200, 201, 303, 401, 403
	)
	pdf := uploadBody{"evidence.pdf", pdfBytes}
	complies := url.Values{"status": {"complies"}}
	declare := url.Values{"declaration": {"yes"}, "declarer": {"Victor Vendor"}}
	amend := url.Values{"status": {"complies"}, "comment": {"All sites."}, "declaration": {"yes"}, "declarer": {"Victor Vendor"}}
	password := url.Values{"password": {"long enough password"}, "password_confirm": {"long enough password"}}
	vendorAPI := [5]int{unauth, forbidden, forbidden, ok, forbidden}
	vendorWeb := [5]int{unauth, forbidden, forbidden, see, forbidden}
	everyoneAPI := [5]int{unauth, ok, ok, ok, ok}
	everyoneWeb := [5]int{see, ok, ok, ok, ok}
	return map[string]roleCase{
		"POST /api/v1/tenders/:id/invitations":                 {[5]int{unauth, created, created, forbidden, forbidden}, tenderReq(true, "/invitations", nil, map[string]any{"email": "fresh"})},
		"GET /api/v1/tenders/:id/matrix":                       {[5]int{unauth, ok, ok, forbidden, ok}, tenderReq(true, "/matrix", nil, nil)},
		"GET /api/v1/attestations":                             {everyoneAPI, path("/api/v1/attestations")},
		"GET /api/v1/attestations/:id":                         {everyoneAPI, attestReq(true, stageDraft, "", nil, nil)},
		"PUT /api/v1/attestations/:id/scope":                   {vendorAPI, attestReq(true, stageDraft, "/scope", nil, map[string]any{"domains": []string{"example.nl"}})},
		"PUT /api/v1/attestations/:id/answers/:requirement_id": {vendorAPI, attestReq(true, stageDraft, "/answers/:rid", nil, map[string]any{"status": "complies"})},
		"POST /api/v1/attestations/:id/evidence/:requirement_id": {[5]int{unauth, forbidden, forbidden, created, forbidden},
			attestReq(true, stageDraft, "/evidence/:rid", nil, pdf)},
		"GET /api/v1/attestations/:id/evidence-files/:evidence_id": {everyoneAPI, attestReq(true, stageWithFile, "/evidence-files/:eid", nil, nil)},
		"POST /api/v1/attestations/:id/submit":                     {vendorAPI, attestReq(true, stageFilled, "/submit", nil, map[string]any{"declaration": true, "declarer": "Victor Vendor"})},
		"POST /api/v1/attestations/:id/reopen":                     {vendorAPI, attestReq(true, stageSubmitted, "/reopen", nil, map[string]any{})},
		"GET /api/v1/attestations/:id/receipt":                     {everyoneAPI, attestReq(true, stageSubmitted, "/receipt", nil, nil)},
		"POST /api/v1/attestations/:id/answers/:requirement_id/review": {[5]int{unauth, ok, ok, forbidden, forbidden},
			attestReq(true, stageSubmitted, "/answers/:rid/review", nil, map[string]any{"decision": "accept"})},
		"POST /api/v1/attestations/:id/answers/:requirement_id/reply": {[5]int{unauth, forbidden, forbidden, created, forbidden},
			attestReq(true, stageClarify, "/answers/:rid/reply", nil, map[string]any{"body": "All our sites."})},
		"GET /api/v1/attestations/:id/suggestions":                        {vendorAPI, attestReq(true, stageDraft, "/suggestions", nil, nil)},
		"POST /api/v1/attestations/:id/suggestions/:requirement_id/reuse": {vendorAPI, libraryReuseReq},
		"GET /api/v1/audit": {[5]int{unauth, ok, forbidden, forbidden, ok}, path("/api/v1/audit")},

		"GET /tenders/:id/invitations":                        {[5]int{see, ok, ok, forbidden, forbidden}, tenderReq(false, "/invitations", nil, nil)},
		"POST /tenders/:id/invitations":                       {[5]int{unauth, created, created, forbidden, forbidden}, tenderReq(false, "/invitations", url.Values{"email": {"fresh"}}, nil)},
		"POST /tenders/:id/invitations/:iid/revoke":           {[5]int{unauth, see, see, forbidden, forbidden}, tenderReq(false, "/invitations/:iid/revoke", nil, nil)},
		"GET /tenders/:id/review":                             {[5]int{see, ok, ok, forbidden, ok}, tenderReq(false, "/review", nil, nil)},
		"GET /invitations/:token":                             {[5]int{ok, ok, ok, ok, ok}, invitationReq(nil)},
		"POST /invitations/:token":                            {[5]int{see, see, see, see, see}, invitationReq(password)},
		"GET /attestations":                                   {everyoneWeb, path("/attestations")},
		"GET /attestations/:id":                               {everyoneWeb, attestReq(false, stageDraft, "", nil, nil)},
		"GET /attestations/:id/versions/:version":             {everyoneWeb, attestReq(false, stageSubmitted, "/versions/1", nil, nil)},
		"GET /attestations/:id/receipt":                       {everyoneWeb, attestReq(false, stageSubmitted, "/receipt", nil, nil)},
		"GET /attestations/:id/receipt.json":                  {everyoneWeb, attestReq(false, stageSubmitted, "/receipt.json", nil, nil)},
		"POST /attestations/:id/answers/:requirement_id":      {vendorWeb, attestReq(false, stageDraft, "/answers/:rid", complies, nil)},
		"POST /attestations/:id/answers":                      {vendorWeb, attestReq(false, stageDraft, "/answers", url.Values{"web": {"example.nl"}}, nil)},
		"GET /tenders/:id/attestation":                        {[5]int{see, forbidden, forbidden, see, forbidden}, tenderReq(false, "/attestation", nil, nil)},
		"POST /attestations/:id/scope":                        {vendorWeb, attestReq(false, stageDraft, "/scope", url.Values{"web": {"example.nl"}}, nil)},
		"POST /attestations/:id/evidence/:requirement_id":     {vendorWeb, attestReq(false, stageDraft, "/evidence/:rid", nil, pdf)},
		"GET /attestations/:id/evidence/:evidence_id":         {everyoneWeb, attestReq(false, stageWithFile, "/evidence/:eid", nil, nil)},
		"GET /attestations/:id/evidence/:evidence_id/sbom":    {everyoneWeb, attestReq(false, stageWithSBOM, "/evidence/:eid/sbom", nil, nil)},
		"POST /attestations/:id/evidence/:evidence_id/delete": {vendorWeb, attestReq(false, stageWithFile, "/evidence/:eid/delete", nil, nil)},
		"POST /attestations/:id/submit":                       {vendorWeb, attestReq(false, stageFilled, "/submit", declare, nil)},
		"POST /attestations/:id/reopen":                       {vendorWeb, attestReq(false, stageSubmitted, "/reopen", nil, nil)},
		"POST /attestations/:id/answers/:requirement_id/review": {[5]int{unauth, see, see, forbidden, forbidden},
			attestReq(false, stageSubmitted, "/answers/:rid/review", url.Values{"decision": {"accept"}}, nil)},
		"POST /attestations/:id/answers/:requirement_id/reply": {vendorWeb, attestReq(false, stageClarify, "/answers/:rid/reply", url.Values{"reply": {"All sites."}}, nil)},
		"POST /attestations/:id/answers/:requirement_id/amend": {vendorWeb, attestReq(false, stageClarify, "/answers/:rid/amend", amend, nil)},
		"GET /audit": {[5]int{see, ok, forbidden, forbidden, ok}, path("/audit")},
	}
}

// TestAttestationRoutesByRole sends every attestation route as each role
// and checks the status; TestEveryRouteHasARoleCheck fails when a route
// has no row here or in the general table.
func TestAttestationRoutesByRole(t *testing.T) {
	t.Parallel()
	table := attestRoleTable()
	a := newTestApp(t)
	for key, rc := range table {
		method := strings.Fields(key)[0]
		for i, email := range roleEmails {
			t.Run(fmt.Sprintf("%s as %s answers %d", key, roleNames[i], rc.want[i]), func(t *testing.T) {
				a.t = t
				defer func() { a.t = nil }()
				p, form, body := rc.request(a)
				api := strings.HasPrefix(p, "/api/")
				c := roleClient(t, a, email, method, api)
				var res response
				_, upload := body.(uploadBody)
				switch {
				case method == "GET":
					res = c.get(p)
				case method == "PUT" || upload:
					res = sendAttest(c, method, p, form, body)
				case api:
					res = c.postJSON(p, body)
				default:
					res = c.post(p, form)
				}
				if res.status != rc.want[i] {
					t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, p, roleNames[i], res.status, rc.want[i], errorText(res.body))
				}
				if api && res.status >= 400 {
					if msg, _ := res.json(t)["error"].(string); msg == "" {
						t.Errorf("API error without an error message: %s", res.body)
					}
				}
			})
		}
	}
}
