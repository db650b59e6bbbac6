-- Back to version 4: the mentions go, with the comment rows that held them.
DELETE FROM comments WHERE id IN (SELECT comment_id FROM mentions);
DROP TABLE mentions;
DROP TABLE sent_mentions;
