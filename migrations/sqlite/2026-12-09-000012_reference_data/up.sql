-- Reference data that government publishes about every English authority, imported as an
-- operator downloads it: DfE's Local Authority Interactive Tool (LAIT: measures, values,
-- statistical neighbours) and the ONS-to-DfE geography. Platform rows, the same for every
-- trust: not under row-level security, read by every tenant, written only by an import.

-- The release each source was last imported from, and what its import found.
CREATE TABLE ref_releases (
    source TEXT NOT NULL PRIMARY KEY CHECK (source IN ('lait', 'geography')),
    sha256 TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    released_on DATE,
    rows_read INTEGER NOT NULL,
    values_stored INTEGER NOT NULL,
    values_missing INTEGER NOT NULL,
    rows_refused INTEGER NOT NULL
);

-- A LAIT measure, from the data dictionary.
CREATE TABLE ref_measures (
    code TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    topic TEXT NOT NULL,
    polarity TEXT NOT NULL CHECK (polarity IN ('high', 'low', 'none')),
    unit TEXT NOT NULL,
    dps INTEGER,
    year_type TEXT NOT NULL,
    quartiles BOOLEAN NOT NULL,
    description TEXT NOT NULL,
    methodology TEXT NOT NULL,
    source TEXT NOT NULL,
    last_update TEXT NOT NULL
);

-- An area of the statistics: an authority (DfE's three-digit code), a region or England.
CREATE TABLE ref_areas (
    code TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('authority', 'region', 'england')),
    name TEXT NOT NULL,
    region TEXT
);

-- One published value: a measure, an area and a period as published (its label kept), with
-- the period read as a start, an end, a kind and a status; NULL where DfE published `-`.
CREATE TABLE ref_values (
    measure TEXT NOT NULL REFERENCES ref_measures (code),
    area TEXT NOT NULL REFERENCES ref_areas (code),
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    period_kind TEXT NOT NULL CHECK (period_kind IN ('financial', 'academic', 'calendar', 'rolling')),
    period_status TEXT NOT NULL CHECK (period_status IN ('final', 'provisional', 'revised', 'outturn')),
    value DOUBLE PRECISION,
    PRIMARY KEY (measure, area, period)
);
CREATE INDEX ref_values_area ON ref_values (area, measure, period_end);

-- DfE's children's services statistical neighbours: each authority's ten, nearest first.
CREATE TABLE ref_neighbours (
    edition TEXT NOT NULL,
    area TEXT NOT NULL REFERENCES ref_areas (code),
    rank INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 10),
    neighbour TEXT NOT NULL REFERENCES ref_areas (code),
    closeness TEXT NOT NULL,
    PRIMARY KEY (edition, area, rank)
);

-- ONS codes (what a council gives at sign-up) to DfE's three-digit codes.
CREATE TABLE ref_geography (
    ons_code TEXT NOT NULL PRIMARY KEY,
    dfe_code TEXT,
    name TEXT NOT NULL,
    region_ons_code TEXT,
    status TEXT NOT NULL
);

