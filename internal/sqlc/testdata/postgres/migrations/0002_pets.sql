-- +goose Up
-- +goose StatementBegin
CREATE TABLE pets (
    id       BIGSERIAL PRIMARY KEY,
    owner_id BIGINT REFERENCES owners (id) ON DELETE SET NULL,
    name     VARCHAR(64) NOT NULL,
    tag      TEXT,
    status   TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'pending', 'sold')),
    attrs    JSONB
);
-- +goose StatementEnd
CREATE INDEX pets_tag_idx ON pets (tag);

-- +goose Down
-- A table sqlc must not see: everything after the Down marker is ignored.
DROP TABLE pets;
CREATE TABLE pets (legacy INT);
