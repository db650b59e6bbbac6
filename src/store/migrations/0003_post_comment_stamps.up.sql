-- Version 3: one row per post with comments, so an incremental build can tell which posts'
-- threads changed without reading every comment. `stamp` is a fresh random number after each
-- change to the post's comments (random, not a counter, so a restored backup or a downgrade
-- and upgrade cannot bring an old value back for different comments); `approved` is the
-- number of approved comments. The store keeps both current in the transaction that changes
-- the comments.
CREATE TABLE post_comment_stamps (
    post TEXT PRIMARY KEY NOT NULL,
    stamp INTEGER NOT NULL,
    approved INTEGER NOT NULL CHECK (approved >= 0)
) WITHOUT ROWID;

INSERT INTO post_comment_stamps (post, stamp, approved)
SELECT post, random(), SUM(status = 'approved') FROM comments GROUP BY post;
