-- First aggregate: registrations per project and day (the project's time zone).
CREATE TABLE pipeline.registrations_daily (
    project       text   NOT NULL,
    day           date   NOT NULL,
    registrations bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project, day)
);

CREATE VIEW bi.registrations_daily AS
    SELECT project, day, registrations FROM pipeline.registrations_daily;
