-- Who may read which rows of the bi views (SPEC §6), written by `pipeline access grant|revoke`
-- and read by the bi views themselves (bi_all.my_grants), so that the narrowing holds for every
-- BI tool. One row per grant; a role's grants add up. NULL project: every project (the default
-- BI role); NULL network: the whole project, every view; a network (optionally one campaign per
-- row): only the rows of those ads in the ad-level views, no row of the others.
CREATE TABLE pipeline.access_grants (
    role_name   text NOT NULL CHECK (role_name <> ''),
    project     text CHECK (project <> ''),
    network     text CHECK (network <> ''),
    campaign_id text,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (network IS NULL OR project IS NOT NULL),
    CHECK (campaign_id IS NULL OR network IS NOT NULL),
    UNIQUE NULLS NOT DISTINCT (role_name, project, network, campaign_id)
);
