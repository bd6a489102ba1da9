-- Rows in every table of the schema of commit c0512ec, for the migration
-- tests: makefixture.go inserts them into the SQLite fixtures, and the
-- PostgreSQL test into a schema built by the baseline migration. Plain SQL
-- that both databases take; times in the form GORM writes to SQLite.
-- Every user's password is "fixture password of 2025" (bcrypt of the
-- password itself, as c0512ec hashed it), except vendor 4, invited and
-- never activated, whose placeholder nobody knows. Sessions, API tokens and
-- invitations store the SHA-256 of the tokens "fixture-session-token",
-- "fixture-api-token" and "fixture-invitation-token".
INSERT INTO orgs (id, name, kind, created_at, updated_at) VALUES
  (1, 'Gemeente Voorbeeld', 'buyer', '2025-03-01 09:00:00+00:00', '2025-03-01 09:00:00+00:00'),
  (2, 'Leverancier BV', 'supplier', '2025-03-02 10:00:00+00:00', '2025-03-02 10:00:00+00:00');
INSERT INTO users (id, email, name, password_hash, role, org_id, disabled, created_at, updated_at) VALUES
  (1, 'admin@example.test', 'Ada Admin', '$2a$04$Jrr7Kn9CPIfVj/AId0UvoeZLR8InkQghEpeJhAlj3XbFYwYLQWEu2', 'admin', NULL, false, '2025-03-01 09:00:00+00:00', '2025-03-01 09:00:00+00:00'),
  (2, 'officer@gemeente.example', 'Olga Officer', '$2a$04$Jrr7Kn9CPIfVj/AId0UvoeZLR8InkQghEpeJhAlj3XbFYwYLQWEu2', 'officer', 1, false, '2025-03-01 09:05:00+00:00', '2025-03-01 09:05:00+00:00'),
  (3, 'vendor@leverancier.example', 'Vera Vendor', '$2a$04$Jrr7Kn9CPIfVj/AId0UvoeZLR8InkQghEpeJhAlj3XbFYwYLQWEu2', 'vendor', 2, false, '2025-03-02 10:00:00+00:00', '2025-03-03 08:00:00+00:00'),
  (4, 'pending@leverancier.example', 'pending', '$2a$04$poOJFAu.JY/Rv4PoYsao7euqNeotrDBDAnE3i9pVq6BgwH6vE.0IG', 'vendor', 2, false, '2025-03-04 10:00:00+00:00', '2025-03-04 10:00:00+00:00'),
  (5, 'auditor@example.test', 'Arne Auditor', '$2a$04$Jrr7Kn9CPIfVj/AId0UvoeZLR8InkQghEpeJhAlj3XbFYwYLQWEu2', 'auditor', NULL, true, '2025-03-01 09:10:00+00:00', '2025-03-05 09:10:00+00:00');
INSERT INTO catalogue_versions (id, version, title, imported_at, is_current) VALUES
  (1, '2025.1', 'Standards catalogue 2025.1', '2025-03-01 09:00:00+00:00', true);
INSERT INTO standards (id, catalogue_version_id, slug, position, name, domain, summary, why_demand, clause, "references", checks) VALUES
  (1, 1, 'dnssec', 1, 'DNSSEC', 'dns', 'Signed DNS zones.', 'Forged answers send citizens elsewhere.', 'The supplier signs its zones with DNSSEC.', '[{"title":"RFC 4033","url":"https://www.rfc-editor.org/rfc/rfc4033"}]', '["dnssec"]'),
  (2, 1, 'https', 2, 'HTTPS', 'web', 'Web traffic over TLS.', 'Plain HTTP can be read and changed.', 'The supplier serves its sites over HTTPS only.', '[]', '["tls","hsts"]');
INSERT INTO tenders (id, buyer_org_id, title, reference, description, estimated_value_cents, currency, deadline, scope_tags, status, catalogue_version_id, revision, series_id, supersedes_id, superseded_at, published_at, created_by_id, created_at, updated_at) VALUES
  (1, 1, 'Hosting of the municipal website', 'GV-2025-01', 'Hosting, e-mail and DNS.', 12000000, 'EUR', '2099-06-30 17:00:00+00:00', '["web","mail"]', 'published', 1, 1, 1, NULL, NULL, '2025-03-02 09:00:00+00:00', 2, '2025-03-01 10:00:00+00:00', '2025-03-02 09:00:00+00:00');
INSERT INTO requirements (id, tender_id, standard_id, position, level, custom_clause, note, created_at, updated_at) VALUES
  (1, 1, 1, 1, 'mandatory', '', 'All zones, including the mail domain.', '2025-03-01 10:05:00+00:00', '2025-03-01 10:05:00+00:00'),
  (2, 1, 2, 2, 'recommended', 'HTTPS with HSTS of at least a year.', '', '2025-03-01 10:06:00+00:00', '2025-03-01 10:06:00+00:00');
INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES
  ('5928f3dca5ff74231149a06da42fcfbeccae61bb24330377b3b19d4e5f19b792', 2, 'csrf-of-the-fixture-session', '2025-03-05 08:00:00+00:00', '2099-01-01 00:00:00+00:00');
INSERT INTO api_tokens (id, user_id, hash, created_at, expires_at) VALUES
  (1, 2, 'd4c50e697efa6c100111e47f12f5e769ee62da66cde8498a8c184b69302a2dbd', '2025-03-05 08:30:00+00:00', '2099-01-01 00:00:00+00:00');
INSERT INTO login_attempts (subject, failures, window_start) VALUES
  ('acct:vendor@leverancier.example', 2, '2025-03-05 07:55:00+00:00'),
  ('ip:192.0.2.10', 4, '2025-03-05 07:50:00+00:00');
INSERT INTO attestations (id, tender_id, supplier_org_id, status, version, lock_version, scope_lock, submitted_at, reminded_at, created_at, updated_at) VALUES
  (1, 1, 2, 'submitted', 1, 3, 2, '2025-03-03 12:00:00+00:00', NULL, '2025-03-02 10:00:00+00:00', '2025-03-03 12:00:00+00:00');
INSERT INTO answers (id, attestation_id, version, requirement_id, status, explanation, planned_date, review_status, lock_version, updated_by_id, created_at, updated_at) VALUES
  (1, 1, 1, 1, 'complies', 'All our zones are signed (ECDSAP256SHA256).', '', 'accepted', 2, 3, '2025-03-02 10:00:00+00:00', '2025-03-03 11:00:00+00:00'),
  (2, 1, 1, 2, 'partial', 'HSTS arrives with the new load balancer.', '2025-09-01', 'pending', 2, 3, '2025-03-02 10:00:00+00:00', '2025-03-03 11:30:00+00:00');
INSERT INTO evidence (id, answer_id, kind, url, file_name, content_type, size, sha256, storage_path, uploaded_by_id, created_at) VALUES
  (1, 1, 'url', 'https://dnsviz.net/d/leverancier.example/dnssec/', '', '', 0, '', '', 3, '2025-03-03 11:05:00+00:00'),
  (2, 2, 'file', '', 'hsts-plan.pdf', 'application/pdf', 1234, '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4', '8f/43/8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4', 3, '2025-03-03 11:35:00+00:00');
INSERT INTO scope_domains (id, attestation_id, version, kind, name, position) VALUES
  (1, 1, 1, 'web', 'www.leverancier.example', 0),
  (2, 1, 1, 'mail', 'leverancier.example', 1);
INSERT INTO submissions (id, attestation_id, version, declarer, submitted_by_id, submitted_at, receipt, canonical, amended_requirement_id) VALUES
  (1, 1, 1, 'Vera Vendor, director', 3, '2025-03-03 12:00:00+00:00', '0c8b4e1f0b6c1a0f3f7d9e2a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c', '{"attestation":1,"version":1}', NULL);
INSERT INTO invitations (id, tender_id, attestation_id, user_id, email, token_hash, sets_password, expires_at, used_at, revoked_at, created_by_id, created_at) VALUES
  (1, 1, 1, 3, 'vendor@leverancier.example', '96b82eaa16744c133741415d3e91ebc4e1ca883c346aa1929c609c56626e2dd7', true, '2099-03-16 10:00:00+00:00', '2025-03-02 10:30:00+00:00', NULL, 2, '2025-03-02 10:00:00+00:00'),
  (2, 1, 1, 4, 'pending@leverancier.example', '0000000000000000000000000000000000000000000000000000000000000002', true, '2025-03-18 10:00:00+00:00', NULL, NULL, 2, '2025-03-04 10:00:00+00:00');
INSERT INTO review_comments (id, attestation_id, requirement_id, version, kind, body, author_id, created_at) VALUES
  (1, 1, 1, 1, 'accept', '', 2, '2025-03-04 09:00:00+00:00'),
  (2, 1, 2, 1, 'clarification', 'When exactly does HSTS arrive?', 2, '2025-03-04 09:05:00+00:00');
INSERT INTO audit_entries (id, at, actor_id, actor_email, actor_role, action, object_type, object_id, attestation_id, tender_id, "before", "after") VALUES
  (1, '2025-03-02 09:00:00+00:00', 2, 'officer@gemeente.example', 'officer', 'tender.publish', 'tender', 1, NULL, 1, '{"status":"draft"}', '{"status":"published"}'),
  (2, '2025-03-02 10:00:00+00:00', 2, 'officer@gemeente.example', 'officer', 'invitation.create', 'invitation', 1, 1, 1, '', '{"email":"vendor@leverancier.example","new_account":true}'),
  (3, '2025-03-03 12:00:00+00:00', 3, 'vendor@leverancier.example', 'vendor', 'attestation.submit', 'attestation', 1, 1, 1, '{"status":"draft"}', '{"status":"submitted","version":1}'),
  (4, '2025-03-05 09:10:00+00:00', NULL, '', '', 'user.disable', 'user', 5, NULL, NULL, '{"disabled":false}', '{"disabled":true}');
INSERT INTO probe_runs (id, attestation_id, version, queued, queued_for, status, reason, requested_by_id, done, total, lease_owner, lease_until, attempts, error, created_at, started_at, finished_at) VALUES
  (1, 1, 1, NULL, NULL, 'done', 'submitted', NULL, 2, 2, '', NULL, 1, '', '2025-03-03 12:00:00+00:00', '2025-03-03 12:00:05+00:00', '2025-03-03 12:01:00+00:00'),
  (2, 1, 1, NULL, NULL, 'done', 'manual', 2, 2, 2, '', NULL, 1, '', '2025-03-04 12:00:00+00:00', '2025-03-04 12:00:05+00:00', '2025-03-04 12:01:00+00:00'),
  (3, 1, 1, true, 1, 'queued', 'scheduled', NULL, 0, 0, '', NULL, 0, '', '2025-03-05 12:00:00+00:00', NULL, NULL);
INSERT INTO probe_results (id, run_id, domain, duration_ms, error, checks, created_at) VALUES
  (1, 1, 'leverancier.example', 812, '', '[{"id":"dnssec","status":"pass","summary":"signed","standard":"dnssec","details":{"algorithm":13}}]', '2025-03-03 12:00:30+00:00'),
  (2, 2, 'leverancier.example', 790, '', '[{"id":"dnssec","status":"fail","summary":"bogus","standard":"dnssec","details":{}}]', '2025-03-04 12:00:30+00:00');
INSERT INTO verifications (id, run_id, attestation_id, answer_id, requirement_id, status, checks, checked_at) VALUES
  (1, 1, 1, 1, 1, 'consistent', '[{"id":"dnssec","domain":"leverancier.example","status":"pass"}]', '2025-03-03 12:01:00+00:00'),
  (2, 2, 1, 1, 1, 'contradicted', '[{"id":"dnssec","domain":"leverancier.example","status":"fail","summary":"bogus"}]', '2025-03-04 12:01:00+00:00');
INSERT INTO verdict_changes (id, attestation_id, tender_id, run_id, previous_run_id, requirement_id, standard, from_status, to_status, reason, at) VALUES
  (1, 1, 1, 2, 1, 1, 'DNSSEC', 'consistent', 'contradicted', 'manual', '2025-03-04 12:01:00+00:00');
