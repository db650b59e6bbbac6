-- The model and the scores go; the comments stay (the upgrade's backup keeps the model).
DROP TABLE spam_tokens;
DROP TABLE spam_model;
ALTER TABLE comments DROP COLUMN spam_taught;
ALTER TABLE comments DROP COLUMN spam_reasons;
ALTER TABLE comments DROP COLUMN spam_score;
