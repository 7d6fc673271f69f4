#!/usr/bin/env bash
# An RGB image-folder data set from a real source on Debian: the Oxygen icon theme's 48x48 PNGs (package
# oxygen-icon-theme, LGPL-3), one class per icon category with about 50 icons or more (actions, apps, devices, mimetypes,
# places, status). Symlinks are followed and identical files kept once (first in sorted order), so no image is in two
# classes or, later, in two splits.
#   tests/tools/make_icon_folder.sh OUT_DIR        (needs: apt-get install -y oxygen-icon-theme)
set -euo pipefail
out=${1:?usage: make_icon_folder.sh OUT_DIR}
src=/usr/share/icons/oxygen/base/48x48
[ -d "$src" ] || { echo "no $src: apt-get install -y --no-install-recommends oxygen-icon-theme" >&2; exit 2; }
rm -rf "$out"; mkdir -p "$out"
declare -A seen
for class in actions apps devices mimetypes places status; do
  mkdir -p "$out/$class"
  while IFS= read -r f; do
    h=$(sha256sum -- "$f" | cut -c1-64)
    [ -n "${seen[$h]:-}" ] && continue
    seen[$h]=1
    cp -L -- "$f" "$out/$class/$(basename "$f")"
  done < <(find -L "$src/$class" -maxdepth 1 -name '*.png' | LC_ALL=C sort)
done
for d in "$out"/*/; do echo "$(ls "$d" | wc -l) $(basename "$d")"; done
