module example.com/okfixture

go 1.26
