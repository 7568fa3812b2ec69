-- Engagement (SPEC §2 identity and learning events, §4.12–4.15): one person across several ids,
-- learning, retention and repeat purchases.
--
-- Identity resolution happens where BI reads, not where the worker writes: chat and mail facts
-- stay under the id their event carried, and the views map a linked alias to its user through
-- `aliases`. A link arriving after the alias's messages, opens and clicks therefore moves unique
-- opens, after-click credit, active members and community figures at once, in any arrival order
-- and whichever worker applies it. Deployments upgraded from an earlier release: run
-- `pipeline rebuild` once after `pipeline migrate`, so that ids named only by chat and mail events
-- before the upgrade move from `users` to `contacts`.

-- The earliest link of each alias (occurred_at, ties the smaller id): the one it follows.
CREATE TABLE pipeline.aliases (
    project   text NOT NULL,
    alias     text NOT NULL,
    user_id   text NOT NULL,
    linked_at timestamptz NOT NULL,
    event_id  text COLLATE "C" NOT NULL,
    PRIMARY KEY (project, alias)
);
CREATE INDEX aliases_user ON pipeline.aliases (project, user_id);

-- Ids named by chat and mail events. `users` keeps the ids of registration, order and payment
-- events only, because a linked alias is a user of its own only through those (§4.12).
CREATE TABLE pipeline.contacts (
    project     text    NOT NULL,
    user_id     text    NOT NULL,
    chat_active boolean NOT NULL DEFAULT false,
    PRIMARY KEY (project, user_id)
);
INSERT INTO pipeline.contacts (project, user_id, chat_active)
SELECT project, user_id, chat_active FROM pipeline.users WHERE chat_active;
ALTER TABLE pipeline.users DROP COLUMN chat_active;

-- After-click credit is read where BI reads too (a late link adds the alias's clicks to its user).
DROP TABLE pipeline.payment_mail_credit;

-- Each user's first learning event of each kind for each lesson (`lesson_id` '' when absent):
-- every learning figure is a count of these or compares their instants with payments.
CREATE TABLE pipeline.learning_firsts (
    project   text NOT NULL,
    user_id   text NOT NULL,
    course_id text NOT NULL,
    lesson_id text NOT NULL,
    kind      text NOT NULL,
    first_at  timestamptz NOT NULL,
    first_id  text COLLATE "C" NOT NULL,
    first_day date NOT NULL,
    PRIMARY KEY (project, course_id, lesson_id, kind, user_id)
);
CREATE INDEX learning_firsts_user ON pipeline.learning_firsts (project, user_id);

-- The months each id was active in through an event that is no order or payment (those are read
-- from `orders` and `payments`): `contact` marks chat messages and mail opens and clicks, whose id
-- resolves through `aliases`; learning events (`contact` false) are never resolved.
CREATE TABLE pipeline.activity_months (
    project text    NOT NULL,
    user_id text    NOT NULL,
    month   date    NOT NULL,
    contact boolean NOT NULL,
    PRIMARY KEY (project, user_id, month, contact)
);
