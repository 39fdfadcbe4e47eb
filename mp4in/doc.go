// Package mp4in reads progressive and fragmented MP4 files (ISO/IEC
// 14496-12, the ISO base media file format, with the AVC and HEVC sample
// entries of ISO/IEC 14496-15) as a media.Source, through
// github.com/Eyevinn/mp4ff with lazily read mdat boxes.
//
//   - Tracks: every trak is listed; the sampled video track is the first
//     avc1/avc3 (H.264) or hvc1/hev1 (H.265) track, else the first track
//     with a "vide" handler (its Codec is decode.CodecUnknown), else none.
//     The avcC/hvcC record is taken verbatim from the file (§5.3.3.1,
//     §8.3.3.1) and gives the NAL unit length size.
//   - Times: producer time = presentation time, i.e. decode time (stts or
//     tfdt + trun durations) plus the composition offset (ctts or trun),
//     shifted by the first edit of an edit list (elst: empty edits delay the
//     track, the first media edit's media_time is subtracted), in ns from the
//     start of the file (MP4 has no absolute clock here). Server time equals
//     producer time.
//   - Keyframes: sync samples (stss; every sample when stss is absent;
//     in fragments, sample_is_non_sync_sample clear and sample_depends_on
//     not 1, §8.8.3.1).
//   - Fragments: each moof is one fragment; the samples of a progressive file
//     (its moov sample tables) form one fragment.
//
// The top-level boxes are walked here (sizes checked against the file, mdat
// never read). Each moov and moof is then rebuilt with only the boxes read
// here (sanitize.go) and decoded with mp4ff's box decoders, whose entry
// counts are checked against box sizes, so hostile content in other boxes
// never reaches mp4ff. Every count from a sample table is bounded by
// MaxSamples.
package mp4in
