-- Search index for a million frames (issue 15 §4). Embeddings move from one per frame (1,536
-- bytes in every row of video_frames) to one per distinct caption: cameras repeat themselves, and
-- a project's index reads far less on activation. An embedding is derived data of a caption's
-- text (all-MiniLM-L6-v2, 384 float32, little-endian), known by the SHA-256 of its UTF-8; a
-- caption's row is deleted with the last frame that carries it (FrameStore.DeleteVideoAsync).
-- The runtime role gets row access to the new table from surveillance_grant_runtime (003), which
-- the migrator runs after every script.
CREATE TABLE caption_embeddings (
    service_id   text  NOT NULL,
    caption_hash bytea NOT NULL,
    embedding    bytea NOT NULL,
    PRIMARY KEY (service_id, caption_hash)
);

-- Whether the project's index has taken the frame in (replaces "embedding IS NOT NULL").
ALTER TABLE video_frames ADD COLUMN indexed boolean NOT NULL DEFAULT false;

INSERT INTO caption_embeddings (service_id, caption_hash, embedding)
SELECT DISTINCT ON (service_id, sha256(convert_to(caption, 'UTF8')))
       service_id, sha256(convert_to(caption, 'UTF8')), embedding
FROM video_frames
WHERE embedding IS NOT NULL AND length(embedding) = 1536
ORDER BY service_id, sha256(convert_to(caption, 'UTF8')), frame_id;

UPDATE video_frames SET indexed = true, embedding = NULL
WHERE embedding IS NOT NULL AND length(embedding) = 1536;

DROP INDEX video_frames_unindexed;
CREATE INDEX video_frames_unindexed ON video_frames (service_id, project_id, frame_id) WHERE NOT indexed;

-- Deleting a video asks whether another frame still carries each of its captions. A hash index:
-- a caption may be up to 4,000 bytes of UTF-8, beyond what a B-tree entry may hold.
CREATE INDEX video_frames_by_caption ON video_frames USING hash (caption);
