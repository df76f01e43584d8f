-- A project's search index as a compact binary snapshot (issue 15 §4: the first search after a
-- restart), so that activating the index reads one snapshot instead of every row of the project,
-- re-checking every seal and reading one embedding per distinct caption. Derived data only: the
-- int8 caption vectors, and per frame its video, sequence, time, caption and class set, with per
-- video the fingerprint (count, XOR of seal prefixes) it is checked against on load. Written by
-- FrameIndexSnapshots in parts of at most 8 MiB (one transaction replaces them all); the last 32
-- bytes are an HMAC-SHA256 under a key derived from Results:HmacKey, over the whole, bound to the
-- service and project. Never trusted blindly: a snapshot that fails its MAC is audited and ignored,
-- and a video whose rows no longer match its fingerprint is read again from its sealed rows.
-- The runtime role gets row access from surveillance_grant_runtime (003).
CREATE TABLE frame_index_snapshots (
    service_id text    NOT NULL,
    project_id text    NOT NULL,
    part       integer NOT NULL,
    data       bytea   NOT NULL,
    PRIMARY KEY (service_id, project_id, part)
);
