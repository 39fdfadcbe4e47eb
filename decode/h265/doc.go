// Package h265 is a pure-Go intra decoder for ITU-T H.265 (HEVC).
package h265
