// Package stills is the image-extraction engine: given a media.Source and a
// GetImages request it returns one image or error tag per sampling
// timestamp, following the project's behaviour contract (shared/SPEC.md §1)
// and the Amazon Kinesis Video Streams GetImages API reference
// (kinesis-video-archived-media, API version 2017-09-30).
//
// Engine.GetImages validates a Request (every rule of the API, errors as
// *Error named InvalidArgumentException), pages through the sampling
// timestamps t_k = Start + k×SamplingInterval with NextTokens bound to the
// request (TokenCodec), asks the Source for only the page's stretch of
// media, lets package sample choose the keyframe that serves each t_k, and
// decodes and encodes each chosen keyframe once in a worker pool shared by
// all requests. Engine.Extract does the same offline, over any range,
// streaming images to a callback. docs/engine.md records the decisions.
package stills
