-- A sample KPI store in the layout the open data platform reads (docs/kpi-store.md).
-- Load it into SQLite and point the platform at it:
--   sqlite3 instance/kpi_machine.sqlite < docs/kpi-store-sample.sql
--   OPENDATA_KPI_MACHINE_URL=sqlite:///instance/kpi_machine.sqlite opendata publish kpi-machine --dry-run
-- Another council's store is mapped onto it with a read-only view of each table.

CREATE TABLE kpi_indicator (
    ref VARCHAR(40) NOT NULL PRIMARY KEY,
    title VARCHAR(300) NOT NULL,
    definition TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    source VARCHAR(300) NOT NULL DEFAULT '',
    unit VARCHAR(40) NOT NULL,
    decimals INTEGER NOT NULL DEFAULT 0,
    polarity VARCHAR(20) NOT NULL,
    collection_type VARCHAR(30) NOT NULL,
    frequency VARCHAR(30) NOT NULL,
    theme VARCHAR(200) NOT NULL,
    directorate VARCHAR(200) NOT NULL,
    responsible_officer VARCHAR(200) NOT NULL DEFAULT '',
    include BOOLEAN NOT NULL DEFAULT 1,
    not_for_publication BOOLEAN NOT NULL DEFAULT 0,
    counts_people BOOLEAN NOT NULL DEFAULT 0,
    total_ref VARCHAR(40),
    minimum FLOAT,
    maximum FLOAT,
    tolerance VARCHAR(20) NOT NULL DEFAULT '',
    public_note TEXT NOT NULL DEFAULT ''
);

CREATE TABLE kpi_value (
    id INTEGER NOT NULL PRIMARY KEY,
    ref VARCHAR(40) NOT NULL REFERENCES kpi_indicator (ref),
    period VARCHAR(30) NOT NULL,
    value FLOAT,
    target FLOAT,
    numerator FLOAT,
    denominator FLOAT,
    status VARCHAR(20) NOT NULL DEFAULT 'Final',
    approved BOOLEAN NOT NULL DEFAULT 0,
    approved_by VARCHAR(200),
    approved_at DATETIME,
    public_note TEXT NOT NULL DEFAULT '',
    UNIQUE (ref, period)
);

INSERT INTO kpi_indicator
    (ref, title, definition, unit, decimals, polarity, collection_type, frequency, theme,
     directorate, responsible_officer, counts_people, total_ref, minimum, maximum, tolerance)
VALUES
    ('CLA01', 'Children looked after at the end of the quarter',
     'Children in the care of the council on the last day of the quarter.',
     'count', 0, 'Neutral', 'Snapshot', 'Quarterly', 'Education and skills',
     'Children, Education and Communities', 'Assistant Director Children''s Specialist Services',
     1, NULL, 0, NULL, ''),
    ('CLA01a', 'Children looked after who are unaccompanied asylum seekers', '',
     'count', 0, 'Neutral', 'Snapshot', 'Quarterly', 'Education and skills',
     'Children, Education and Communities', 'Assistant Director Children''s Specialist Services',
     1, 'CLA01', 0, NULL, ''),
    ('CLA01b', 'Children looked after in other placements', '',
     'count', 0, 'Neutral', 'Snapshot', 'Quarterly', 'Education and skills',
     'Children, Education and Communities', 'Assistant Director Children''s Specialist Services',
     1, 'CLA01', 0, NULL, ''),
    ('RAA01', '% of children adopted within 16 months of entering care', '',
     '%', 1, 'Up is Good', 'YTD', 'Quarterly', 'Education and skills',
     'Children, Education and Communities', 'Head of Regional Adoption Agency',
     1, NULL, 0, 100, '5%'),
    ('CSC12', 'Average days to re-let council homes', '',
     'days', 1, 'Up is Bad', 'Snapshot', 'Annual', 'Housing',
     'Children, Education and Communities', 'Head of Housing Management',
     0, NULL, 0, NULL, '0.5');

INSERT INTO kpi_value
    (ref, period, value, target, numerator, denominator, status, approved, approved_by, approved_at)
VALUES
    ('CLA01', 'Q1 2017/18', 204, NULL, NULL, NULL, 'Final', 1, 'Head of Service', '2017-07-11 09:00:00'),
    ('CLA01', 'Q2 2017/18', 210, NULL, NULL, NULL, 'Final', 1, 'Head of Service', '2017-10-10 09:00:00'),
    ('CLA01a', 'Q1 2017/18', 6, NULL, NULL, NULL, 'Final', 1, 'Head of Service', '2017-07-11 09:00:00'),
    ('CLA01a', 'Q2 2017/18', 3, NULL, NULL, NULL, 'Final', 1, 'Head of Service', '2017-10-10 09:00:00'),
    ('CLA01b', 'Q1 2017/18', 198, NULL, NULL, NULL, 'Final', 1, 'Head of Service', '2017-07-11 09:00:00'),
    ('CLA01b', 'Q2 2017/18', 207, NULL, NULL, NULL, 'Final', 1, 'Head of Service', '2017-10-10 09:00:00'),
    ('RAA01', 'Q1 2017/18', 80.0, 70, 4, 5, 'Final', 1, 'Head of Service', '2017-07-11 09:00:00'),
    ('RAA01', 'Q2 2017/18', 75.0, 70, 9, 12, 'Final', 1, 'Head of Service', '2017-10-10 09:00:00'),
    ('RAA01', 'Q3 2017/18', 72.7, 70, 16, 22, 'Provisional', 0, NULL, NULL),
    ('CSC12', '2016-17', 31.5, 30, NULL, NULL, 'Final', 1, 'Head of Service', '2017-05-02 09:00:00'),
    ('CSC12', '2017/18', 30.2, 30, NULL, NULL, 'Final', 1, 'Head of Service', '2018-05-01 09:00:00');
