module benchgen

go 1.21
