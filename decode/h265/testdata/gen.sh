#!/bin/bash
# gen.sh: regenerates the x265 corpus of this directory and intra-md5.txt
# (ffmpeg's MD5 of every intra picture, via shared/tools/intra-md5.sh).
# Usage: cd decode/h265/testdata && ./gen.sh [path/to/intra-md5.sh]
set -euo pipefail
md5tool=${1:-../../../../shared/tools/intra-md5.sh}
gen() { # name size x265-params [extra ffmpeg output args]
  local name=$1 size=$2 params=$3; shift 3
  ffmpeg -v error -f lavfi -i "testsrc2=size=$size,noise=alls=25:allf=t" -frames:v 2 "$@" \
    -c:v libx265 -x265-params "keyint=1:log-level=error:$params" -y "$name.hevc"
}
gen ctu16_nolf     64x64  "ctu=16:no-deblock=1:no-sao=1:qp=30"
gen ctu32          96x64  "ctu=32:qp=32"
gen ctu64_mincu8   136x72 "ctu=64:min-cu-size=8:qp=36"
gen tu_depth4      64x64  "ctu=32:tu-intra-depth=4:qp=30"
gen tu_max4        64x48  "ctu=16:tu-intra-depth=2:max-tu-size=4:qp=32"
gen tskip          64x64  "ctu=16:tskip=1:qp=24"
gen scaling_def    64x64  "ctu=32:scaling-list=default:qp=30"
gen scaling_custom 64x64  "ctu=32:scaling-list=scaling_list.txt:qp=30"
gen no_signhide    64x64  "ctu=32:no-signhide=1:qp=30"
gen lossless       48x32  "ctu=16:lossless=1"
gen sao_only       64x64  "ctu=16:no-deblock=1:qp=34"
gen deblock_off1   64x64  "ctu=32:no-sao=1:deblock=-3,4:qp=34"
gen deblock_off2   64x64  "ctu=64:deblock=6,-6:qp=40"
gen slices4        128x96 "ctu=16:slices=4:qp=40"
gen wpp            128x96 "ctu=16:wpp=1:qp=40"
gen wpp_slices     128x96 "ctu=16:wpp=1:slices=3:qp=40"
gen qp0            32x32  "ctu=16:qp=0"
gen qp51           64x64  "ctu=16:qp=51"
gen crop_66x34     66x34  "ctu=16:qp=32"
gen crop_130x98    130x98 "ctu=64:qp=40"
gen main10         96x64  "ctu=32:qp=32" -pix_fmt yuv420p10le
gen main10_lossless 32x32 "ctu=16:lossless=1" -pix_fmt yuv420p10le
gen main12         96x64  "ctu=32:qp=30" -pix_fmt yuv420p12le
gen main10_tskip   64x64  "ctu=16:tskip=1:qp=20:deblock=2,2" -pix_fmt yuv420p10le
gen stillpicture   64x64  "ctu=32:qp=30:profile=mainstillpicture" -frames:v 1
gen cuqpdelta      96x64  "ctu=32:aq-mode=3:aq-strength=2:qg-size=8:cbqpoffs=-3:crqpoffs=4:qp=30"
gen nostrongsmooth 128x64 "ctu=64:strong-intra-smoothing=0:qp=34"
gen constrained    64x64  "ctu=16:constrained-intra=1:rd=6:qp=30"
gen vui_colour     64x64  "ctu=16:qp=34:colorprim=bt709:transfer=bt709:colormatrix=bt709:range=full:sar=4\\:3"
gen cra            64x64  "ctu=16:qp=36:open-gop=1:keyint=2:bframes=0" -frames:v 3
# Chroma QP offsets with CTU 16: ffmpeg deviates at 8x8 chroma CTB corners
# (loop filters on), libde265 and this decoder agree; its MD5s come from
# dec265 (dec265-md5.txt), not ffmpeg.
ffmpeg -v error -f lavfi -i "testsrc2=size=184x136,noise=alls=25:allf=t" -frames:v 2 -c:v libx265 \
  -x265-params "keyint=1:log-level=error:ctu=16:qp=37:cbqpoffs=-11:crqpoffs=11" -y chromaqp_ctu16.hevc
dec=$(command -v dec265 || command -v libde265-dec265)
"$dec" -q -o chromaqp_ctu16.yuv chromaqp_ctu16.hevc >/dev/null
python3 -c "
import hashlib
d=open('chromaqp_ctu16.yuv','rb').read(); n=len(d)//2
for k in range(2): print('chromaqp_ctu16.hevc  '+hashlib.md5(d[k*n:(k+1)*n]).hexdigest()+'  184x136  yuv420p')" > dec265-md5.txt
rm chromaqp_ctu16.yuv
# Streams the decoder must refuse with decode.UnsupportedError (not in the manifest).
ffmpeg -v error -f lavfi -i testsrc2=size=64x64 -frames:v 1 -pix_fmt yuv444p -c:v libx265 -x265-params log-level=error -y unsupported_444.hevc
ffmpeg -v error -f lavfi -i testsrc2=size=64x64 -frames:v 1 -pix_fmt gray -c:v libx265 -x265-params log-level=error -y unsupported_400.hevc
: > intra-md5.txt
for f in $(ls *.hevc | grep -v -e ^unsupported_ -e ^chromaqp_ctu16); do
  "$md5tool" "$f" | sed "s|^|$f  |" >> intra-md5.txt
done
