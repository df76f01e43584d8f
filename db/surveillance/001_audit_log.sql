-- The audit log (API.md "Audit"): append-only and hash-chained.
-- Each row's hash = HMAC-SHA256(Audit:HmacKey, prev_hash || canonical content incl. id), computed
-- by the API (api/Audit/AuditChain.cs), so a database superuser who edits rows cannot produce a
-- matching hash without the key. Writers serialise on an advisory lock and take ids with nextval
-- inside it, so rows in id order form one chain however many API instances append.

CREATE TABLE audit_log (
    id           bigserial   PRIMARY KEY,
    timestamp    timestamptz NOT NULL,
    request_id   text        NOT NULL,
    username     text        NOT NULL,
    client_ip    text        NOT NULL,
    method       text        NOT NULL,
    path         text        NOT NULL,
    status_code  integer     NOT NULL,
    user_agent   text        NOT NULL,
    is_sensitive boolean     NOT NULL,
    event        text        NOT NULL,
    error        text        NULL,
    details      jsonb       NULL,
    prev_hash    bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash         bytea       NOT NULL CHECK (octet_length(hash) = 32)
);

CREATE INDEX ix_audit_log_timestamp ON audit_log (timestamp);
CREATE INDEX ix_audit_log_username ON audit_log (username, id);
CREATE INDEX ix_audit_log_client_ip ON audit_log (client_ip, id);

-- Append-only: the API's role may INSERT and SELECT, nothing else. A trigger rather than
-- privileges, because the API may connect as the table's owner; statement-level so that an
-- UPDATE or DELETE matching no row is refused too.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
