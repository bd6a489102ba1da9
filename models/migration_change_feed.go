package models

import "gorm.io/gorm"

// changeFeedChannel is the PostgreSQL channel the change-stamp triggers
// notify on commit, for ChangeFeed.
const changeFeedChannel = "tp_change"

// changeStampFunction0024 is PostgreSQL's change-stamp trigger function
// since migration 0024: it stamps the table, as before, and notifies
// changeFeedChannel when the write can change a cached page or a session
// (every table a page stamp covers; sessions when one ends). PostgreSQL
// sends one notification per channel and payload per transaction, after
// its commit, so a transaction of many statements wakes each listener
// once, and a rolled-back one not at all.
const changeStampFunction0024 = `CREATE OR REPLACE FUNCTION ` + changeStampTrigger + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO change_stamps (table_name, tx, n) VALUES (TG_TABLE_NAME, txid_current(), 1) ON CONFLICT (table_name, tx) DO NOTHING;
	IF TG_TABLE_NAME NOT IN ('sessions', 'api_tokens', 'login_attempts', 'pending_logins', 'stored_pdfs', 'change_stamps')
		OR (TG_TABLE_NAME = 'sessions' AND TG_OP IN ('DELETE', 'TRUNCATE')) THEN
		PERFORM pg_notify('` + changeFeedChannel + `', '');
	END IF;
	RETURN NULL;
END $$`

// sessionChangeTrigger0024 notifies changeFeedChannel when a session row
// changes in anything but its time of last use, which every page writes
// once a minute and no cached session depends on. Written with to_jsonb
// so that a column added later is covered without another migration.
var sessionChangeTrigger0024 = []string{
	`CREATE OR REPLACE FUNCTION tp_session_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('` + changeFeedChannel + `', '');
	RETURN NULL;
END $$`,
	`DROP TRIGGER IF EXISTS tp_session_change ON sessions`,
	`CREATE TRIGGER tp_session_change AFTER UPDATE ON sessions FOR EACH ROW
	WHEN ((to_jsonb(OLD) - 'last_seen_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_seen_at'))
	EXECUTE FUNCTION tp_session_change()`,
}

// addChangeFeed is migration 0024: on PostgreSQL, the change-stamp
// triggers also notify each serve process of a commit (ChangeFeed), so a
// cached page can be served without asking the database. SQLite has no
// notifications and nothing to change.
func addChangeFeed(tx *gorm.DB) error {
	if tx.Name() == "sqlite" {
		return nil
	}
	for _, s := range append([]string{changeStampFunction0024}, sessionChangeTrigger0024...) {
		if err := tx.Exec(s).Error; err != nil {
			return wrap(err, "change feed")
		}
	}
	return nil
}
