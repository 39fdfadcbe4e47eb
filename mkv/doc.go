// Package mkv reads Matroska and WebM files (IETF RFC 9559, "Matroska Media
// Container Format Specification", and RFC 8794 for EBML) as a media.Source,
// including the output of Amazon Kinesis Video Streams GetMedia and
// GetMediaForFragmentList.
//
// # What is read
//
//   - One or more Segments, each with its own EBML header (GetMedia output is
//     one Segment per fragment, concatenated). Segments and Clusters may have
//     an unknown size (RFC 9559 §6.2): an unknown-size Cluster ends at the
//     first element that cannot be its child (a new Cluster, Tags, Cues, a
//     new EBML header...), an unknown-size Segment at the next EBML header or
//     the end of the input.
//   - SimpleBlock (§10.1) and BlockGroup/Block (§10.2, a BlockGroup without
//     ReferenceBlock is a keyframe), all lacing kinds (§10.3: Xiph, fixed-size
//     and EBML), BlockDuration, DefaultDuration and TimestampScale, Info
//     DateUTC.
//   - Tracks: the video track sampled is the first H.264 (V_MPEG4/ISO/AVC,
//     avcC CodecPrivate) or H.265 (V_MPEGH/ISO/HEVC, hvcC CodecPrivate) video
//     track, else the first video track (its Codec is decode.CodecUnknown),
//     else none (Index.Video == -1). Other tracks (audio...) are skipped. A
//     video track without a parseable CodecPrivate whose first payload starts
//     with an Annex B start code is marked media.AnnexB; parameter sets
//     written as an Annex B stream in CodecPrivate are turned into an
//     avcC/hvcC record (with mp4ff) so that Track.CodecPrivate is always a
//     record or nil.
//   - The Kinesis Video tags AWS_KINESISVIDEO_FRAGMENT_NUMBER,
//     AWS_KINESISVIDEO_SERVER_TIMESTAMP and AWS_KINESISVIDEO_PRODUCER_TIMESTAMP
//     (SimpleTag strings; the timestamps are decimal epoch seconds such as
//     "1511852108.513"). GetMedia writes them in a Tags element just before
//     the fragment's Cluster; a Tags element that follows a Cluster not yet
//     tagged applies to that Cluster instead, so both layouts work.
//   - Cues (§21): when the file is one Segment of known size with Cues and no
//     Kinesis tags, Scan seeks to the cue point before the requested range and
//     reads only about the range. Otherwise Scan walks the whole file once,
//     reading element headers and skipping block payloads (the walk is cached
//     for later Scans).
//
// # Timelines (SPEC §1)
//
// A fragment is a KVS fragment (the clusters carrying one fragment number)
// where the file has Kinesis tags, else one Cluster. Producer time of a block
// is the fragment's producer-timestamp tag (else its first Cluster's timestamp,
// plus DateUTC when present) plus the block's offset from the fragment's first
// Cluster timestamp. Server time is the server-timestamp tag plus the same
// offset, or the producer time when there is no tag.
//
// Fragment.Number is the KVS fragment number; otherwise the fragment's
// ordinal in the file ("0", "1"...), except in a Scan served through Cues,
// which does not read the clusters before the range: there it is "@" and
// the Cluster's byte offset, which is just as stable.
//
// Sample.Duration is BlockDuration (divided among laced frames) or the track's
// DefaultDuration, else 0. Fragment.Duration is the end of the latest-ending
// block of the fragment whose duration the container gives, measured from the
// fragment start; 0 when no block has one.
//
// # Ingest
//
// Demuxer.Fragments lists every fragment in file order with the byte ranges
// of its Cluster elements (header included; an unknown-size Cluster's range
// ends where the Cluster ended), its Segment's tracks and TimecodeScale, and
// its timestamps, so the fragment store can copy clusters verbatim.
//
// # Performance
//
// Cluster and block data are parsed by hand from a small window over the
// io.ReaderAt: github.com/at-wat/ebml-go, used for the EBML header, Info,
// Tracks and SeekHead, allocates per element and reads values through
// interfaces and reflection, which is fine for metadata read once per Segment
// (identical copies in later Segments are not parsed again) but too slow for
// thousands of blocks, and for Cues (read by hand too). Before ebml-go sees an
// element its nesting depth is checked (its reader chain makes deep nesting
// quadratic), and Info and Tracks are read by hand when ebml-go rejects an
// element ID its table lacks. Block payloads are never read by Scan
// (except the first 4 bytes of one block to detect Annex B payloads);
// ReadSample reads one payload with one ReadAt.
//
// # Known limits
//
// Only the first video track of each Segment is sampled, and media.Index has
// one Tracks list: that of the first Segment with a video track. When a
// later Segment's video CodecPrivate differs (a producer restarted with new
// parameter sets), ReadSample puts that Segment's parameter sets, framed like
// its samples, before each of its keyframes, so a decoder configured from
// Index.Tracks takes them in-band; this is skipped when the framing (Annex B
// or NAL length size) differs from the first Segment's. ContentEncoding (header stripping,
// compression, encryption) is not undone. Field-coded video is indexed per
// block as stored.
//
// Every size read from the file is bounded by an exported constant (MaxBlockSize,
// MaxMetadataSize, MaxTracks, MaxLaceFrames, MaxSamples...). Malformed input
// gives an error naming the element ID and byte offset; an input that ends in
// the middle of an element (a truncated download) is indexed up to the last
// complete block.
package mkv
