#!/bin/sh
# Installs the Debian/Ubuntu packages named as arguments that are not installed yet.
# Does nothing (and says so once) on systems without apt-get.
set -eu
missing=""
for pkg in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Not a Debian/Ubuntu system: install these yourself if Hark needs them:$missing" >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "These system packages are missing and you are not root (and there is no sudo):$missing" >&2
    echo "Install them as root: apt-get install$missing" >&2
    exit 1
fi
echo "Installing system packages:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# jackd2 asks about real-time priority; the default (no) is right for a desktop.
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
