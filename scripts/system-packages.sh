#!/usr/bin/env bash
# Installs the Debian packages the project needs, only the missing ones (apt-get update only then).
#   scripts/system-packages.sh [e2e|code-server|webgpu]
# code-server: libkrb5-dev, ripgrep, make, g++, python3 (code-server's native modules build from
# source offline; Debian's rg seeds @vscode/ripgrep's download cache). e2e adds chromium.
# webgpu: a software Vulkan driver for ONNX Runtime's WebGPU EP (Dawn) without a GPU: Mesa 25's
# lavapipe (mesa-vulkan-drivers from Debian's bookworm-backports; Debian 12's own Mesa 22.3 is
# refused by Dawn: no shaderUniform*ArrayDynamicIndexing). The backports suite is added from the
# URI of the machine's own Debian source, so no host is named here.
set -euo pipefail
mode="${1:-e2e}"

sudo=""
need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "$1" >&2
      exit 1
    fi
  fi
}
export DEBIAN_FRONTEND=noninteractive

if [ "$mode" = webgpu ]; then
  version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  if [ -n "$version" ] && dpkg --compare-versions "$version" ge 25; then
    echo "system packages: mesa-vulkan-drivers $version (lavapipe) present"
    exit 0
  fi
  need_root "WebGPU tests need Mesa 25's lavapipe: as root, add Debian's bookworm-backports suite and run apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1"
  list=/etc/apt/sources.list.d/alexnet-bookworm-backports.sources
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # The first Debian archive URI this machine already uses for bookworm (deb822 or one-line form).
    uri=$(awk '
      /^URIs:/ { u = $2 } /^Suites:/ { if ($0 ~ /(^| )bookworm( |$)/ && u !~ /security/) { print u; exit } }
    ' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [ -z "$uri" ]; then
      uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    fi
    if [ -z "$uri" ]; then
      echo "no Debian bookworm source found in /etc/apt/sources.list(.d); add bookworm-backports yourself" >&2
      exit 1
    fi
    echo "adding bookworm-backports from $uri"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" | $sudo tee "$list" >/dev/null
  fi
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 </dev/null
  echo "installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
  exit 0
fi

# python3-torch, python3-torchvision: the export tests load our .pth in PyTorch and run exported projects with torchrun.
wanted=(libkrb5-dev ripgrep make g++ python3 ca-certificates python3-torch python3-torchvision)
[ "$mode" = e2e ] && wanted+=(chromium)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${wanted[*]})"
  exit 0
fi
need_root "missing Debian packages: ${missing[*]}; install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
echo "installing: ${missing[*]}"
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
