package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/stills/stills/media"
	"github.com/stills/stills/mkv"
)

// NumberBase is added to a fragment's sequence number to form its
// FragmentNumber, so numbers are fixed-width decimal strings (19 digits)
// that increase with ingestion order and sort the same as text and as
// numbers.
const NumberBase = 9_100_000_000_000_000_000

// Options configure a Disk store.
type Options struct {
	// Region and Account appear in stream ARNs
	// (arn:aws:kinesisvideo:<region>:<account>:stream/<name>/<creation-ms>).
	Region, Account string
	// LockTimeout is how long Open waits for another process holding the
	// data directory (default 2 s).
	LockTimeout time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Disk is a Store on a local directory; safe for concurrent use by one process.
type Disk struct {
	dir  string
	db   *bolt.DB
	opts Options
	key  []byte
	mu   sync.Mutex // serialises Append (sequence allocation and file names)
	buf  []byte     // fragment build buffer, guarded by mu
	lay  []mkv.FrameLayout
}

var (
	bucketStreams = []byte("streams")
	bucketData    = []byte("data")
	subFrags      = []byte("f")
	subProducer   = []byte("p")
	subServer     = []byte("v")
	keyLastSeq    = []byte("last") // highest sequence number committed in a stream
)

// Open opens (creating when needed) the store in dir. It fails with an
// error wrapping ErrInUse when another process has it open.
func Open(dir string, opts Options) (*Disk, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "000000000000"
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 2 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	for _, d := range []string{dir, filepath.Join(dir, "streams"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	key, err := loadKey(filepath.Join(dir, "token.key"))
	if err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(dir, "index.db"), 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s is locked (is `stills serve` or another `stills ingest` running on it?)", ErrInUse, dir)
		}
		return nil, fmt.Errorf("store: open index %s: %w", filepath.Join(dir, "index.db"), err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketStreams); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketData)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: initialise index: %w", err)
	}
	// Payloads left half-written by a crash are never referenced; drop them.
	if ents, err := os.ReadDir(filepath.Join(dir, "tmp")); err == nil {
		for _, e := range ents {
			os.Remove(filepath.Join(dir, "tmp", e.Name()))
		}
	}
	return &Disk{dir: dir, db: db, opts: opts, key: key}, nil
}

// loadKey reads the token key, creating it crash-safely on first use.
func loadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("store: read token key: %w", err)
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := writeDurable(path, filepath.Dir(path), b, 0o600); err != nil {
		return nil, fmt.Errorf("store: write token key: %w", err)
	}
	return b, nil
}

// writeDurable writes data to path atomically: temp file, fsync, rename,
// fsync of the directory.
func writeDurable(path, tmpDir string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(tmpDir, ".tmp-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes the index.
func (d *Disk) Close() error { return d.db.Close() }

// TokenKey returns the NextToken HMAC key.
func (d *Disk) TokenKey() []byte { return d.key }

// Dir is the data directory.
func (d *Disk) Dir() string { return d.dir }

var streamNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,256}$`)

// ValidStreamName reports whether s is a valid stream name (1–256 of [a-zA-Z0-9_.-]).
func ValidStreamName(s string) bool { return streamNameRE.MatchString(s) }

// CreateStream creates a stream; ErrStreamExists when the name is taken.
func (d *Disk) CreateStream(ctx context.Context, ns NewStream) (StreamInfo, error) {
	if !ValidStreamName(ns.Name) {
		return StreamInfo{}, fmt.Errorf("%w: stream name %q must be 1-256 of [a-zA-Z0-9_.-]", ErrInvalid, ns.Name)
	}
	if ns.RetentionHours < 0 {
		return StreamInfo{}, fmt.Errorf("%w: DataRetentionInHours must be >= 0", ErrInvalid)
	}
	now := d.opts.Now().UTC().Truncate(time.Millisecond)
	ms := now.UnixMilli()
	info := StreamInfo{
		Name:           ns.Name,
		ARN:            fmt.Sprintf("arn:aws:kinesisvideo:%s:%s:stream/%s/%d", d.opts.Region, d.opts.Account, ns.Name, ms),
		ID:             ns.Name + "-" + strconv.FormatInt(ms, 10) + "-" + randHex(4),
		CreationTime:   now,
		MediaType:      ns.MediaType,
		DeviceName:     ns.DeviceName,
		KmsKeyID:       ns.KmsKeyID,
		RetentionHours: ns.RetentionHours,
		Version:        strconv.FormatInt(ms, 36),
	}
	// The directory exists before the stream does: a crash between the two
	// leaves an empty directory, never a stream without one.
	if err := os.MkdirAll(filepath.Join(d.dir, "streams", info.ID), 0o755); err != nil {
		return StreamInfo{}, fmt.Errorf("store: create stream directory: %w", err)
	}
	syncDir(filepath.Join(d.dir, "streams"))
	err := d.db.Update(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketStreams)
		if sb.Get([]byte(ns.Name)) != nil {
			return fmt.Errorf("%w: %s", ErrStreamExists, ns.Name)
		}
		if sb.Stats().KeyN >= MaxStreams {
			return fmt.Errorf("%w: the store holds the maximum of %d streams", ErrInvalid, MaxStreams)
		}
		b, _ := json.Marshal(&info)
		if err := sb.Put([]byte(ns.Name), b); err != nil {
			return err
		}
		db, err := tx.Bucket(bucketData).CreateBucketIfNotExists([]byte(info.ID))
		if err != nil {
			return err
		}
		for _, n := range [][]byte{subFrags, subProducer, subServer} {
			if _, err := db.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		os.Remove(filepath.Join(d.dir, "streams", info.ID))
		return StreamInfo{}, err
	}
	return info, nil
}

// ParseARN splits a stream ARN into name and creation milliseconds.
func ParseARN(arn string) (name string, ms int64, ok bool) {
	// arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<ms>
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "kinesisvideo" || parts[4] == "" {
		return "", 0, false
	}
	rest := parts[5]
	if !strings.HasPrefix(rest, "stream/") {
		return "", 0, false
	}
	rest = rest[len("stream/"):]
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "", 0, false
	}
	name = rest[:i]
	ms, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil || ms < 0 || !ValidStreamName(name) {
		return "", 0, false
	}
	return name, ms, true
}

func getStream(tx *bolt.Tx, name string) (StreamInfo, bool, error) {
	v := tx.Bucket(bucketStreams).Get([]byte(name))
	if v == nil {
		return StreamInfo{}, false, nil
	}
	var s StreamInfo
	if err := json.Unmarshal(v, &s); err != nil {
		return StreamInfo{}, false, fmt.Errorf("%w: stream %s: %v", ErrCorrupt, name, err)
	}
	return s, true, nil
}

// Stream looks a stream up by name and/or ARN.
func (d *Disk) Stream(ctx context.Context, name, arn string) (StreamInfo, error) {
	if name == "" && arn != "" {
		n, _, ok := ParseARN(arn)
		if !ok {
			return StreamInfo{}, fmt.Errorf("%w: malformed stream ARN %q", ErrInvalid, arn)
		}
		name = n
	}
	var s StreamInfo
	err := d.db.View(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		s, ok, err = getStream(tx, name)
		if err != nil {
			return err
		}
		if !ok || (arn != "" && s.ARN != arn) {
			what := name
			if arn != "" {
				what = arn
			}
			return fmt.Errorf("%w: %s", ErrStreamNotFound, what)
		}
		return nil
	})
	return s, err
}

// ListStreams lists streams in name order whose name starts with prefix and
// sorts after `after`, at most limit.
func (d *Disk) ListStreams(ctx context.Context, prefix, after string, limit int) ([]StreamInfo, error) {
	var out []StreamInfo
	err := d.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketStreams).Cursor()
		var k, v []byte
		if after != "" {
			k, v = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, v = c.Next()
			}
		} else {
			k, v = c.Seek([]byte(prefix))
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			if !bytes.HasPrefix(k, []byte(prefix)) {
				if string(k) > prefix {
					break
				}
				continue
			}
			var s StreamInfo
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("%w: stream %s: %v", ErrCorrupt, k, err)
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// DeleteStream deletes a stream and its fragments.
func (d *Disk) DeleteStream(ctx context.Context, arn string) error {
	name, _, ok := ParseARN(arn)
	if !ok {
		return fmt.Errorf("%w: malformed stream ARN %q", ErrInvalid, arn)
	}
	var id string
	err := d.db.Update(func(tx *bolt.Tx) error {
		s, ok, err := getStream(tx, name)
		if err != nil {
			return err
		}
		if !ok || s.ARN != arn {
			return fmt.Errorf("%w: %s", ErrStreamNotFound, arn)
		}
		id = s.ID
		if err := tx.Bucket(bucketStreams).Delete([]byte(name)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketData).DeleteBucket([]byte(id)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Files go after the index commit: a crash here leaves only unreferenced files.
	os.RemoveAll(filepath.Join(d.dir, "streams", id))
	return nil
}

// timeKey is a big-endian key that sorts like the signed time t, followed by seq.
func timeKey(t int64, seq uint64) []byte {
	var k [16]byte
	binary.BigEndian.PutUint64(k[:8], uint64(t)^(1<<63))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k[:]
}

func keyTime(k []byte) (int64, uint64) {
	return int64(binary.BigEndian.Uint64(k[:8]) ^ (1 << 63)), binary.BigEndian.Uint64(k[8:])
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

func (d *Disk) fragPath(id string, seq uint64) string {
	return filepath.Join(d.dir, "streams", id, strconv.FormatUint(seq, 10)+".mkv")
}

// Append stores f in stream durably (see the package comment) and returns
// the committed record.
func (d *Disk) Append(ctx context.Context, stream string, f *NewFragment) (Fragment, error) {
	if len(f.Frames) == 0 {
		return Fragment{}, fmt.Errorf("%w: a fragment needs at least one frame", ErrInvalid)
	}
	if len(f.Frames) > MaxSamplesPerFragment {
		return Fragment{}, fmt.Errorf("%w: %d frames in one fragment (limit %d)", ErrInvalid, len(f.Frames), MaxSamplesPerFragment)
	}
	if !f.Track.Video {
		return Fragment{}, fmt.Errorf("%w: the fragment's track is not video", ErrInvalid)
	}
	d.mu.Lock()
	defer d.mu.Unlock()

	var info StreamInfo
	var seq uint64
	err := d.db.View(func(tx *bolt.Tx) error {
		s, ok, err := getStream(tx, stream)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrStreamNotFound, stream)
		}
		info = s
		b := tx.Bucket(bucketData).Bucket([]byte(s.ID))
		if b == nil {
			return fmt.Errorf("%w: data bucket of stream %s missing", ErrCorrupt, stream)
		}
		if k, v := b.Bucket(subFrags).Cursor().Last(); k != nil {
			seq = binary.BigEndian.Uint64(k)
			last, err := decodeFragOpt(v, false)
			if err != nil {
				return err
			}
			// One stream, one codec: the engine decodes a stream's pictures
			// with one decoder (parameter sets may change, the codec not).
			if last.Track.Codec != f.Track.Codec {
				return fmt.Errorf("%w: stream %s holds %v video; cannot append %v", ErrInvalid, stream, last.Track.Codec, f.Track.Codec)
			}
		}
		// Numbers never go back, even when Prune emptied the stream.
		if v := b.Get(keyLastSeq); len(v) == 8 {
			seq = max(seq, binary.BigEndian.Uint64(v))
		}
		seq++
		return nil
	})
	if err != nil {
		return Fragment{}, err
	}

	// Producer start and frame times in whole milliseconds (KVS precision;
	// the Matroska file has 1 ms TimestampScale).
	const ms = int64(time.Millisecond)
	startMs := floorDiv(f.Producer, ms)
	server := f.Server
	if server == 0 {
		server = d.opts.Now().UnixNano()
	}
	serverMs := floorDiv(server, ms)
	number := strconv.FormatUint(NumberBase+seq, 10)

	mf := mkv.MuxFragment{Number: number, Producer: startMs, Server: serverMs}
	tr := f.Track
	mt := mkv.MuxTrack{Number: 1, CodecID: tr.CodecID, CodecPrivate: tr.CodecPrivate, Video: true, Width: tr.Width, Height: tr.Height}
	mf.Tracks = []mkv.MuxTrack{mt}
	mf.Frames = make([]mkv.MuxFrame, len(f.Frames))
	rec := Fragment{Seq: seq, Number: number, Producer: startMs * ms, Server: serverMs * ms, Track: tr}
	rec.Track.Number = 1
	rec.Samples = make([]SampleEntry, len(f.Frames))
	var end int64
	for i, fr := range f.Frames {
		if len(fr.Data) > MaxSampleBytes {
			return Fragment{}, fmt.Errorf("%w: frame %d is %d bytes (limit %d)", ErrInvalid, i, len(fr.Data), MaxSampleBytes)
		}
		tMs := floorDiv(fr.Time, ms)
		dMs := (fr.Duration + ms/2) / ms
		if dMs < 0 {
			dMs = 0
		}
		mf.Frames[i] = mkv.MuxFrame{Track: 1, Time: tMs, Duration: dMs, Keyframe: fr.Keyframe, Data: fr.Data}
		rec.Samples[i] = SampleEntry{Size: uint32(len(fr.Data)), Delta: (tMs - startMs) * ms, Duration: dMs * ms, Key: fr.Keyframe}
		end = max(end, (tMs-startMs+dMs)*ms)
	}
	rec.Duration = end
	if rec.Duration > int64(MaxFragmentDuration)+int64(time.Second) {
		return Fragment{}, fmt.Errorf("%w: fragment spans %v (limit %v)", ErrInvalid, time.Duration(rec.Duration), MaxFragmentDuration)
	}
	buf, lay, err := mkv.AppendFragment(d.buf[:0], &mf, d.lay)
	d.buf, d.lay = buf[:0], lay
	if err != nil {
		return Fragment{}, err
	}
	if len(buf) > MaxFragmentBytes {
		return Fragment{}, fmt.Errorf("%w: fragment is %d bytes (limit %d)", ErrInvalid, len(buf), MaxFragmentBytes)
	}
	for i := range rec.Samples {
		rec.Samples[i].Offset = uint32(lay[i].Offset)
	}
	rec.Size = int64(len(buf))

	// 1. Payload durable under its final name.
	if err := ctx.Err(); err != nil {
		return Fragment{}, err
	}
	if err := os.MkdirAll(filepath.Join(d.dir, "streams", info.ID), 0o755); err != nil {
		return Fragment{}, fmt.Errorf("store: stream directory: %w", err)
	}
	if err := writeDurable(d.fragPath(info.ID, seq), filepath.Join(d.dir, "tmp"), buf, 0o644); err != nil {
		return Fragment{}, fmt.Errorf("store: write fragment payload: %w", err)
	}
	// 2. Index commit (bbolt fsyncs before Update returns).
	recBytes := encodeFrag(nil, &rec)
	err = d.db.Update(func(tx *bolt.Tx) error {
		s, ok, err := getStream(tx, stream)
		if err != nil {
			return err
		}
		if !ok || s.ID != info.ID {
			return fmt.Errorf("%w: %s (deleted during append)", ErrStreamNotFound, stream)
		}
		b := tx.Bucket(bucketData).Bucket([]byte(s.ID))
		if err := b.Put(keyLastSeq, seqKey(seq)); err != nil {
			return err
		}
		if err := b.Bucket(subFrags).Put(seqKey(seq), recBytes); err != nil {
			return err
		}
		if err := b.Bucket(subProducer).Put(timeKey(rec.Producer, seq), nil); err != nil {
			return err
		}
		if err := b.Bucket(subServer).Put(timeKey(rec.Server, seq), nil); err != nil {
			return err
		}
		if rec.Duration > s.MaxDuration {
			s.MaxDuration = rec.Duration
			sb, _ := json.Marshal(&s)
			return tx.Bucket(bucketStreams).Put([]byte(stream), sb)
		}
		return nil
	})
	if err != nil {
		return Fragment{}, fmt.Errorf("store: commit fragment index: %w", err)
	}
	return rec, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func streamBucket(tx *bolt.Tx, stream string) (*bolt.Bucket, StreamInfo, error) {
	s, ok, err := getStream(tx, stream)
	if err != nil {
		return nil, s, err
	}
	if !ok {
		return nil, s, fmt.Errorf("%w: %s", ErrStreamNotFound, stream)
	}
	b := tx.Bucket(bucketData).Bucket([]byte(s.ID))
	if b == nil {
		return nil, s, fmt.Errorf("%w: data bucket of stream %s missing", ErrCorrupt, stream)
	}
	return b, s, nil
}

// ListFragments returns the fragments whose start on sel.Timeline lies in
// [sel.From, sel.To], in time order, after cursor c.
func (d *Disk) ListFragments(ctx context.Context, stream string, sel Selector, c *Cursor, limit int) ([]Fragment, bool, error) {
	var out []Fragment
	more := false
	err := d.db.View(func(tx *bolt.Tx) error {
		b, _, err := streamBucket(tx, stream)
		if err != nil {
			return err
		}
		idx := b.Bucket(subProducer)
		if sel.Timeline == media.ServerTime {
			idx = b.Bucket(subServer)
		}
		frags := b.Bucket(subFrags)
		cur := idx.Cursor()
		var k []byte
		if c != nil {
			k, _ = cur.Seek(timeKey(c.Time, c.Seq))
			if k != nil && bytes.Equal(k, timeKey(c.Time, c.Seq)) {
				k, _ = cur.Next()
			}
		} else {
			k, _ = cur.Seek(timeKey(sel.From, 0))
		}
		for ; k != nil; k, _ = cur.Next() {
			t, seq := keyTime(k)
			if t > sel.To {
				break
			}
			if t < sel.From {
				continue
			}
			if len(out) >= limit {
				more = true
				break
			}
			v := frags.Get(seqKey(seq))
			if v == nil {
				return fmt.Errorf("%w: time index names missing fragment %d", ErrCorrupt, seq)
			}
			f, err := decodeFragOpt(v, !sel.NoSamples)
			if err != nil {
				return err
			}
			out = append(out, f)
		}
		return nil
	})
	return out, more, err
}

// ParseNumber returns the sequence number of a fragment number.
func ParseNumber(number string) (uint64, bool) {
	n, err := strconv.ParseUint(number, 10, 64)
	if err != nil || n <= NumberBase {
		return 0, false
	}
	return n - NumberBase, true
}

// FragmentByNumber looks a fragment up by number.
func (d *Disk) FragmentByNumber(ctx context.Context, stream, number string) (Fragment, error) {
	seq, ok := ParseNumber(number)
	if !ok {
		return Fragment{}, fmt.Errorf("%w: %s", ErrFragmentNotFound, number)
	}
	var f Fragment
	err := d.db.View(func(tx *bolt.Tx) error {
		b, _, err := streamBucket(tx, stream)
		if err != nil {
			return err
		}
		v := b.Bucket(subFrags).Get(seqKey(seq))
		if v == nil {
			return fmt.Errorf("%w: %s", ErrFragmentNotFound, number)
		}
		f, err = decodeFrag(v)
		return err
	})
	return f, err
}

// ReadFragment returns the payload of f.
func (d *Disk) ReadFragment(ctx context.Context, stream string, f *Fragment) ([]byte, error) {
	s, err := d.Stream(ctx, stream, "")
	if err != nil {
		return nil, err
	}
	if f.Size > MaxFragmentBytes {
		return nil, fmt.Errorf("%w: fragment %s size %d", ErrCorrupt, f.Number, f.Size)
	}
	b, err := os.ReadFile(d.fragPath(s.ID, f.Seq))
	if err != nil {
		return nil, fmt.Errorf("store: read fragment %s: %w", f.Number, err)
	}
	if int64(len(b)) != f.Size {
		return nil, fmt.Errorf("%w: fragment %s is %d bytes on disk, index says %d", ErrCorrupt, f.Number, len(b), f.Size)
	}
	return b, nil
}

// MaxPruneBatch bounds the fragments one Prune transaction deletes, so a
// long-neglected store is trimmed in bounded steps.
const MaxPruneBatch = 10000

// Prune deletes the fragments whose server timestamp is older than their
// stream's DataRetentionInHours before now (streams with retention 0 keep
// nothing to prune). It returns how many fragments it deleted; index entries
// go first, files after the commit, so a crash leaves only unreferenced files.
func (d *Disk) Prune(ctx context.Context, now time.Time) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	streams, err := d.ListStreams(ctx, "", "", MaxStreams)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, s := range streams {
		if s.RetentionHours <= 0 {
			continue
		}
		cutoff := now.Add(-time.Duration(s.RetentionHours) * time.Hour).UnixNano()
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			var files []string
			err := d.db.Update(func(tx *bolt.Tx) error {
				b, info, err := streamBucket(tx, s.Name)
				if err != nil || info.ID != s.ID {
					return nil // deleted or re-created meanwhile
				}
				fb, pb, vb := b.Bucket(subFrags), b.Bucket(subProducer), b.Bucket(subServer)
				var keys [][]byte
				c := vb.Cursor()
				for k, _ := c.First(); k != nil && len(keys) < MaxPruneBatch; k, _ = c.Next() {
					t, _ := keyTime(k)
					if t >= cutoff {
						break
					}
					keys = append(keys, append([]byte(nil), k...))
				}
				for _, k := range keys {
					t, seq := keyTime(k)
					if v := fb.Get(seqKey(seq)); v != nil {
						if f, err := decodeFragOpt(v, false); err == nil {
							if err := pb.Delete(timeKey(f.Producer, seq)); err != nil {
								return err
							}
						}
					}
					if err := fb.Delete(seqKey(seq)); err != nil {
						return err
					}
					if err := vb.Delete(timeKey(t, seq)); err != nil {
						return err
					}
					files = append(files, d.fragPath(s.ID, seq))
				}
				return nil
			})
			if err != nil {
				return total, fmt.Errorf("store: prune %s: %w", s.Name, err)
			}
			for _, f := range files {
				os.Remove(f)
			}
			total += len(files)
			if len(files) < MaxPruneBatch {
				break
			}
		}
	}
	return total, nil
}
