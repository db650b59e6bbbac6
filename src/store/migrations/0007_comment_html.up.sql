-- Version 7: each comment's HTML, made once when it is stored instead of at every build.
-- body_html is the body rendered and sanitized as post pages show it (code highlighted);
-- html_version is the renderer's version that made it (comments::render::HTML_VERSION). A
-- build uses the stored HTML only when that version is its own, and renders the Markdown
-- otherwise, so a NULL or an old version is never wrong, only slower. The upgrade fills
-- the existing rows right after this, in the same transaction.
ALTER TABLE comments ADD COLUMN body_html TEXT;
ALTER TABLE comments ADD COLUMN html_version INTEGER NOT NULL DEFAULT 0;
