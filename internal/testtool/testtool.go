// Package testtool lets tests use external oracles (ffmpeg, x264 through
// ffmpeg, cjpeg, djpeg, dec265, aws, python3 with boto3) honestly: a tool that is missing
// skips the test loudly on a developer's machine, and fails it in CI (when
// the CI or STILLS_REQUIRE_TOOLS environment variable is set), so a green CI
// never hides an oracle test that did not run.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether missing tools must fail tests rather than skip them.
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("STILLS_REQUIRE_TOOLS") != ""
}

// Need returns the path of the named program, or skips (locally) / fails (CI)
// the test when it is not installed.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if Required() {
		t.Fatalf("%s is required in CI but not installed (install it in .ci/run)", name)
	}
	t.Skipf("SKIP: %s not installed; this oracle test did not run (CI installs it)", name)
	return ""
}

// SharedDir returns the path of the project's shared/ directory (beside the
// repository) or skips/fails like Need when it is absent.
func SharedDir(t testing.TB) string {
	t.Helper()
	for _, d := range []string{os.Getenv("STILLS_SHARED"), "../shared", "../../shared", "../../../shared", "../../../../shared"} {
		if d == "" {
			continue
		}
		if st, err := os.Stat(d + "/SPEC.md"); err == nil && !st.IsDir() {
			return d
		}
	}
	if Required() {
		t.Fatalf("shared/ directory not found beside the repository")
	}
	t.Skipf("SKIP: shared/ directory not found; set STILLS_SHARED")
	return ""
}
