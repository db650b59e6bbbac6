-- The HTML is made from the Markdown, which stays: nothing is lost. The checks keep their
-- cheaper forms, which mean the same.
ALTER TABLE comments DROP COLUMN html_version;
ALTER TABLE comments DROP COLUMN body_html;
