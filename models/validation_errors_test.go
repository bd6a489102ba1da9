package models_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// refusedFields lists the fields of every problem in err, in order.
func refusedFields(err error) []string {
	var list models.ValidationErrors
	if !errors.As(err, &list) {
		if f := fieldOf(err); f != "" {
			return []string{f}
		}
		return nil
	}
	out := make([]string, len(list))
	for i, ve := range list {
		out[i] = ve.Field
	}
	return out
}

func TestFormsReportEveryRefusedFieldAtOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		draft := w.tender(t, "Kept as it was")
		_, att := w.invited(t, "Answers")
		https := att.Answers[0].RequirementID
		amount := &models.ValidationError{Field: "estimated_value", Code: "not_an_amount_like"}
		cases := []struct {
			name string
			save func() error
			want []string
		}{
			{"a new tender with no title, a long reference, an odd currency and a bad deadline", func() error {
				_, err := models.CreateTender(ctx, db, w.officer, models.TenderInput{
					Title: " ", Reference: strings.Repeat("r", 150), Currency: "EURO",
					DeadlineDate: "31-12-2026", DeadlineTime: "noon", DeadlineZone: "Mars/Olympus", ScopeTags: []string{strings.Repeat("t", 41)},
				}, time.Now())
				return err
			}, []string{"title", "reference", "currency", "deadline", "deadline_time", "deadline_zone", "scope_tags"}},
			{"an amount the form could not read comes with the models' own problems", func() error {
				_, err := models.CreateTender(ctx, db, w.officer, models.TenderInput{Reference: strings.Repeat("r", 150), Unreadable: amount}, time.Now())
				return err
			}, []string{"title", "reference", "estimated_value"}},
			{"an admin's tender without a buyer or a title", func() error {
				_, err := models.CreateTender(ctx, db, w.admin, models.TenderInput{}, time.Now())
				return err
			}, []string{"title", "buyer_org_id"}},
			{"an edited tender with no title and a long reference", func() error {
				_, err := models.UpdateTender(ctx, db, w.officer, draft.ID, models.TenderInput{Reference: strings.Repeat("r", 150)}, time.Now())
				return err
			}, []string{"title", "reference"}},
			{"an account with a bad address, no name, a short password and the wrong org", func() error {
				_, err := models.CreateUser(ctx, db, w.admin, "not-an-address", " ", "short", models.RoleVendor, &w.buyer.ID, time.Now())
				return err
			}, []string{"email", "name", "password", "org_id"}},
			{"an organisation without a name, of no kind, in an unknown zone", func() error {
				_, err := models.CreateOrgInZone(ctx, db, w.admin, "", "neither", "Mars/Olympus", time.Now())
				return err
			}, []string{"name", "kind", "time_zone"}},
			{"a requirement with an unknown level, a long clause and a long note", func() error {
				_, err := models.AddRequirement(ctx, db, w.officer, draft.ID, models.RequirementInput{Standard: "dnssec", Level: "urgent",
					CustomClause: strings.Repeat("c", models.MaxClauseLength+1), Note: strings.Repeat("n", models.MaxNoteLength+1)}, time.Now())
				return err
			}, []string{"level", "custom_clause", "note"}},
			{"an answer without an explanation, with a past planned date and a bad evidence link", func() error {
				_, err := models.SaveAnswer(ctx, db, w.vendor, att.ID, https, models.AnswerInput{Status: models.AnswerPartial,
					PlannedDate: "2026-02-28", EvidenceURL: "ftp://supplier.test/report"}, attNow)
				return err
			}, []string{"explanation", "planned_date", "evidence_url"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var before, after int64
				db.Model(&models.AuditEntry{}).Count(&before)
				err := c.save()
				if got := refusedFields(err); !reflect.DeepEqual(got, c.want) {
					t.Errorf("refused %v (%v), want %v", got, err, c.want)
				}
				if fieldOf(err) != c.want[0] {
					t.Errorf("errors.As finds %q first, want %q", fieldOf(err), c.want[0])
				}
				if db.Model(&models.AuditEntry{}).Count(&after); after != before {
					t.Errorf("a refused form was written: audit entries went from %d to %d", before, after)
				}
			})
		}
		t.Run("nothing of the refused forms was stored", func(t *testing.T) {
			got, err := models.FindTender(ctx, db, draft.ID)
			if err != nil || got.Title != "Kept as it was" || len(got.Requirements) != 0 {
				t.Errorf("the draft changed: %+v, %v", got, err)
			}
			if _, err := models.FindUserByEmail(ctx, db, "not-an-address"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("the refused account exists: %v", err)
			}
		})
	})
}

func TestJoinInvalid(t *testing.T) {
	t.Parallel()
	title := &models.ValidationError{Field: "title", Code: "required"}
	titleAgain := &models.ValidationError{Field: "title", Code: "too_long"}
	ref := &models.ValidationError{Field: "reference", Code: "too_long"}
	broken := errors.New("database is locked")
	cases := []struct {
		name   string
		errs   []error
		fields []string
		other  error
	}{
		{"no problem is no error", []error{nil, nil}, nil, nil},
		{"problems are kept in order, one per field, the first of a field winning", []error{title, nil, models.ValidationErrors{ref, titleAgain}}, []string{"title", "reference"}, nil},
		{"a wrapped problem counts", []error{ref, fmt.Errorf("models: create tender: %w", title)}, []string{"reference", "title"}, nil},
		{"an error that is not about the input is returned as it is", []error{title, broken, ref}, nil, broken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := models.JoinInvalid(c.errs...)
			if c.other != nil {
				if err != c.other {
					t.Errorf("got %v, want %v", err, c.other)
				}
				return
			}
			if c.fields == nil && err != nil {
				t.Errorf("got %v, want nil", err)
			}
			if got := refusedFields(err); !reflect.DeepEqual(got, c.fields) {
				t.Errorf("fields %v, want %v", got, c.fields)
			}
		})
	}
	t.Run("the first kept problem is the one its field met first", func(t *testing.T) {
		var list models.ValidationErrors
		if !errors.As(models.JoinInvalid(title, titleAgain), &list) || len(list) != 1 || list[0].Code != "required" {
			t.Errorf("got %v", list)
		}
	})
}
