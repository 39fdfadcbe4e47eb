// Package server is the HTTP front end of stills: it speaks the AWS restJson
// protocol of the Kinesis Video Streams services as botocore's service
// models describe them (kinesis-video-archived-media 2017-09-30 and
// kinesisvideo 2017-09-30, see SPEC §2 and §3):
//
//	POST /getImages                 GetImages (the engine, package stills)
//	POST /listFragments             ListFragments
//	POST /getMediaForFragmentList   GetMediaForFragmentList (Matroska)
//	POST /getClip                   GetClip (fragmented MP4, github.com/Eyevinn/mp4ff)
//	POST /getDataEndpoint           answers this server's own URL
//	POST /putMedia                  stores a media file (stills ingest --endpoint)
//	POST /createStream, /describeStream, /listStreams, /deleteStream
//	GET  /metrics                   Prometheus text format
//
// Requests may be signed with AWS Signature Version 4 ("Authenticating
// Requests: Using the Authorization Header", AWS General Reference); when
// credentials are configured, only correctly signed requests are served.
// Errors answer with the API's HTTP status, the x-amzn-ErrorType header and
// a {"__type", "message"} JSON body. NextTokens are HMAC-SHA256 authenticated
// with a key kept in the store's data directory.
package server
