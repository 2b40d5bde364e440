module fixture

go 1.19
