// Package attest holds the parts of vendor attestations that live outside
// the database and the web framework: evidence file storage, the mailer
// that sends invitation links and reminders, and the parsing of the scope
// a vendor types. The rules of stored attestation data (scope names,
// receipts) are in models and app/receipt.
package attest
