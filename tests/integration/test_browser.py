"""Browser tests of the search page, relayed into TAP.

Runs tests/browser/run.mjs (node + playwright-core driving Debian's
chromium, axe-core for accessibility) and passes its "ok"/"not ok" lines
through, so tests/run.sh counts them with the rest.  The Makefile's
browser-deps installs chromium, node and the npm packages first; when
they are missing this is a failure, not a skip, so a broken set-up shows.
"""
import os, shutil, subprocess, sys

from harness import ROOT, check, done

NODE = shutil.which("node")
RUNNER = os.path.join(ROOT, "tests", "browser", "run.mjs")


def main():
    if not check(NODE is not None, "node is installed (make browser-deps)"):
        done()
    if not check(os.path.isdir(os.path.join(ROOT, "node_modules", "playwright-core")) and
                 os.path.isdir(os.path.join(ROOT, "node_modules", "axe-core")),
                 "playwright-core and axe-core are installed (make browser-deps)"):
        done()
    chromium = os.environ.get("SOK_CHROMIUM", "/usr/bin/chromium")
    if not check(os.access(chromium, os.X_OK), "chromium is installed at " + chromium):
        done()
    # The runner numbers its own checks; renumbering keeps one TAP stream.
    p = subprocess.Popen([NODE, RUNNER], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    seen = 0
    for line in p.stdout:
        line = line.rstrip("\n")
        if line.startswith("ok ") or line.startswith("not ok "):
            ok = line.startswith("ok ")
            name = line.split(" - ", 1)[1] if " - " in line else line
            seen += 1
            check(ok, "browser: " + name)
        else:
            print(line if line.startswith("#") else "# " + line)
        sys.stdout.flush()
    rc = p.wait()
    check(seen > 0 and rc == 0, "the browser run finished cleanly (exit %d)" % rc)
    done()


if __name__ == "__main__":
    main()
