module github.com/bkgen/bkgen/bench/load

go 1.26.0
