module github.com/stills/stills

go 1.26.8

require (
	github.com/Eyevinn/mp4ff v0.56.0 // indirect
	github.com/at-wat/ebml-go v0.19.0 // indirect
	github.com/pion/randutil v0.1.0 // indirect
	github.com/pion/rtp v1.10.6 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/image v0.47.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
