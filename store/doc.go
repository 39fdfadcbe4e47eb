// Package store is the fragment store behind the archived-media server: Kinesis
// Video Streams style streams (name, ARN, creation time, media type, retention)
// holding fragments (numbered in ingestion order, with producer and server
// timestamps, durations, sizes and a sample table).
//
// The Store interface is small so that another backend (S3) can serve it
// later; Disk implements it on a local directory:
//
//	DIR/index.db          bbolt index (streams, fragment records, time indexes)
//	DIR/token.key         32-byte HMAC key for NextToken authentication
//	DIR/streams/<id>/<seq>.mkv  one self-contained Matroska document per fragment
//	                            (<id> = <name>-<creation ms>-<random>)
//	DIR/tmp/              payloads being written
//
// Crash safety: a fragment's payload is written to DIR/tmp, fsynced, renamed
// into place and its directory fsynced; only then is the index entry
// committed (bbolt fsyncs its commit). Append returns after the commit, so an
// acknowledged fragment survives a crash or kill -9, and an unacknowledged one
// leaves at most an orphan file that the next append of that sequence number
// replaces. Opening needs no repair.
//
// Every stream is a media.Source (Disk.Source), so GetImages over the store and
// over a file share one code path in the engine.
//
// Fragment files follow RFC 9559 (Matroska) as written by mkv.AppendFragment.
package store
