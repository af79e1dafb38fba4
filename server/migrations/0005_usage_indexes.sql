-- Usage is read two ways, each now from its own covering index:
-- every feature's sums for the current period (the whole portal, an
-- invoice), and a few features' sums (a page's meters right after it
-- recorded usage). The period index gains `quantity` so that sums never
-- touch the table; the feature index serves the second read, which
-- otherwise walked every event of the period to find one feature's.
DROP INDEX usage_events_by_period;
CREATE INDEX usage_events_by_period ON usage_events (company_id, occurred_at, feature_id, quantity);
CREATE INDEX usage_events_by_feature ON usage_events (company_id, feature_id, occurred_at, quantity);
