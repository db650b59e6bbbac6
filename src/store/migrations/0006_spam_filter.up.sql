-- Version 5: the spam filter that learns. Each comment keeps the score it got when it arrived
-- and the tokens that weighed most (spam_reasons), and what the author's decision on it taught
-- the filter (spam_taught), so that changing one's mind unlearns the old lesson instead of
-- counting the comment twice. The model itself is counts: how many spam and ham comments were
-- learned (spam_model, one row) and, per token, in how many of each it appeared.
ALTER TABLE comments ADD COLUMN spam_score REAL CHECK (spam_score BETWEEN 0 AND 1);
ALTER TABLE comments ADD COLUMN spam_reasons TEXT;
ALTER TABLE comments ADD COLUMN spam_taught TEXT CHECK (spam_taught IN ('spam', 'ham'));

CREATE TABLE spam_model (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    spam_docs INTEGER NOT NULL CHECK (spam_docs >= 0),
    ham_docs  INTEGER NOT NULL CHECK (ham_docs >= 0)
);
INSERT INTO spam_model (id, spam_docs, ham_docs) VALUES (1, 0, 0);

CREATE TABLE spam_tokens (
    token TEXT PRIMARY KEY NOT NULL,
    spam  INTEGER NOT NULL CHECK (spam >= 0),
    ham   INTEGER NOT NULL CHECK (ham >= 0)
) WITHOUT ROWID;
