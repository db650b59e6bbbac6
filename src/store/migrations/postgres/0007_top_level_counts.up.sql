-- Version 7 for PostgreSQL: each post's number of top-level comments beside its stamp (see the
-- SQLite version for why and for the rule), kept current with the stamp.
ALTER TABLE post_comment_stamps ADD COLUMN top_level BIGINT NOT NULL DEFAULT 0
    CHECK (top_level >= 0);

UPDATE post_comment_stamps s SET top_level = (
    SELECT COUNT(*) FROM comments c
    WHERE c.post = s.post AND c.status = 'approved'
      AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = c.id)
      AND NOT EXISTS (
          SELECT 1 FROM comments p
          WHERE p.id = c.parent_id AND p.status = 'approved'
            AND (p.timestamp, p.id) < (c.timestamp, c.id)
            AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = p.id)));
