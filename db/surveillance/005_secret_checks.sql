-- One check value per long-lived secret (hosting/SecretCheckValues.cs): HMAC-SHA256 keyed by the
-- secret itself over its name, recorded the first time a silo of the service starts with it.
-- A silo whose secret no longer matches refuses to start instead of locking every user out
-- (another password pepper) or making every video unreadable (another master key under the same
-- id), e.g. after .data/secrets.json was deleted while the database survived. The value reveals
-- nothing of the secret (the Production validators refuse guessable ones).
CREATE TABLE secret_checks (
    service_id  text        NOT NULL,
    name        text        NOT NULL,
    check_value bytea       NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, name)
);
