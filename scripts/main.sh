#!/usr/bin/env bash
# The main job: installs what it needs, builds liblrelu in release mode and
# runs the demo, which prints the kernel chosen on this machine and checks a
# few values on every usable kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_packages "${BUILD_PACKAGES[@]}"

build=build-release
[ -d "$build" ] || meson setup "$build" --buildtype=release --wrap-mode=nodownload
meson compile -C "$build"
"$build/lrelu-demo"
