DROP TABLE comments;
DROP FUNCTION quill_comments_parent_same_post();
DROP TABLE users;
DROP FUNCTION quill_nocase(text);
