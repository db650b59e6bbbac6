-- Version 8 for PostgreSQL: each comment's HTML, made once when it is stored, with the
-- renderer's version that made it (see the SQLite version).
ALTER TABLE comments ADD COLUMN body_html TEXT COLLATE "C";
ALTER TABLE comments ADD COLUMN html_version INTEGER NOT NULL DEFAULT 0;
