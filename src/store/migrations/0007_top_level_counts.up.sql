-- Version 7: each post's number of top-level comments beside its stamp, so that a build plans
-- the pages of a long thread (`[comments] per_page`) without reading its comments first: a
-- million comments are then read once, post by post, as their pages render. A comment is
-- top-level when the comment it replies to is not shown before it: not approved, a
-- webmention, or later in the thread's order (time, then id), which is how a thread nests
-- them (`comments::thread`). The store keeps it current with the stamp.
ALTER TABLE post_comment_stamps ADD COLUMN top_level INTEGER NOT NULL DEFAULT 0
    CHECK (top_level >= 0);

UPDATE post_comment_stamps SET top_level = (
    SELECT COUNT(*) FROM comments c
    WHERE c.post = post_comment_stamps.post AND c.status = 'approved'
      AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = c.id)
      AND NOT EXISTS (
          SELECT 1 FROM comments p
          WHERE p.id = c.parent_id AND p.status = 'approved'
            AND (p.timestamp < c.timestamp OR (p.timestamp = c.timestamp AND p.id < c.id))
            AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = p.id)));
