// Package input opens a video file or byte range as a media.Source,
// recognising the container by its content, never its name (SPEC §4):
//
//   - Matroska/WebM (RFC 9559): the EBML magic 1A 45 DF A3 → package mkv;
//   - MP4 (ISO/IEC 14496-12): a first box of type ftyp, styp, moov, moof,
//     free, skip, mdat, wide, sidx or pdin with a plausible size → package mp4in;
//   - raw H.264 or H.265 Annex B byte streams (ITU-T H.264 / H.265 Annex B):
//     a start code at the start; H.264 versus H.265 is decided by scoring
//     the NAL unit headers that follow the start codes → package annexb.
//
// Anything else gives an error wrapping media.ErrUnsupportedContainer that
// shows the first bytes and what was expected.
package input
