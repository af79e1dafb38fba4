-- WorkOS sync: what has been applied from WorkOS, so that webhooks, the
-- Events API catch-up and the import/reconcile can all run, in any order and
-- any number of times, with one effect. Instants are Unix seconds unless a
-- column says otherwise.

-- Every WorkOS event whose effect is in the database, by WorkOS event id
-- (`event_…`, the same id in a webhook and in the Events API). An event found
-- here is acknowledged again and changes nothing.
CREATE TABLE workos_events (
    id            TEXT PRIMARY KEY NOT NULL,
    event         TEXT NOT NULL,          -- e.g. organization_membership.updated
    object_id     TEXT NOT NULL,          -- the WorkOS id in `data` (org_…, user_…, om_…)
    outcome       TEXT NOT NULL,          -- applied | unchanged | stale | already_deleted
    processed_at  INTEGER NOT NULL
);

-- Per WorkOS object: the WorkOS `updated_at` last applied, so an older
-- version (a late webhook, a replayed event) never overwrites a newer one, and
-- whether WorkOS deleted it. WorkOS never reuses ids, so a deletion is final:
-- nothing about that id is applied after it.
CREATE TABLE workos_objects (
    workos_id          TEXT PRIMARY KEY NOT NULL,  -- org_… | user_… | om_…
    object             TEXT NOT NULL,              -- organization | user | organization_membership
    workos_updated_at  INTEGER NOT NULL,           -- Unix milliseconds, as WorkOS stamped it
    deleted_at         INTEGER,                    -- when the deletion was applied
    synced_at          INTEGER NOT NULL
);

-- The WorkOS organization membership (`om_…`) a membership mirrors; NULL for
-- memberships made by identify and not (yet) seen from WorkOS. A membership
-- synced from WorkOS has `created_at` set to the WorkOS `created_at` (when
-- the user joined).
ALTER TABLE memberships ADD COLUMN workos_membership_id TEXT;
CREATE UNIQUE INDEX memberships_by_workos_id ON memberships (workos_membership_id);

-- Small named values of the sync: `events_cursor` (the last Events API event
-- id handled) and `reconciled_at` (when the last full reconcile finished).
CREATE TABLE workos_sync_state (
    name        TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
