-- Every aggregate of SPEC §4. The worker maintains the tables of schema `pipeline` from the
-- events, incrementally; the views of schema `bi` read only these maintained tables.
--
-- Design: figures that follow a user's attribution are first kept per user and day
-- (`user_daily`, a ledger independent of attribution). `funnel_daily` is the ledger summed by
-- attribution, maintained with deltas; when a user's first registration changes, the worker
-- moves that user's ledger rows from the old attribution to the new one. Cohorts, community and
-- sales views join the ledgers to the current user and order state at query time, so they follow
-- late data without any moving.

DROP VIEW IF EXISTS bi.registrations_daily;
DROP TABLE pipeline.registrations_daily;

-- Currency rates: `rate` base-currency units for one unit of `currency`, from `day` on.
CREATE TABLE pipeline.fx_rates (
    base_currency text    NOT NULL DEFAULT 'RUB',
    currency      text    NOT NULL,
    day           date    NOT NULL,
    rate          numeric NOT NULL CHECK (rate > 0),
    PRIMARY KEY (base_currency, currency, day)
);

-- Every user of a project: any user_id of a registration, order, payment, mail or chat event.
CREATE TABLE pipeline.users (
    project       text NOT NULL,
    user_id       text NOT NULL,
    first_reg_at  timestamptz,
    first_reg_id  text COLLATE "C",
    first_reg_day date,
    network       text NOT NULL DEFAULT '(unattributed)',
    campaign_id   text NOT NULL DEFAULT '',
    ad_id         text NOT NULL DEFAULT '',
    chat_active   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (project, user_id)
);

-- What each user contributed on each day, whatever their attribution.
CREATE TABLE pipeline.user_daily (
    project       text    NOT NULL,
    user_id       text    NOT NULL,
    day           date    NOT NULL,
    registrations bigint  NOT NULL DEFAULT 0,
    orders        bigint  NOT NULL DEFAULT 0,
    paid_orders   bigint  NOT NULL DEFAULT 0,
    payments      bigint  NOT NULL DEFAULT 0,
    revenue       numeric NOT NULL DEFAULT 0,
    refunds       numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (project, user_id, day)
);

-- The ledger by month, for cohorts and community conversion.
CREATE TABLE pipeline.user_monthly (
    project  text    NOT NULL,
    user_id  text    NOT NULL,
    month    date    NOT NULL,
    payments bigint  NOT NULL DEFAULT 0,
    revenue  numeric NOT NULL DEFAULT 0,
    refunds  numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (project, user_id, month)
);

CREATE TABLE pipeline.funnel_daily (
    project       text    NOT NULL,
    day           date    NOT NULL,
    network       text    NOT NULL,
    campaign_id   text    NOT NULL,
    ad_id         text    NOT NULL,
    impressions   bigint  NOT NULL DEFAULT 0,
    ad_clicks     bigint  NOT NULL DEFAULT 0,
    spend         numeric NOT NULL DEFAULT 0,
    visits        bigint  NOT NULL DEFAULT 0,
    registrations bigint  NOT NULL DEFAULT 0,
    orders        bigint  NOT NULL DEFAULT 0,
    paid_orders   bigint  NOT NULL DEFAULT 0,
    payments      bigint  NOT NULL DEFAULT 0,
    revenue       numeric NOT NULL DEFAULT 0,
    refunds       numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (project, day, network, campaign_id, ad_id)
);

CREATE TABLE pipeline.new_users_daily (
    project   text   NOT NULL,
    day       date   NOT NULL,
    new_users bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project, day)
);

-- The latest local day of any event, per project: where cohort rows end.
CREATE TABLE pipeline.project_activity (
    project  text NOT NULL PRIMARY KEY,
    last_day date NOT NULL
);

-- Orders: every status event (the became-paid day needs the history), and the current state.
CREATE TABLE pipeline.order_events (
    project     text NOT NULL,
    order_id    text NOT NULL,
    event_id    text COLLATE "C" NOT NULL,
    occurred_at timestamptz NOT NULL,
    status      text NOT NULL,
    PRIMARY KEY (project, order_id, event_id)
);

CREATE TABLE pipeline.orders (
    project        text NOT NULL,
    order_id       text NOT NULL,
    user_id        text NOT NULL,
    status         text NOT NULL,
    amount         numeric NOT NULL,
    currency       text NOT NULL,
    product        text,
    manager_id     text,
    created_at     timestamptz NOT NULL,
    created_day    date NOT NULL,
    last_event_at  timestamptz NOT NULL,
    last_event_id  text COLLATE "C" NOT NULL,
    paid_day       date,
    PRIMARY KEY (project, order_id)
);

-- Payments: the first accepted event (revenue) and the latest event (refund if refunded).
CREATE TABLE pipeline.payments (
    project           text NOT NULL,
    payment_id        text NOT NULL,
    accepted_at       timestamptz,
    accepted_id       text COLLATE "C",
    accepted_user     text,
    accepted_order    text,
    accepted_amount   numeric,
    accepted_day      date,
    latest_at         timestamptz NOT NULL,
    latest_id         text COLLATE "C" NOT NULL,
    latest_status     text NOT NULL,
    latest_user       text NOT NULL,
    latest_amount     numeric NOT NULL,
    latest_day        date NOT NULL,
    latest_order      text NOT NULL,
    PRIMARY KEY (project, payment_id)
);
CREATE INDEX payments_accepted_user ON pipeline.payments (project, accepted_user, accepted_at);

-- Ad statistics: the latest poll of each (network, account, campaign, ad, day).
CREATE TABLE pipeline.ad_stats (
    project     text NOT NULL,
    network     text NOT NULL,
    account_id  text NOT NULL,
    campaign_id text NOT NULL,
    ad_id       text NOT NULL,
    day         date NOT NULL,
    polled_at   timestamptz NOT NULL,
    event_id    text COLLATE "C" NOT NULL,
    impressions bigint NOT NULL,
    clicks      bigint NOT NULL,
    spend       numeric NOT NULL,
    PRIMARY KEY (project, network, account_id, campaign_id, ad_id, day)
);

-- Mailings.
CREATE TABLE pipeline.mail_daily (
    project      text   NOT NULL,
    channel      text   NOT NULL,
    letter_id    text   NOT NULL,
    day          date   NOT NULL,
    sent         bigint NOT NULL DEFAULT 0,
    delivered    bigint NOT NULL DEFAULT 0,
    opened       bigint NOT NULL DEFAULT 0,
    clicked      bigint NOT NULL DEFAULT 0,
    unsubscribed bigint NOT NULL DEFAULT 0,
    bounced      bigint NOT NULL DEFAULT 0,
    spam         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project, channel, letter_id, day)
);

-- Each user's first open and first click of each letter (unique opens and clicks).
CREATE TABLE pipeline.mail_recipients (
    project         text NOT NULL,
    channel         text NOT NULL,
    letter_id       text NOT NULL,
    user_id         text NOT NULL,
    first_open_at   timestamptz,
    first_open_day  date,
    first_click_at  timestamptz,
    first_click_day date,
    PRIMARY KEY (project, channel, letter_id, user_id)
);

-- Every click on a letter: a payment is credited to the user's latest click before it.
CREATE TABLE pipeline.mail_clicks (
    project    text NOT NULL,
    user_id    text NOT NULL,
    clicked_at timestamptz NOT NULL,
    event_id   text COLLATE "C" NOT NULL,
    channel    text NOT NULL,
    letter_id  text NOT NULL,
    PRIMARY KEY (project, user_id, clicked_at, event_id)
);

-- The letter each payment is credited to (absent: no click within 7 days before it).
CREATE TABLE pipeline.payment_mail_credit (
    project    text NOT NULL,
    payment_id text NOT NULL,
    channel    text NOT NULL,
    letter_id  text NOT NULL,
    PRIMARY KEY (project, payment_id)
);

-- Community chats.
CREATE TABLE pipeline.chat_daily (
    project  text   NOT NULL,
    chat_id  text   NOT NULL,
    day      date   NOT NULL,
    messages bigint NOT NULL DEFAULT 0,
    joins    bigint NOT NULL DEFAULT 0,
    leaves   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project, chat_id, day)
);

CREATE TABLE pipeline.chat_members_daily (
    project text NOT NULL,
    chat_id text NOT NULL,
    day     date NOT NULL,
    user_id text NOT NULL,
    PRIMARY KEY (project, chat_id, day, user_id)
);
