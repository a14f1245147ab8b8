#!/bin/sh
# Installs whichever of the given Debian packages is missing (apt-get, as
# root): how every make target gets what it needs on a fresh machine.
#   install-missing.sh LABEL PKG...
label=$1; shift
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "$label: installing$missing"
if [ "$(id -u)" != 0 ]; then
  echo "$label: run as root (or install:$missing)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
