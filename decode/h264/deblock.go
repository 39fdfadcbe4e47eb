package h264

// PLACEHOLDER: the deblocking filter (§8.7) is written here by its owner.

// deblockPicture applies the deblocking filter process (§8.7) to a fully
// decoded picture in place, using p.mbs and p.slices. Macroblocks with
// slice == -1 (never decoded) are left as they are.
func deblockPicture(p *picture) {}
