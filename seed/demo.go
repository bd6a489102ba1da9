package seed

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "tenderprobe-demo"

// Names of the demo organisations.
const (
	DemoBuyer     = "Demostad City Council"
	DemoSupplier  = "Acme Hosting B.V."
	DemoSupplier2 = "Nordwind Mail Services"
)

// DemoAccount describes one demo login.
type DemoAccount struct {
	Email string
	Name  string
	Role  string
	Org   string
}

// DemoAccounts lists the demo logins, all with DemoPassword.
var DemoAccounts = []DemoAccount{
	{"admin@demo.test", "Ada Admin", models.RoleAdmin, ""},
	{"officer@demo.test", "Olivia Officer", models.RoleOfficer, DemoBuyer},
	{"auditor@demo.test", "Aart Auditor", models.RoleAuditor, ""},
	{"vendor@demo.test", "Victor Vendor", models.RoleVendor, DemoSupplier},
	{"vendor2@demo.test", "Vera Vendor", models.RoleVendor, DemoSupplier2},
}

// demoTender is a tender the demo creates, with the profile it applies and
// any extra requirements.
type demoTender struct {
	Reference   string
	Title       string
	Description string
	ValueCents  int64
	Days        int
	Tags        []string
	Profile     string
	Extra       []models.ProfileItem
	Publish     bool
}

var demoTenders = []demoTender{
	{
		Reference: "DSC-2026-014", Title: "Hosting of www.demostad.example",
		Description: "Managed hosting, content management and 24/7 operation of the council's public " +
			"website and its forms for residents, for four years with an option of two more.",
		ValueCents: 18_500_000, Days: 30, Tags: []string{"website", "hosting"},
		Profile: "website-hosting", Publish: true,
	},
	{
		Reference: "DSC-2026-021", Title: "Hosted e-mail for council staff",
		Description: "Mailboxes, calendars and a mail relay for 900 staff on the council's domains, " +
			"including migration from the current on-premises mail servers.",
		ValueCents: 42_000_000, Days: 45, Tags: []string{"e-mail", "saas"},
		Profile: "email-service", Publish: true,
	},
	{
		Reference: "DSC-2026-030", Title: "Resident portal (software as a service)",
		Description: "A portal where residents apply for permits and follow their cases, with login " +
			"through the national identity scheme.",
		ValueCents: 9_900_000, Days: 60, Tags: []string{"portal", "saas"},
		Extra: []models.ProfileItem{
			{Standard: "https", Level: models.LevelMandatory},
			{Standard: "tls", Level: models.LevelMandatory},
			{Standard: "iso-27001", Level: models.LevelMandatory},
			{Standard: "webauthn", Level: models.LevelRecommended},
		},
	},
}

// Demo adds the demo organisations, accounts (DemoAccounts, password
// DemoPassword) and tenders, and the catalogue they need. Anything that
// already exists is left as it is, so Demo can run on every start.
func Demo(ctx context.Context, db *gorm.DB) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := LoadCatalogue(ctx, tx); err != nil {
			return err
		}
		orgs := map[string]*models.Org{}
		for _, o := range []struct{ name, kind string }{
			{DemoBuyer, models.OrgBuyer}, {DemoSupplier, models.OrgSupplier}, {DemoSupplier2, models.OrgSupplier},
		} {
			org, err := findOrCreateOrg(ctx, tx, o.name, o.kind)
			if err != nil {
				return err
			}
			orgs[o.name] = org
		}
		var officer *models.User
		for _, a := range DemoAccounts {
			var orgID *uint
			if a.Org != "" {
				orgID = &orgs[a.Org].ID
			}
			u, err := findOrCreateUser(ctx, tx, a.Email, a.Name, DemoPassword, a.Role, orgID)
			if err != nil {
				return err
			}
			if a.Role == models.RoleOfficer {
				officer = u
			}
		}
		for _, dt := range demoTenders {
			if err := createDemoTender(ctx, tx, officer, dt); err != nil {
				return err
			}
		}
		if err := demoYear(ctx, tx); err != nil {
			return err
		}
		if err := demoAttestations(ctx, tx, officer); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed: demo data: %w", err)
	}
	return nil
}

func findOrCreateOrg(ctx context.Context, db *gorm.DB, name, kind string) (*models.Org, error) {
	org, err := models.FindOrgByName(ctx, db, name)
	if errors.Is(err, models.ErrNotFound) {
		return models.CreateOrg(ctx, db, nil, name, kind, time.Now())
	}
	return org, err
}

func findOrCreateUser(ctx context.Context, db *gorm.DB, email, name, password, role string, orgID *uint) (*models.User, error) {
	u, err := models.FindUserByEmail(ctx, db, email)
	if errors.Is(err, models.ErrNotFound) {
		return models.CreateUser(ctx, db, nil, email, name, password, role, orgID, time.Now())
	}
	return u, err
}

func createDemoTender(ctx context.Context, db *gorm.DB, officer *models.User, dt demoTender) error {
	_, err := models.FindTenderByReference(ctx, db, *officer.OrgID, dt.Reference)
	if err == nil {
		return nil
	}
	if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	// A day, as an officer types it: 23:59 there in the buyer's zone
	// (the demo buyer's is Europe/Amsterdam, the default).
	deadline := time.Now().AddDate(0, 0, dt.Days).Format("2006-01-02")
	t, err := models.CreateTender(ctx, db, officer, models.TenderInput{
		Title: dt.Title, Reference: dt.Reference, Description: dt.Description,
		EstimatedValueCents: dt.ValueCents, Currency: "EUR", DeadlineDate: deadline, ScopeTags: dt.Tags,
	}, time.Now())
	if err != nil {
		return err
	}
	items := dt.Extra
	name := "demo"
	if dt.Profile != "" {
		p, err := FindProfile(dt.Profile)
		if err != nil {
			return err
		}
		items, name = p.Items, p.Slug
	}
	if _, err := models.ApplyProfile(ctx, db, officer, t.ID, models.Profile{Slug: name, Items: items}, time.Now()); err != nil {
		return err
	}
	if dt.Publish {
		if _, err := models.PublishTender(ctx, db, officer, t.ID, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// FirstAdminEmail is the account EnsureAdmin creates in an empty database.
const FirstAdminEmail = "admin@localhost"

// EnsureAdmin creates the account FirstAdminEmail with a random one-time
// password when the database has no users at all, and returns the
// password so the caller can print it once. With users present it does
// nothing and returns "".
func EnsureAdmin(ctx context.Context, db *gorm.DB) (email, password string, err error) {
	n, err := models.CountUsers(ctx, db)
	if err != nil {
		return "", "", fmt.Errorf("seed: ensure admin: %w", err)
	}
	if n > 0 {
		return "", "", nil
	}
	password, err = randomPassword()
	if err != nil {
		return "", "", err
	}
	if _, err := models.CreateUser(ctx, db, nil, FirstAdminEmail, "Administrator", password, models.RoleAdmin, nil, time.Now()); err != nil {
		return "", "", fmt.Errorf("seed: ensure admin: %w", err)
	}
	return FirstAdminEmail, password, nil
}

// randomPassword returns 120 random bits as 24 lowercase base32 characters.
func randomPassword() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("seed: random password: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b)), nil
}
