package decode

import "io"

// WriteRawVideo writes the frame's cropped planes (Y, then Cb and Cr unless
// 4:0:0) as ffmpeg's rawvideo muxer writes the native pixel format: one
// byte per sample up to 8 bits, two bytes little-endian above. The MD5 of
// this output is what `stills frames --md5` and the decoder tests compare
// with ffmpeg's framemd5.
func (f *Frame) WriteRawVideo(w io.Writer) error {
	var row []byte
	plane := func(p []uint16, stride, width, height, depth int) error {
		for y := 0; y < height; y++ {
			row = row[:0]
			for _, v := range p[y*stride : y*stride+width] {
				if depth > 8 {
					row = append(row, byte(v), byte(v>>8))
				} else {
					row = append(row, byte(v))
				}
			}
			if _, err := w.Write(row); err != nil {
				return err
			}
		}
		return nil
	}
	if err := plane(f.Y, f.YStride, f.Width, f.Height, f.BitDepthY); err != nil {
		return err
	}
	if f.ChromaFormat == Chroma400 {
		return nil
	}
	if err := plane(f.Cb, f.CStride, f.ChromaWidth(), f.ChromaHeight(), f.BitDepthC); err != nil {
		return err
	}
	return plane(f.Cr, f.CStride, f.ChromaWidth(), f.ChromaHeight(), f.BitDepthC)
}
