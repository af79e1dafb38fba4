-- Companies and users are addressed by keys: (key_name, key_value) pairs that
-- each belong to at most one record, with at most one value per name per
-- record. Instants are Unix seconds.

-- Deleting a company or user is soft (deleted_at set): billing history
-- (subscriptions, invoices, usage) keeps pointing at it.
CREATE TABLE companies (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT,
    traits      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);

CREATE TABLE company_keys (
    company_id  TEXT NOT NULL REFERENCES companies(id),
    key_name    TEXT NOT NULL,
    key_value   TEXT NOT NULL,
    PRIMARY KEY (key_name, key_value),
    UNIQUE (company_id, key_name)
) WITHOUT ROWID;

CREATE TABLE users (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT,
    traits      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);

CREATE TABLE user_keys (
    user_id     TEXT NOT NULL REFERENCES users(id),
    key_name    TEXT NOT NULL,
    key_value   TEXT NOT NULL,
    PRIMARY KEY (key_name, key_value),
    UNIQUE (user_id, key_name)
) WITHOUT ROWID;

CREATE TABLE memberships (
    company_id  TEXT NOT NULL REFERENCES companies(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    role        TEXT,
    -- pending | active | inactive (as WorkOS organization memberships)
    status      TEXT NOT NULL DEFAULT 'active',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (company_id, user_id)
) WITHOUT ROWID;

CREATE INDEX memberships_by_user ON memberships (user_id);

-- Every identify call, as received, for audit and debugging.
CREATE TABLE events (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    company_id  TEXT REFERENCES companies(id),
    user_id     TEXT REFERENCES users(id),
    payload     TEXT NOT NULL,
    received_at INTEGER NOT NULL
);

CREATE INDEX events_by_company ON events (company_id, received_at);

-- One subscription per company; a company without one is on the catalog's
-- default plan.
CREATE TABLE subscriptions (
    company_id            TEXT PRIMARY KEY NOT NULL REFERENCES companies(id),
    plan_id               TEXT NOT NULL,
    billing_interval      TEXT NOT NULL,          -- month | year
    status                TEXT NOT NULL,          -- trialing | active | past_due | canceled
    current_period_start  INTEGER NOT NULL,
    current_period_end    INTEGER NOT NULL,
    trial_ends_at         INTEGER,
    cancel_at_period_end  INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);

-- Consumption of metered features, summed per period.
CREATE TABLE usage_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id       TEXT NOT NULL REFERENCES companies(id),
    feature_id       TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity >= 0),
    occurred_at      INTEGER NOT NULL,
    idempotency_key  TEXT,
    UNIQUE (company_id, idempotency_key)
);

CREATE INDEX usage_events_by_period ON usage_events (company_id, occurred_at, feature_id);

-- Current holdings of limit features (e.g. 12 projects).
CREATE TABLE usage_gauges (
    company_id  TEXT NOT NULL REFERENCES companies(id),
    feature_id  TEXT NOT NULL,
    value       INTEGER NOT NULL CHECK (value >= 0),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (company_id, feature_id)
) WITHOUT ROWID;
