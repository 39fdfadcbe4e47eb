// Package annexb reads raw H.264 and H.265 elementary streams in the byte
// stream format of ITU-T H.264 Annex B / H.265 Annex B (files named .264,
// .h264, .265, .hevc, and conformance streams named .jsv, .jvt, .26l, .bit...)
// as a media.Source.
//
// The stream is split into access units at the NAL-header level:
//
//   - H.264 (§7.4.1.2.3): after the last VCL NAL unit of a picture, an access
//     unit delimiter, SPS, PPS, SEI or NAL unit of type 14 to 18 starts the
//     next access unit, and so does a slice with first_mb_in_slice equal to 0.
//     Field pairs therefore give two access units (one per field); streams
//     using arbitrary slice order may be split wrongly.
//   - H.265 (§7.4.2.4.4): after a VCL NAL unit, an AUD, VPS, SPS, PPS, prefix
//     SEI or NAL unit of type 41 to 44 or 48 to 55 starts the next access
//     unit, and so does a slice segment with first_slice_segment_in_pic_flag.
//
// Keyframes are access units holding an IDR slice (H.264 nal_unit_type 5) or
// an IRAP slice (H.265 nal_unit_type 16 to 23). For H.264, an access unit
// whose slices are all I or SI (slice_type, §7.4.3) is marked as a keyframe
// too: a raw stream has no container to mark I pictures, and an intra-only
// decoder can decode such a picture alone (ffmpeg's parser marks them the
// same way). H.265 slice types need the PPS to reach, so only IRAP counts.
//
// Timestamps are in decode order (raw streams carry no presentation times):
// access unit i is at i × the frame duration, starting at 0. The frame
// duration comes from the first SPS with VUI timing information (H.264
// E.2.1: 2 × num_units_in_tick / time_scale; H.265 E.3.1: num_units_in_tick /
// vui_time_scale), else Options.FPS, else 25 frames per second. The whole
// stream is one fragment. Samples carry their start codes (media.AnnexB).
package annexb
