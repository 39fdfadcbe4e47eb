package h265

// scanPos[log2Size][scanIdx] lists the (x, y) positions of a square block of
// 1<<log2Size (log2Size 0..3) in up-right diagonal (0), horizontal (1) and
// vertical (2) scan order (§6.5.3, §6.5.4, §6.5.5).
var scanPos [4][3][][2]uint8

// scanSb[log2Size][scanIdx][i] is the position x | y<<3 of the i-th
// sub-block of a block of 1<<log2Size sub-blocks a side in scan order
// (§6.5.3 to §6.5.5, log2Size 0..3), and scanSbInv its inverse, indexed by
// y<<3 | x. scanSub and scanSubInv are the same for the 16 positions of a
// sub-block, as x | y<<2. scanSb9 gives the i-th sub-block as the slot
// 10 + 9·y + x of residual's neighbour array.
var (
	scanSb     [4][3][64]uint8
	scanSb9    [4][3][64]uint8
	scanSbInv  [4][3][64]uint8
	scanSub    [3][16]uint8
	scanSubInv [3][16]uint8
)

// transMat is the 32×32 DCT matrix transMatrix of §8.6.4.2 (eq. 8-315 and
// following), indexed [row = frequency][column = sample].
var transMat [32][32]int32

// dstMat is the 4×4 DST-VII matrix of §8.6.4.2 (eq. 8-314).
var dstMat = [4][4]int32{
	{29, 55, 74, 84},
	{74, 74, 0, -74},
	{84, -29, -74, 55},
	{55, -84, 74, -29},
}

// dctCoef[k] is transMatrix's value for cos(kπ/64), k = 0..32: the distinct
// magnitudes of the columns of transMatrix in §8.6.4.2.
var dctCoef = [33]int32{64, 90, 90, 90, 89, 88, 87, 85, 83, 82, 80, 78, 75, 73, 70, 67,
	64, 61, 57, 54, 50, 46, 43, 38, 36, 31, 25, 22, 18, 13, 9, 4, 0}

func init() {
	for log2 := 0; log2 < 4; log2++ {
		n := 1 << log2
		// Up-right diagonal (§6.5.3).
		diag := make([][2]uint8, 0, n*n)
		x, y := 0, 0
		for len(diag) < n*n {
			for y >= 0 {
				if x < n && y < n {
					diag = append(diag, [2]uint8{uint8(x), uint8(y)})
				}
				y--
				x++
			}
			y = x
			x = 0
		}
		hor := make([][2]uint8, 0, n*n)
		ver := make([][2]uint8, 0, n*n)
		for a := 0; a < n; a++ {
			for b := 0; b < n; b++ {
				hor = append(hor, [2]uint8{uint8(b), uint8(a)})
				ver = append(ver, [2]uint8{uint8(a), uint8(b)})
			}
		}
		scanPos[log2] = [3][][2]uint8{diag, hor, ver}
	}
	for m := 0; m < 32; m++ {
		for n := 0; n < 32; n++ {
			k := (m * (2*n + 1)) % 128
			var v int32
			switch {
			case k <= 32:
				v = dctCoef[k]
			case k <= 64:
				v = -dctCoef[64-k]
			case k <= 96:
				v = -dctCoef[k-64]
			default:
				v = dctCoef[128-k]
			}
			transMat[m][n] = v
		}
	}
	for log2 := 0; log2 < 4; log2++ {
		for scanIdx := 0; scanIdx < 3; scanIdx++ {
			for i, xy := range scanPos[log2][scanIdx] {
				v := xy[0] | xy[1]<<3
				scanSb[log2][scanIdx][i] = v
				scanSbInv[log2][scanIdx][v] = uint8(i)
				scanSb9[log2][scanIdx][i] = 10 + 9*xy[1] + xy[0]
			}
		}
	}
	for scanIdx := 0; scanIdx < 3; scanIdx++ {
		for i, xy := range scanPos[2][scanIdx] {
			v := xy[0] | xy[1]<<2
			scanSub[scanIdx][i] = v
			scanSubInv[scanIdx][v] = uint8(i)
		}
	}
	buildSigCtxTab()
}

// intraPredAngle is Table 8-5 for predModeIntra 0..34 (0 for 0 and 1).
var intraPredAngle = [35]int{0, 0, 32, 26, 21, 17, 13, 9, 5, 2, 0, -2, -5, -9, -13, -17, -21, -26,
	-32, -26, -21, -17, -13, -9, -5, -2, 0, 2, 5, 9, 13, 17, 21, 26, 32}

// invAngle is Table 8-6 for predModeIntra 11..25 (indexed by mode).
var invAngle = [35]int{11: -4096, 12: -1638, 13: -910, 14: -630, 15: -482, 16: -390, 17: -315,
	18: -256, 19: -315, 20: -390, 21: -482, 22: -630, 23: -910, 24: -1638, 25: -4096}

// levelScale is the list of §8.6.3 (eq. 8-309).
var levelScale = [6]int64{40, 45, 51, 57, 64, 72}

// qpcTable maps qPi 30..43 to QpC for ChromaArrayType 1 (Table 8-10).
var qpcTable = [14]int{29, 30, 31, 32, 33, 33, 34, 34, 35, 35, 36, 36, 37, 37}

func chromaQP420(qpi int) int {
	switch {
	case qpi < 30:
		return qpi
	case qpi > 43:
		return qpi - 6
	}
	return qpcTable[qpi-30]
}

// betaTable is β′ of Table 8-12 for Q = 0..51.
var betaTable = [52]int{
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 22, 24,
	26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52, 54, 56,
	58, 60, 62, 64,
}

// tcTable is tC′ of Table 8-12 for Q = 0..53.
var tcTable = [54]int{
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3,
	3, 4, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 11, 13, 14, 16,
	18, 20, 22, 24,
}

// ctxIdxMap4x4 is ctxIdxMap of §9.3.4.2.5 (eq. 9-40).
var ctxIdxMap4x4 = [16]uint8{0, 1, 4, 5, 2, 3, 4, 5, 6, 6, 8, 8, 7, 7, 8, 8}
