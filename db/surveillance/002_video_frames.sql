-- Processing results: one row per analysed frame, sealed with an HMAC over its canonical form
-- (Results:HmacKey), so a row changed here, outside the API, is detected when read and not served.
-- The embedding (384 float32, little-endian) is derived data: filled in when the frame is indexed,
-- read back when a project's search index activates.
CREATE TABLE video_frames (
    service_id        text             NOT NULL,
    frame_id          text             NOT NULL,
    video_id          text             NOT NULL,
    project_id        text             NOT NULL,
    seq               integer          NOT NULL,
    timestamp_seconds double precision NOT NULL,
    caption           text             NOT NULL,
    objects           text             NOT NULL,
    model_version     text             NOT NULL,
    created_at        timestamptz      NOT NULL,
    seal              bytea            NOT NULL,
    embedding         bytea            NULL,
    PRIMARY KEY (service_id, frame_id)
);

CREATE INDEX video_frames_by_video ON video_frames (service_id, video_id, seq);
CREATE INDEX video_frames_by_project ON video_frames (service_id, project_id, frame_id);
CREATE INDEX video_frames_unindexed ON video_frames (service_id, project_id, frame_id) WHERE embedding IS NULL;
