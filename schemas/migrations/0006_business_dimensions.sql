-- Business dimensions (SPEC §2 v2, §3 deal attribution, §4.9–4.11): what the views of products,
-- tags, deal attribution and names need that the aggregates of 0003 do not keep.
--
-- Like the other state tables these are maintained by the worker, exactly once per event; the
-- views join them with orders and payments at query time, so a late registration or a later order
-- event moves every figure without any moving. Deployments upgraded from an earlier release hold
-- no registration history here: run `pipeline rebuild` once after `pipeline migrate` to fill it.

-- The order's current state (its latest event) gains the new fields: the offer, the tags as given
-- (a JSON array of strings, NULL when the event has none), and the attribution of the deal's own
-- UTM tags when they name a source, campaign or content (NULL otherwise: the entry decides).
ALTER TABLE pipeline.orders
    ADD COLUMN offer            text,
    ADD COLUMN tags             jsonb,
    ADD COLUMN deal_network     text,
    ADD COLUMN deal_campaign_id text,
    ADD COLUMN deal_ad_id       text;

-- Every registration, with its own attribution and funnel: the deal attribution's entry is the
-- user's latest registration at or before the order's creation, so all of them are needed.
CREATE TABLE pipeline.registrations (
    project       text NOT NULL,
    user_id       text NOT NULL,
    registered_at timestamptz NOT NULL,
    event_id      text COLLATE "C" NOT NULL,
    day           date NOT NULL,
    network       text NOT NULL,
    campaign_id   text NOT NULL,
    ad_id         text NOT NULL,
    funnel        text NOT NULL,
    PRIMARY KEY (project, user_id, registered_at, event_id)
);

-- The names of each ad seen in ad_stats: per field the latest non-empty value (by occurred_at,
-- ties the larger id) and the event it came from, so a later event decides whatever the order
-- the events arrive in.
CREATE TABLE pipeline.ad_names (
    project            text NOT NULL,
    network            text NOT NULL,
    campaign_id        text NOT NULL,
    ad_id              text NOT NULL,
    campaign_name      text,
    campaign_name_at   timestamptz,
    campaign_name_id   text COLLATE "C",
    ad_group_id        text,
    ad_group_id_at     timestamptz,
    ad_group_id_id     text COLLATE "C",
    ad_group_name      text,
    ad_group_name_at   timestamptz,
    ad_group_name_id   text COLLATE "C",
    ad_name            text,
    ad_name_at         timestamptz,
    ad_name_id         text COLLATE "C",
    PRIMARY KEY (project, network, campaign_id, ad_id)
);

-- Every manager named by an order event, and the latest non-empty name given for them.
CREATE TABLE pipeline.manager_names (
    project    text NOT NULL,
    manager_id text NOT NULL,
    name       text,
    name_at    timestamptz,
    name_id    text COLLATE "C",
    PRIMARY KEY (project, manager_id)
);
