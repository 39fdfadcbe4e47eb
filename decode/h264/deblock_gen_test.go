package h264

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestDeblockGenUpToDate runs deblock_gen.go and compares its output with
// the committed deblock_swar_gen.go, so that the generated edge functions
// cannot drift from their generator (regenerate with go generate).
func TestDeblockGenUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go") // the toolchain running the test
		if _, err := os.Stat(goCmd); err != nil {
			t.Skipf("no go command: %v", err)
		}
	}
	want, err := os.ReadFile("deblock_swar_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goCmd, "run", "deblock_gen.go", "-stdout")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run deblock_gen.go: %v\n%s", err, stderr.Bytes())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("deblock_swar_gen.go is not what deblock_gen.go writes: run go generate ./decode/h264/")
	}
}
