-- Least privilege (README "Trust boundaries"): the role that owns the schema applies these
-- scripts; silos and API instances connect as a runtime role that only reads and writes rows.
-- The migrator calls surveillance_grant_runtime(<runtime role>) after every run, as the owner,
-- so the grants always match the configured runtime role and every table that exists then
-- (a table a later script adds gets row access without touching this file; a table that needs
-- narrower rights is narrowed below, by a script that replaces this function).
--
-- What the runtime role can NOT do, because only the owner can: ALTER, DROP or DISABLE TRIGGER on
-- any table, replace a function. What it is not granted: UPDATE, DELETE or TRUNCATE on
-- audit_log (and the append-only trigger refuses them even to the owner), any write to
-- surveillance_schema_migrations, TRUNCATE anywhere. Since PostgreSQL 15 it cannot create
-- objects in the schema public either (only the database owner can).
CREATE FUNCTION surveillance_grant_runtime(runtime_role name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF runtime_role = current_user THEN
        RAISE EXCEPTION 'the runtime role must not be the schema owner (%)', runtime_role;
    END IF;

    -- Start from nothing, so that a privilege granted by hand, or by an earlier version of this
    -- function, does not linger.
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', runtime_role);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', runtime_role);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', runtime_role);

    -- Data tables (Orleans' membership, grain state and reminders; processing results; any table
    -- a later script adds): rows may be read, written and deleted.
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', runtime_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', runtime_role);

    -- The tables whose integrity the service depends on, narrowed again:
    -- the audit log: append and read only. Retention never deletes audit rows (it crypto-shreds
    -- videos and appends a video_deleted entry), so the runtime needs no DELETE.
    EXECUTE format('REVOKE UPDATE, DELETE ON audit_log FROM %I', runtime_role);
    -- the SQL the Orleans providers execute: read only, or the runtime could rewrite it;
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON orleansquery FROM %I', runtime_role);
    -- the list of applied scripts: a silo reads it on start-up to see whether any is pending.
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON surveillance_schema_migrations FROM %I', runtime_role);
END;
$$;

-- Only the owner (who runs the migrator) calls it; it grants nothing to a caller without the
-- owner's rights anyway, since GRANT needs them.
REVOKE ALL ON FUNCTION surveillance_grant_runtime(name) FROM PUBLIC;

-- PostgreSQL 14 and older let every role create tables in public; 15+ already does not. (A
-- no-op with a warning where the owner of this database does not own the schema.)
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
