#!/usr/bin/env bash
# Installs the Debian packages the project needs, only the missing ones (apt-get update only then).
#   scripts/system-packages.sh [e2e|code-server]
# code-server: libkrb5-dev, ripgrep, make, g++, python3 (code-server's native modules build from
# source offline; Debian's rg seeds @vscode/ripgrep's download cache). e2e adds chromium.
set -euo pipefail
# python3-torch, python3-torchvision: the export tests load our .pth in PyTorch and run exported projects with torchrun.
wanted=(libkrb5-dev ripgrep make g++ python3 ca-certificates python3-torch python3-torchvision)
[ "${1:-e2e}" = e2e ] && wanted+=(chromium)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${wanted[*]})"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "missing Debian packages: ${missing[*]}; install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
