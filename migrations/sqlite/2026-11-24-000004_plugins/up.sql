-- The plugin registry: every accepted version of every framework plugin, with the component
-- itself, so every replica loads exactly the same bytes. A version, once accepted, is never
-- replaced: a change is a new version.
CREATE TABLE plugins (
    id TEXT NOT NULL CHECK (id NOT GLOB '*[^a-z0-9-]*' AND id NOT GLOB '-*' AND id NOT GLOB '*-' AND length(id) > 0),
    version TEXT NOT NULL CHECK (length(version) BETWEEN 5 AND 64),
    wit_version TEXT NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    component BLOB NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    approved_by TEXT,
    PRIMARY KEY (id, version)
);
