package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stills/stills/store"
)

const pyPrelude = `
import boto3, json, sys
from botocore.config import Config
from botocore.exceptions import ClientError
URL = %q
cfg = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
am = boto3.client("kinesis-video-archived-media", endpoint_url=URL, config=cfg)
kv = boto3.client("kinesisvideo", endpoint_url=URL, config=cfg)
def enc(o):
    return o.timestamp() if hasattr(o, "timestamp") else str(o)
def call(fn, **kw):
    try:
        r = fn(**kw)
        r.pop("ResponseMetadata", None)
        return {"ok": True, "resp": r}
    except ClientError as e:
        return {"ok": False, "code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message", ""),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
`

type pyResult struct {
	OK      bool            `json:"ok"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Status  int             `json:"status"`
	Resp    json.RawMessage `json:"resp"`
}

// TestBoto3GetImagesValidation sends every SPEC §1 violation through boto3
// (client-side validation off, so the server is what rejects them) and
// checks the exception name and HTTP status the client sees.
func TestBoto3GetImagesValidation(t *testing.T) {
	py := needBoto3(t)
	ts := startServer(t, nil)
	ingestFile(t, ts.Store, "kvs", kvsPath(t), 24)
	if _, err := ts.Store.CreateStream(context.Background(), store.NewStream{Name: "noretention", RetentionHours: 0}); err != nil {
		t.Fatal(err)
	}
	kvsInfo, _ := ts.Store.Stream(context.Background(), "kvs", "")
	start := math.Floor(kvsStart) + 1
	base := map[string]any{"StreamName": "kvs", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": start, "EndTimestamp": start + 4, "Format": "JPEG", "SamplingInterval": 1000}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	const inv, nf = "InvalidArgumentException", "ResourceNotFoundException"
	cases := []struct {
		name string
		req  map[string]any
		want string
	}{
		{"valid", base, ""},
		{"valid by ARN", with("StreamName", nil, "StreamARN", kvsInfo.ARN), ""},
		{"valid PNG with size", with("Format", "PNG", "WidthPixels", 320), ""},
		{"no stream", with("StreamName", nil), inv},
		{"bad stream name", with("StreamName", "bad name!"), inv},
		{"stream name too long", with("StreamName", strings.Repeat("a", 257)), inv},
		{"bad ARN", with("StreamName", nil, "StreamARN", "arn:aws:s3:::bucket"), inv},
		{"name and ARN differ", with("StreamARN", strings.Replace(kvsInfo.ARN, "/kvs/", "/other/", 1)), inv},
		{"unknown stream", with("StreamName", "nosuchstream"), nf},
		{"unknown stream ARN", with("StreamName", nil, "StreamARN", "arn:aws:kinesisvideo:us-east-1:123456789012:stream/nosuch/1"), nf},
		{"no retention", with("StreamName", "noretention"), "NoDataRetentionException"},
		{"selector missing", with("ImageSelectorType", nil), inv},
		{"selector bad", with("ImageSelectorType", "WALL_CLOCK"), inv},
		{"start missing", with("StartTimestamp", nil), inv},
		{"end missing", with("EndTimestamp", nil), inv},
		{"end before start", with("EndTimestamp", start-1), inv},
		{"range over 300 s", with("EndTimestamp", start+301), inv},
		{"interval below 200", with("SamplingInterval", 199), inv},
		{"interval zero", with("SamplingInterval", 0), inv},
		{"format missing", with("Format", nil), inv},
		{"format GIF", with("Format", "GIF"), inv},
		{"two FormatConfig entries", with("FormatConfig", map[string]string{"JPEGQuality": "80", "Other": "1"}), inv},
		{"FormatConfig bad key", with("FormatConfig", map[string]string{"Quality": "80"}), inv},
		{"JPEGQuality 0", with("FormatConfig", map[string]string{"JPEGQuality": "0"}), inv},
		{"JPEGQuality 101", with("FormatConfig", map[string]string{"JPEGQuality": "101"}), inv},
		{"JPEGQuality not a number", with("FormatConfig", map[string]string{"JPEGQuality": "high"}), inv},
		{"width 0", with("WidthPixels", 0), inv},
		{"width 3841", with("WidthPixels", 3841), inv},
		{"height 0", with("HeightPixels", 0), inv},
		{"height 2161", with("HeightPixels", 2161), inv},
		{"MaxResults 0", with("MaxResults", 0), inv},
		{"MaxResults 101", with("MaxResults", 101), inv},
		{"NextToken bad characters", with("NextToken", "not a token!"), inv},
		{"NextToken forged", with("NextToken", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="), inv},
		{"NextToken too long", with("NextToken", strings.Repeat("A", 4097)), inv},
	}
	reqs := make([]map[string]any, len(cases))
	for i := range cases {
		reqs[i] = cases[i].req
	}
	reqJSON, _ := json.Marshal(reqs)
	script := fmt.Sprintf(pyPrelude, ts.URL) + fmt.Sprintf(`
reqs = json.loads(%q)
out = [call(am.get_images, **r) for r in reqs]
# A genuine token, then the same token on other parameters and altered.
first = call(am.get_images, **dict(reqs[0], MaxResults=1))
tok = first["resp"]["NextToken"]
out.append(call(am.get_images, **dict(reqs[0], MaxResults=1, NextToken=tok)))
out.append(call(am.get_images, **dict(reqs[0], Format="PNG", NextToken=tok)))
out.append(call(am.get_images, **dict(reqs[0], StreamName="noretention", NextToken=tok)))
alt = ("B" if tok[0] != "B" else "C") + tok[1:]
out.append(call(am.get_images, **dict(reqs[0], NextToken=alt)))
print(json.dumps(out, default=enc))
`, string(reqJSON))
	var res []pyResult
	runPython(t, py, script, clientEnv("AKIDEXAMPLE", "dummy"), &res)
	extra := []struct {
		name, want string
	}{
		{"genuine NextToken", ""},
		{"NextToken on other parameters", inv},
		{"NextToken used on another stream", inv},
		{"altered NextToken", inv},
	}
	if len(res) != len(cases)+len(extra) {
		t.Fatalf("got %d results for %d cases", len(res), len(cases)+len(extra))
	}
	status := map[string]int{inv: 400, nf: 404, "NoDataRetentionException": 400}
	check := func(name, want string, r pyResult) {
		if want == "" {
			if !r.OK {
				t.Errorf("%s: got %s (%s), want success", name, r.Code, r.Message)
			}
			return
		}
		if r.OK {
			t.Errorf("%s: succeeded, want %s", name, want)
			return
		}
		if r.Code != want || r.Status != status[want] || r.Message == "" {
			t.Errorf("%s: got %s/%d %q, want %s/%d with a message", name, r.Code, r.Status, r.Message, want, status[want])
		}
	}
	for i, c := range cases {
		check(c.name, c.want, res[i])
	}
	for i, c := range extra {
		check(c.name, c.want, res[len(cases)+i])
	}
	// The valid answers list the sampling timestamps of SPEC §1.
	var ok struct {
		Images []struct {
			TimeStamp    float64
			Error        string
			ImageContent string
		}
	}
	json.Unmarshal(res[0].Resp, &ok)
	if len(ok.Images) != 5 {
		t.Fatalf("valid request: %d images, want 5 (t_k = start + k s, k = 0..4)", len(ok.Images))
	}
	for k, im := range ok.Images {
		if im.TimeStamp != start+float64(k) {
			t.Errorf("image %d TimeStamp %v, want %v", k, im.TimeStamp, start+float64(k))
		}
		if (im.Error == "") == (im.ImageContent == "") {
			t.Errorf("image %d: exactly one of Error (%q) and ImageContent must be set", k, im.Error)
		}
		if im.Error == "NO_MEDIA" {
			t.Errorf("image %d at %v: NO_MEDIA inside the stored media", k, im.TimeStamp)
		}
	}
}

// TestBoto3Paginators pages through GetImages and ListFragments with boto3's
// paginators: every sampling timestamp and every fragment comes exactly once.
func TestBoto3Paginators(t *testing.T) {
	py := needBoto3(t)
	ts := startServer(t, nil)
	frags := ingestFile(t, ts.Store, "kvs", kvsPath(t), 24)
	start := math.Floor(kvsStart)
	script := fmt.Sprintf(pyPrelude, ts.URL) + fmt.Sprintf(`
p = am.get_paginator("get_images")
times, pages, errs = [], 0, []
for page in p.paginate(StreamName="kvs", ImageSelectorType="PRODUCER_TIMESTAMP", StartTimestamp=%d, EndTimestamp=%d,
                       SamplingInterval=1000, Format="JPEG", PaginationConfig={"PageSize": 4}):
    pages += 1
    for im in page["Images"]:
        times.append(im["TimeStamp"].timestamp())
        errs.append(im.get("Error", ""))
lp = am.get_paginator("list_fragments")
nums, lpages = [], 0
for page in lp.paginate(StreamName="kvs", FragmentSelector={"FragmentSelectorType": "PRODUCER_TIMESTAMP",
        "TimestampRange": {"StartTimestamp": %d, "EndTimestamp": %d}}, PaginationConfig={"PageSize": 2}):
    lpages += 1
    nums += [f["FragmentNumber"] for f in page["Fragments"]]
allnums = []
for page in lp.paginate(StreamName="kvs", PaginationConfig={"PageSize": 3}):
    allnums += [f["FragmentNumber"] for f in page["Fragments"]]
print(json.dumps({"times": times, "pages": pages, "errs": errs, "nums": nums, "lpages": lpages, "allnums": allnums}))
`, int64(start), int64(start)+10, int64(start), int64(start)+11)
	var res struct {
		Times   []float64
		Pages   int
		Errs    []string
		Nums    []string
		Lpages  int
		Allnums []string
	}
	runPython(t, py, script, clientEnv("AKIDEXAMPLE", "dummy"), &res)
	if len(res.Times) != 11 || res.Pages != 3 {
		t.Fatalf("GetImages paginator: %d timestamps in %d pages, want 11 in 3", len(res.Times), res.Pages)
	}
	for k, tm := range res.Times {
		if tm != start+float64(k) {
			t.Errorf("timestamp %d = %v, want %v", k, tm, start+float64(k))
		}
	}
	// start is 0.513 s before the first span: t_0 is served (SPEC §1 one-second rule).
	for k, e := range res.Errs {
		if e == "NO_MEDIA" {
			t.Errorf("timestamp %d: NO_MEDIA inside the stored media", k)
		}
	}
	want := make([]string, len(frags))
	for i, f := range frags {
		want[i] = f.Number
	}
	if strings.Join(res.Nums, ",") != strings.Join(want, ",") || res.Lpages != 3 {
		t.Errorf("ListFragments paginator: %v in %d pages, want %v in 3", res.Nums, res.Lpages, want)
	}
	if strings.Join(res.Allnums, ",") != strings.Join(want, ",") {
		t.Errorf("ListFragments without selector: %v, want %v", res.Allnums, want)
	}
}

// TestBoto3ListFragmentsValidation covers ListFragments' own rules.
func TestBoto3ListFragmentsAndControlPlane(t *testing.T) {
	py := needBoto3(t)
	ts := startServer(t, nil)
	ingestFile(t, ts.Store, "kvs", kvsPath(t), 24)
	script := fmt.Sprintf(pyPrelude, ts.URL) + `
out = {}
sel = {"FragmentSelectorType": "SERVER_TIMESTAMP", "TimestampRange": {"StartTimestamp": 0, "EndTimestamp": 4000000000}}
out["max0"] = call(am.list_fragments, StreamName="kvs", MaxResults=0)
out["max1001"] = call(am.list_fragments, StreamName="kvs", MaxResults=1001)
out["badsel"] = call(am.list_fragments, StreamName="kvs", FragmentSelector={"FragmentSelectorType": "X", "TimestampRange": sel["TimestampRange"]})
out["norange"] = call(am.list_fragments, StreamName="kvs", FragmentSelector={"FragmentSelectorType": "SERVER_TIMESTAMP"})
out["unknown"] = call(am.list_fragments, StreamName="nosuch")
out["forged"] = call(am.list_fragments, StreamName="kvs", NextToken="QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=")
first = call(am.list_fragments, StreamName="kvs", MaxResults=2, FragmentSelector=sel)
out["first"] = first
# A NextToken alone continues without the selector.
out["cont"] = call(am.list_fragments, StreamName="kvs", NextToken=first["resp"]["NextToken"])
out["create"] = call(kv.create_stream, StreamName="made", DataRetentionInHours=2, MediaType="video/h264")
out["dup"] = call(kv.create_stream, StreamName="made")
out["describe"] = call(kv.describe_stream, StreamName="made")
out["endpoint"] = call(kv.get_data_endpoint, StreamName="kvs", APIName="GET_IMAGES")
out["list"] = call(kv.list_streams)
out["delete"] = call(kv.delete_stream, StreamARN=out["create"]["resp"]["StreamARN"])
out["gone"] = call(kv.describe_stream, StreamName="made")
print(json.dumps(out, default=enc))
`
	var res map[string]pyResult
	runPython(t, py, script, clientEnv("AKIDEXAMPLE", "dummy"), &res)
	for name, want := range map[string]string{"max0": "InvalidArgumentException", "max1001": "InvalidArgumentException",
		"badsel": "InvalidArgumentException", "norange": "InvalidArgumentException", "unknown": "ResourceNotFoundException",
		"forged": "InvalidArgumentException", "dup": "ResourceInUseException", "gone": "ResourceNotFoundException"} {
		if r := res[name]; r.OK || r.Code != want {
			t.Errorf("%s: ok=%v code=%s, want %s", name, r.OK, r.Code, want)
		}
	}
	for _, name := range []string{"first", "cont", "create", "describe", "endpoint", "list", "delete"} {
		if r := res[name]; !r.OK {
			t.Errorf("%s: %s %s", name, r.Code, r.Message)
		}
	}
	var first, cont struct {
		Fragments []struct{ FragmentNumber string }
	}
	json.Unmarshal(res["first"].Resp, &first)
	json.Unmarshal(res["cont"].Resp, &cont)
	// The continuation has the default MaxResults (100): the other 3.
	if len(first.Fragments) != 2 || len(cont.Fragments) != kvsFrags-2 || cont.Fragments[0].FragmentNumber <= first.Fragments[1].FragmentNumber {
		t.Errorf("ListFragments pages: %+v then %+v", first, cont)
	}
	var ep struct{ DataEndpoint string }
	json.Unmarshal(res["endpoint"].Resp, &ep)
	if ep.DataEndpoint != ts.URL {
		t.Errorf("GetDataEndpoint = %q, want %q", ep.DataEndpoint, ts.URL)
	}
	var d struct {
		StreamInfo struct {
			StreamName, Status   string
			DataRetentionInHours int
		}
	}
	json.Unmarshal(res["describe"].Resp, &d)
	if d.StreamInfo.StreamName != "made" || d.StreamInfo.Status != "ACTIVE" || d.StreamInfo.DataRetentionInHours != 2 {
		t.Errorf("DescribeStream: %+v", d)
	}
}

// TestBoto3SigV4 runs the server with credentials: the real client signing
// with them is served; a wrong secret, a wrong key id and an unsigned request
// get NotAuthorizedException (401).
func TestBoto3SigV4(t *testing.T) {
	py := needBoto3(t)
	ts := startServer(t, func(c *Config) {
		c.Credentials = &Credentials{AccessKeyID: "AKIDSTILLSTEST", SecretAccessKey: "s3cr3t/Key+value"}
	})
	ingestFile(t, ts.Store, "kvs", kvsPath(t), 24)
	script := fmt.Sprintf(pyPrelude, ts.URL) + `
out = {}
out["list"] = call(am.list_fragments, StreamName="kvs")
out["images"] = call(am.get_images, StreamName="kvs", ImageSelectorType="SERVER_TIMESTAMP", StartTimestamp=0, EndTimestamp=1, Format="PNG")
out["clip"] = call(am.get_clip, StreamName="kvs", ClipFragmentSelector={"FragmentSelectorType": "PRODUCER_TIMESTAMP",
    "TimestampRange": {"StartTimestamp": 1511852108, "EndTimestamp": 1511852111}})
if out["clip"]["ok"]:
    out["clip"]["resp"] = {"len": len(out["clip"]["resp"]["Payload"].read())}
out["ctrl"] = call(kv.list_streams)
bad = boto3.client("kinesis-video-archived-media", endpoint_url=URL, config=cfg,
                   aws_access_key_id="AKIDSTILLSTEST", aws_secret_access_key="wrong")
out["badsecret"] = call(bad.list_fragments, StreamName="kvs")
badid = boto3.client("kinesis-video-archived-media", endpoint_url=URL, config=cfg,
                   aws_access_key_id="AKIDOTHER", aws_secret_access_key="s3cr3t/Key+value")
out["badid"] = call(badid.list_fragments, StreamName="kvs")
print(json.dumps(out, default=enc))
`
	var res map[string]pyResult
	runPython(t, py, script, clientEnv("AKIDSTILLSTEST", "s3cr3t/Key+value"), &res)
	for _, n := range []string{"list", "images", "clip", "ctrl"} {
		if !res[n].OK {
			t.Errorf("correctly signed %s: %s %s", n, res[n].Code, res[n].Message)
		}
	}
	for _, n := range []string{"badsecret", "badid"} {
		if r := res[n]; r.OK || r.Code != "NotAuthorizedException" || r.Status != 401 {
			t.Errorf("%s: ok=%v %s/%d, want NotAuthorizedException/401", n, r.OK, r.Code, r.Status)
		}
	}
	// Unsigned.
	code, typ, _ := rawPost(t, ts.URL+"/listFragments", `{"StreamName":"kvs"}`)
	if code != 401 || typ != "NotAuthorizedException" {
		t.Errorf("unsigned request: %d %s, want 401 NotAuthorizedException", code, typ)
	}
}
