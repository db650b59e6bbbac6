CREATE FUNCTION quill_comments_parent_same_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL
       AND (SELECT post FROM comments WHERE id = NEW.parent_id) IS DISTINCT FROM NEW.post THEN
        RAISE EXCEPTION 'a reply must be on the same post as its parent'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER tr_comments_parent_same_post BEFORE INSERT OR UPDATE OF parent_id ON comments
    FOR EACH ROW EXECUTE FUNCTION quill_comments_parent_same_post();
CREATE INDEX ix_comments_post_time ON comments (post, timestamp, id);
CREATE INDEX ix_comments_parent ON comments (parent_id);
DROP INDEX ix_comments_parent_post;
ALTER TABLE comments DROP CONSTRAINT fk_comments_parent_same_post;
ALTER TABLE comments DROP CONSTRAINT uq_comments_post_id;
