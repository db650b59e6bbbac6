-- The HTML is made from the Markdown, which stays: nothing is lost.
ALTER TABLE comments DROP COLUMN html_version;
ALTER TABLE comments DROP COLUMN body_html;
