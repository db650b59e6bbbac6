ALTER TABLE comments DROP COLUMN html_version;
ALTER TABLE comments DROP COLUMN body_html;
