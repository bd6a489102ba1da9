// Package attest holds the parts of vendor attestations that live outside
// the database and the web framework: evidence file storage and the
// parsing of the scope a vendor types. The rules of stored attestation
// data (scope names, receipts) are in models and app/receipt; the mail
// that invites vendors and reminds them is in app/mail.
package attest
