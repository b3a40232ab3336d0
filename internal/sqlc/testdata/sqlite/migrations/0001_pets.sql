-- +goose Up
CREATE TABLE pets (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    tag  TEXT
);

-- +goose Down
DROP TABLE pets;
