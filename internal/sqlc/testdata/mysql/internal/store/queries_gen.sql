-- name: GetPet :one
SELECT * FROM pets WHERE id = sqlc.arg(id);

-- name: CreatePet :execresult
INSERT INTO pets (name, tag) VALUES (sqlc.arg(name), sqlc.narg(tag));

-- name: ListPets :many
SELECT * FROM pets ORDER BY id LIMIT ?;
