#!/usr/bin/env bash
# Run before `npm test`: the suites use a real ClamAV (clamd) and a real browser (Chromium), from
# Debian's packages. Installs them when they are missing and this is a Debian machine where we
# are root (as on a fresh machine of this project's kind); otherwise says exactly what to install.
set -euo pipefail

need=()
command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ] || need+=(clamav-daemon)
command -v clamscan >/dev/null 2>&1 || need+=(clamav)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages the tests need: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >&2
  exit 0
fi

echo "the tests need these Debian packages: ${need[*]} (sudo apt-get install ${need[*]})" >&2
exit 1
