-- +goose Up
CREATE TABLE pets (
    id   BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    tag  VARCHAR(64)
);

-- +goose Down
DROP TABLE pets;
