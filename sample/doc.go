// Package sample decides which picture serves each sampling timestamp of a
// GetImages request: the rules of the project's behaviour contract
// (shared/SPEC.md §1, "Sampling timestamps" and "Which frame serves t_k"),
// which follow the Amazon Kinesis Video Streams GetImages API reference.
//
// The input is a media.Index (the video samples and fragments a Source
// scanned) read on one timeline (producer or server time). From it a Plan
// builds:
//
//   - spans: one per fragment, [time of its first frame, that time + its
//     duration], both ends included. The duration is the container's (block
//     durations, default duration, a fragment duration) or, failing that,
//     the distance from each frame to the next one (bounded, see
//     MaxImplicitFrameDuration, so that a hole in the recording is not
//     bridged by guessing);
//   - runs: spans that touch or overlap, merged into one continuous stretch
//     of media;
//   - the keyframes (random-access pictures the container marks) of each run.
//
// Plan.Choose then answers for one timestamp t: NoMedia when t lies in no
// span (except that t_0 may lie up to Grace before a span), MediaError when
// the run covering t has no keyframe, else the keyframe of that run nearest
// to t, the earlier one on a tie. An image never comes from across a gap.
//
// The package does no I/O and no decoding; the engine (package stills) adds
// the codec-level MEDIA_ERROR cases (unknown codec, missing codec private
// data, a picture that fails to decode).
package sample
