"""Tiny TAP harness shared by the integration tests (stdlib only).

Each check prints "ok N - name" or "not ok N - name" plus details, which
tests/run.sh counts.  Paths to the real binaries come from the repo root.
"""
import hashlib, os, subprocess, sys, tempfile, shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("SOK_BUILD", os.path.join(ROOT, "build"))
SOK_INDEX = os.path.join(BUILD, "sok-index")
SOK_SERVER = os.path.join(BUILD, "sok-server")
CORPUS = os.path.join(ROOT, "corpus")

_n = 0
_failed = 0


def check(cond, name, detail=""):
    """Records one test result; returns cond so callers can branch on it."""
    global _n, _failed
    _n += 1
    if cond:
        print("ok %d - %s" % (_n, name))
    else:
        _failed += 1
        print("not ok %d - %s" % (_n, name))
        if detail:
            for line in str(detail).splitlines()[:40]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def skip(name, why):
    """Records a check that cannot run yet: "ok N - name # SKIP why", which
    tests/run.sh counts as skipped, not passed."""
    global _n
    _n += 1
    print("ok %d - %s # SKIP %s" % (_n, name, why))
    sys.stdout.flush()


def done():
    print("# %d checks, %d failed" % (_n, _failed))
    sys.exit(1 if _failed else 0)


def run_index(db, *paths, args=(), timeout=600, cwd=None):
    """Runs sok-index; returns (exit code, stdout, stderr)."""
    p = subprocess.run([SOK_INDEX, "--db", db, *args, *paths], capture_output=True,
                       text=True, timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def summary(out):
    """Parses the last stdout line "added=A ... seconds=X" into a dict."""
    line = out.strip().splitlines()[-1] if out.strip() else ""
    d = {}
    for kv in line.split():
        k, _, v = kv.partition("=")
        d[k] = float(v) if k == "seconds" else int(v)
    return d


def tempdir():
    return tempfile.mkdtemp(prefix="sok-test-")


def copy_corpus(dst):
    shutil.copytree(CORPUS, dst)
    return dst


def current_gen(db):
    """The glass database the index's stub points at."""
    with open(os.path.join(db, "XAPIANDB")) as f:
        return os.path.join(db, f.read().split()[1])


def fingerprint(db):
    """What a reader sees: document count, the set of section ids, the
    per-file metadata.  Equal fingerprints mean equal revisions' content."""
    import xapian
    d = xapian.Database(db)
    h = hashlib.sha256()
    for t in d.allterms("Q"):
        h.update(t.term + b"\n")
    for k in d.metadata_keys(b"sok:file:"):
        h.update(k + b"=" + d.get_metadata(k) + b"\n")
    return (d.get_doccount(), h.hexdigest())


def record(data):
    """A section's stored record (Xapian document data, bytes) as a dict:
    the JSON object before the first NUL, the text after it (schema 7;
    sok_doc_section_record())."""
    import json
    head, sep, text = data.partition(b"\0")
    rec = json.loads(head)
    if sep:
        rec["text"] = text.decode("utf-8")
    return rec


def lock_holders(path):
    """Process ids holding a flock() on path, from /proc/locks (which, unlike
    trying the lock, cannot disturb the run that holds it)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return set()
    dev = "%02x:%02x:%d" % (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
    pids = set()
    with open("/proc/locks") as f:
        for line in f:
            w = line.split()
            if "FLOCK" in w and dev in w:
                pids.add(int(w[w.index(dev) - 1]))
    return pids
