DROP TABLE comments;
DROP TABLE users;
