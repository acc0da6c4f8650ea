-- orc desired state, schema version 1 (PRAGMA user_version).
CREATE TABLE objects (
    uid TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    resource_version INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    created_ns INTEGER NOT NULL,
    deleted_ns INTEGER,
    grace INTEGER,
    object TEXT NOT NULL,
    status TEXT,
    UNIQUE (kind, namespace, name)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    uid TEXT NOT NULL,
    type TEXT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1,
    first_ns INTEGER NOT NULL,
    last_ns INTEGER NOT NULL
);
CREATE INDEX events_by_object ON events (namespace, name);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('resource_version', 0);
