module example.com/dockopt/go-service

go 1.19
