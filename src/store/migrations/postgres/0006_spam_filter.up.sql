-- Version 5 for PostgreSQL: the spam filter's scores, lessons and model, as on SQLite (see
-- the SQLite version for what each holds).
ALTER TABLE comments ADD COLUMN spam_score DOUBLE PRECISION CHECK (spam_score BETWEEN 0 AND 1);
ALTER TABLE comments ADD COLUMN spam_reasons TEXT COLLATE "C";
ALTER TABLE comments ADD COLUMN spam_taught TEXT COLLATE "C" CHECK (spam_taught IN ('spam', 'ham'));

CREATE TABLE spam_model (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    spam_docs BIGINT NOT NULL CHECK (spam_docs >= 0),
    ham_docs  BIGINT NOT NULL CHECK (ham_docs >= 0)
);
INSERT INTO spam_model (id, spam_docs, ham_docs) VALUES (1, 0, 0);

CREATE TABLE spam_tokens (
    token TEXT COLLATE "C" PRIMARY KEY,
    spam  BIGINT NOT NULL CHECK (spam >= 0),
    ham   BIGINT NOT NULL CHECK (ham >= 0)
);
