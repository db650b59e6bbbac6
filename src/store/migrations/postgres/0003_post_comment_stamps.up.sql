-- Version 3 for PostgreSQL: one row per post with comments, so an incremental build can tell
-- which posts' threads changed without reading every comment (see the SQLite version for why
-- the stamp is random). The store keeps both columns current in the transaction that changes
-- the comments, through quill_new_stamp(), as it does on SQLite with random().
CREATE FUNCTION quill_new_stamp() RETURNS bigint
    LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$ SELECT floor((random() - 0.5) * 18446744073709551616)::bigint $$;

CREATE TABLE post_comment_stamps (
    post     TEXT COLLATE "C" PRIMARY KEY,
    stamp    BIGINT NOT NULL,
    approved BIGINT NOT NULL CHECK (approved >= 0)
);

INSERT INTO post_comment_stamps (post, stamp, approved)
SELECT post, quill_new_stamp(), COUNT(*) FILTER (WHERE status = 'approved')
FROM comments GROUP BY post;
