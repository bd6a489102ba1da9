package handlers

import "github.com/gofiber/fiber/v2"

// flashMessages are the confirmations a redirect may ask for with ?flash=;
// only these fixed texts can appear, so the query cannot inject content.
var flashMessages = map[string]string{
	"created": "Tender created. Add requirements from the catalogue or apply a profile.",
	"saved":   "Tender details saved.",
	"added":   "Requirement added.",
	// audit and sheet editor (i10-officer)
	"added_several":     "Requirements added.",
	"requirement_saved": "Requirement saved.",
	"org_renamed":       "Organisation renamed.",
	"profile":           "Profile applied: its standards not yet on the sheet were added.",
	"removed":           "Requirement removed.",
	"moved":             "Requirement moved.",
	"published":         "Tender published. Its requirement sheet is now frozen.",
	"amended":           "Amendment started: this is a new draft revision; the published one stays as it was.",
	"imported":          "Catalogue version imported and made current.",
	"org":               "Organisation created.",
	"user":              "User created.",
	"disabled":          "User disabled and logged out everywhere.",
	"enabled":           "User enabled.",
	"password":          "Password reset. The user's sessions were ended.",
	"revoked":           "Invitation revoked: its link no longer works.",
}

// flashFrom looks up the confirmation named in the query, if any.
func flashFrom(c *fiber.Ctx) string {
	return flashMessages[c.Query("flash")]
}

// attestFlashes are the confirmations of the attestation pages, looked up
// like flashMessages so a query can only pick a fixed text.
var attestFlashes = map[string]string{
	"welcome":   "Your password is set. Answer each requirement below; every answer is saved as a draft as you go.",
	"saved":     "Answer saved as a draft.",
	"answers":   "Answers saved as a draft.",
	"scope":     "Scope saved.",
	"uploaded":  "Evidence uploaded.",
	"removed":   "Evidence removed.",
	"submitted": "Attestation submitted. Your receipt is below; keep it.",
	"reopened":  "Attestation reopened as a new version. The submitted version and its receipt stay readable.",
	"reviewed":  "Review saved.",
	"replied":   "Reply sent.",
	"amended":   "Answer amended: a new version was submitted with a new receipt.",
	"revoked":   "Invitation revoked: its link no longer works.",
}

func attestFlash(c *fiber.Ctx) string {
	if msg, ok := attestFlashes[c.Query("flash")]; ok {
		return msg
	}
	return flashFrom(c)
}
