#!/usr/bin/env python3
"""The Debian package (make deb, which make test runs first) and make
install, checked without a container: the .deb's control data, files,
conffiles and maintainer scripts (dpkg-deb -I/-c/-e), its contents unpacked
into a scratch root where systemd-sysusers and systemd-tmpfiles create the
sok user and its directories as the postinst would, the units through
systemd-analyze verify and security (each below 4.0), lintian without
errors, the man pages without groff warnings, and the packaged programs
run: --version, --check-config of the packaged config."""
import glob, os, re, shutil, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, ROOT, tempdir

UNITS = ["sok-server.service", "sok-index.service", "sok-index.timer"]


def run(*cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    return p.returncode, p.stdout, p.stderr


debs = sorted(glob.glob(os.path.join(ROOT, "build", "deb", "sok_*_*.deb")))
if not check(len(debs) == 1, "make deb built one package", debs):
    done()
deb = debs[0]
tmp = tempdir()
try:
    # ------------------------------------------------------- control data
    rc, info, err = run("dpkg-deb", "-f", deb)
    fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", info, re.M))
    check(rc == 0 and fields.get("Package") == "sok" and
          "poppler-utils" in fields.get("Depends", "") and
          "libxapian" in fields.get("Depends", ""),
          "control: package sok, depends on poppler-utils and the shared libraries", info)
    rc, listing, err = run("dpkg-deb", "-c", deb)
    files = {l.split()[-1].lstrip(".") for l in listing.splitlines()}
    want = ["/usr/bin/sok-index", "/usr/sbin/sok-server",
            "/usr/share/man/man1/sok-index.1.gz", "/usr/share/man/man8/sok-server.8.gz",
            "/lib/systemd/system/sok-server.service", "/lib/systemd/system/sok-index.service",
            "/lib/systemd/system/sok-index.timer", "/etc/sok/sok-server.conf",
            "/etc/sok/sok-index.conf", "/etc/cron.d/sok-index", "/etc/logrotate.d/sok",
            "/usr/lib/sysusers.d/sok.conf", "/usr/lib/tmpfiles.d/sok.conf",
            "/usr/share/doc/sok/copyright"]
    missing = [f for f in want if f not in files]
    check(not missing, "the package holds the programs, man pages, units, timer, "
          "configs, cron, logrotate, sysusers and tmpfiles", missing)

    ctl = os.path.join(tmp, "ctl")
    rc, _, err = run("dpkg-deb", "-e", deb, ctl)
    read = lambda n: open(os.path.join(ctl, n)).read() if os.path.exists(os.path.join(ctl, n)) else ""
    conff = read("conffiles").split()
    check({"/etc/sok/sok-server.conf", "/etc/sok/sok-index.conf", "/etc/cron.d/sok-index",
           "/etc/logrotate.d/sok"} <= set(conff), "conffiles: the configs, cron and logrotate", conff)
    post = read("postinst")
    order = [post.find(s) for s in ("systemd-sysusers", "systemd-tmpfiles",
                                    "deb-systemd-helper enable 'sok-server.service'",
                                    "deb-systemd-invoke")]
    check(all(i >= 0 for i in order) and order == sorted(order),
          "postinst: the user, then its directories, then the units enabled and started", post[:400])
    check("deb-systemd-helper enable 'sok-index.timer'" in post and
          re.search(r"deb-systemd-invoke \$_dh_action .*'sok-server.service'", post),
          "postinst: the nightly timer is enabled, the server started", post[-600:])
    check("deb-systemd-invoke stop" in read("prerm") and "purge" in read("postrm"),
          "prerm stops the units, postrm purges their state", read("prerm")[:300])
    for s in ("postinst", "prerm", "postrm"):
        rc, _, err = run("sh", "-n", os.path.join(ctl, s))
        check(rc == 0, "%s: valid sh" % s, err)

    # --------------------------------------------------- the scratch root
    root = os.path.join(tmp, "root")
    rc, _, err = run("dpkg-deb", "-x", deb, root)
    check(rc == 0, "dpkg-deb -x unpacks the package", err)
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    with open(os.path.join(root, "etc", "group"), "w") as f:
        f.write("root:x:0:\nadm:x:4:\n")     # Debian's base groups
    rc, out, err = run("systemd-sysusers", "--root=" + root,
                       os.path.join(root, "usr/lib/sysusers.d/sok.conf"))
    pw = open(os.path.join(root, "etc", "passwd")).read() if rc == 0 else ""
    check(rc == 0 and re.search(r"^sok:x:\d+:\d+:[^:]*:/var/lib/sok:/usr/sbin/nologin$", pw, re.M),
          "sysusers.d creates the system user sok (home /var/lib/sok, no shell)", (err, pw))
    rc, out, err = run("systemd-tmpfiles", "--root=" + root, "--create",
                       os.path.join(root, "usr/lib/tmpfiles.d/sok.conf"))
    uid = int(re.search(r"^sok:x:(\d+):", pw, re.M).group(1)) if pw else -1
    dirs = ["var/lib/sok", "var/lib/sok-server", "srv/sok/corpus", "var/log/sok"]
    owned = {d: os.path.isdir(os.path.join(root, d)) and
             os.stat(os.path.join(root, d)).st_uid == uid for d in dirs}
    check(rc == 0 and all(owned.values()),
          "tmpfiles.d creates /var/lib/sok, /var/lib/sok-server, /srv/sok/corpus, /var/log/sok for sok",
          (err, owned))

    # ------------------------------------------------------------ units
    # verify needs the host's targets and /bin/kill under the root it checks.
    sysd = os.path.join(root, "usr/lib/systemd/system")
    os.makedirs(sysd, exist_ok=True)
    for f in glob.glob("/lib/systemd/system/*.target") + glob.glob("/lib/systemd/system/*.slice"):
        shutil.copy(f, sysd)
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    shutil.copy("/bin/kill", os.path.join(root, "bin", "kill"))
    paths = [os.path.join(root, "lib/systemd/system", u) for u in UNITS]
    rc, out, err = run("systemd-analyze", "verify", "--man=no", "--root=" + root, *paths)
    check(rc == 0 and not err.strip(), "systemd-analyze verify passes on the units", err)
    for u in ("sok-server.service", "sok-index.service"):
        rc, out, err = run("systemd-analyze", "security", "--offline=true", "--root=" + root,
                           os.path.join(root, "lib/systemd/system", u))
        m = re.search(r"Overall exposure level for \S+: ([\d.]+)", out + err)
        score = float(m.group(1)) if m else 99
        print("# %s: %s; remaining: %s" % (u, m.group(0) if m else "?", ", ".join(
            re.findall(r"✗ (\S+)", out))))
        check(score < 4.0, "systemd-analyze security %s below 4.0 (%.1f)" % (u, score), out[-800:])
    srv = open(paths[0]).read()
    idx = open(paths[1]).read()
    check("Type=notify" in srv and "--wait-for-index" in srv and "ExecReload=" in srv and
          "--check-config" in srv, "server unit: notify, waits for an index, checks its config, reloads",
          srv)
    check("PrivateNetwork=true" in idx and "CapabilityBoundingSet=\n" in idx and
          "SystemCallFilter=@system-service" in idx and "ProtectHome=true" in idx,
          "index unit: no network, no capabilities, a system-call filter, no home", idx)
    cron = open(os.path.join(root, "etc/cron.d/sok-index")).read()
    check(re.search(r"^\S+ \S+ \S+ \S+ \S+ sok \[ -d /run/systemd/system \] \|\| /usr/bin/sok-index ",
                    cron, re.M), "cron: runs as sok, only where systemd does not", cron)
    lr = open(os.path.join(root, "etc/logrotate.d/sok")).read()
    check("/var/log/sok/index.log" in lr and "postrotate" in lr and "reload" in lr,
          "logrotate: the cron log, and the access log with a reload", lr)

    # ----------------------------------------------------- the programs
    rc, out, err = run(os.path.join(root, "usr/bin/sok-index"), "--version")
    check(rc == 0 and out.startswith("sok-index "), "packaged sok-index runs", (out, err))
    conf = os.path.join(root, "etc/sok/sok-server.conf")
    rc, out, err = run(os.path.join(root, "usr/sbin/sok-server"), "--config", conf, "--check-config")
    check(rc == 0 and "valid" in out, "packaged sok-server accepts its packaged config", (out, err))
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(corpus)
    shutil.copy(glob.glob(os.path.join(ROOT, "corpus", "001_*"))[0], corpus)
    rc, out, err = run(os.path.join(root, "usr/bin/sok-index"), "--config",
                       os.path.join(root, "etc/sok/sok-index.conf"), "--db",
                       os.path.join(tmp, "db"), corpus)
    check(rc == 0 and "added=1" in out, "packaged sok-index reads its packaged config and indexes",
          (out, err))

    # -------------------------------------------------- man and lintian
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    for page in ("usr/share/man/man1/sok-index.1.gz", "usr/share/man/man8/sok-server.8.gz"):
        rc, out, err = run("man", "--warnings", "-l", os.path.join(root, page), env=env)
        check(rc == 0 and not err.strip() and "EXIT STATUS" in out and "SYNOPSIS" in out,
              "man %s renders without warnings" % os.path.basename(page), err[:500])
    rc, out, err = run("lintian", "--no-tag-display-limit", deb)
    print("# lintian: " + (out.strip().replace("\n", "\n#   ") or "nothing to say"))
    check(not re.search(r"^E: ", out, re.M), "lintian reports no errors", out)

    # --------------------------------------------- make install/uninstall
    dest = os.path.join(tmp, "dest")
    rc, out, err = run("make", "-s", "--no-print-directory", "-C", ROOT, "install",
                       "DESTDIR=" + dest, "PREFIX=/opt/sok")
    unit = os.path.join(dest, "opt/sok/lib/systemd/system/sok-server.service")
    text = open(unit).read() if os.path.exists(unit) else ""
    check(rc == 0 and os.access(os.path.join(dest, "opt/sok/sbin/sok-server"), os.X_OK) and
          "ExecStart=/opt/sok/sbin/sok-server --config /opt/sok/etc/sok/sok-server.conf" in text and
          os.path.exists(os.path.join(dest, "opt/sok/etc/sok/sok-server.conf")),
          "make install PREFIX DESTDIR: programs, units with their paths, config", (err, text[:300]))
    rc, out, err = run("make", "-s", "--no-print-directory", "-C", ROOT, "uninstall",
                       "DESTDIR=" + dest, "PREFIX=/opt/sok")
    left = [os.path.relpath(os.path.join(d, f), dest) for d, _, fs in os.walk(dest) for f in fs]
    check(rc == 0 and sorted(left) == ["opt/sok/etc/sok/sok-index.conf",
                                       "opt/sok/etc/sok/sok-server.conf"],
          "make uninstall removes all but the config files", left)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
done()
