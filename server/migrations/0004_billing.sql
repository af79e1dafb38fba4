-- Checkout: add-ons, scheduled changes, invoices, payments, account credit,
-- idempotency, and a per-company lock held while a payment is in flight.

-- Bumped by every change: a preview records it, and a checkout whose
-- preview saw another revision is refused as stale.
ALTER TABLE subscriptions ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
-- JSON of a change that takes effect at the end of the period.
ALTER TABLE subscriptions ADD COLUMN scheduled_change TEXT;

CREATE TABLE subscription_addons (
    company_id  TEXT NOT NULL REFERENCES companies(id),
    addon_id    TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (company_id, addon_id)
) WITHOUT ROWID;

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY NOT NULL,
    number          INTEGER NOT NULL UNIQUE,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    status          TEXT NOT NULL,      -- paid | declined | no_charge
    reason          TEXT NOT NULL,      -- checkout | renewal
    currency        TEXT NOT NULL,
    total           INTEGER NOT NULL,   -- sum of the lines (minor units)
    credit_applied  INTEGER NOT NULL,
    amount_charged  INTEGER NOT NULL,
    lines           TEXT NOT NULL,      -- JSON array of billing lines
    created_at      INTEGER NOT NULL
);

CREATE INDEX invoices_by_company ON invoices (company_id, created_at);

CREATE TABLE payments (
    id              TEXT PRIMARY KEY NOT NULL,
    invoice_id      TEXT NOT NULL REFERENCES invoices(id),
    company_id      TEXT NOT NULL REFERENCES companies(id),
    provider        TEXT NOT NULL,
    provider_ref    TEXT,
    amount          INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,      -- succeeded | declined
    failure_code    TEXT,
    failure_message TEXT,
    created_at      INTEGER NOT NULL
);

CREATE TABLE account_credits (
    company_id  TEXT PRIMARY KEY NOT NULL REFERENCES companies(id),
    balance     INTEGER NOT NULL CHECK (balance >= 0),
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- The response to a checkout, kept per (company, Idempotency-Key): the same
-- key again replays it instead of charging twice.
CREATE TABLE idempotency_keys (
    company_id    TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   INTEGER NOT NULL,
    body          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (company_id, key)
) WITHOUT ROWID;

-- Held from before a charge until its result is written, so two changes to
-- one subscription never race.
CREATE TABLE billing_locks (
    company_id   TEXT PRIMARY KEY NOT NULL,
    holder       TEXT NOT NULL,
    acquired_at  INTEGER NOT NULL
) WITHOUT ROWID;
