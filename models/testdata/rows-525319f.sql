-- What commit 525319f added to the schema of c0512ec, with rows: a
-- colleague invitation of a pending vendor and the last use of the API
-- token. Inserted after rows-c0512ec.sql; the token's link is
-- "fixture-colleague-token".
INSERT INTO users (id, email, name, password_hash, role, org_id, disabled, created_at, updated_at) VALUES
  (6, 'colleague@leverancier.example', 'Cas Colleague', 'pending', 'vendor', 2, false, '2025-03-06 10:00:00+00:00', '2025-03-06 10:00:00+00:00');
INSERT INTO colleague_invitations (id, org_id, user_id, email, token_hash, expires_at, used_at, revoked_at, created_by_id, created_at) VALUES
  (1, 2, 6, 'colleague@leverancier.example', '41d239c968003f22f501d7560dedfc49a7ecea5797aecea6bbbab5474f367c43', '2099-03-20 10:00:00+00:00', NULL, NULL, 3, '2025-03-06 10:00:00+00:00');
UPDATE api_tokens SET last_used_at = '2025-03-06 11:00:00+00:00' WHERE id = 1;
