module github.com/stills/stills

go 1.26.8

require (
	github.com/Eyevinn/mp4ff v0.56.0
	github.com/at-wat/ebml-go v0.19.0
	go.etcd.io/bbolt v1.5.0
	golang.org/x/image v0.47.0
)

require (
	github.com/stretchr/testify v1.12.1 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
