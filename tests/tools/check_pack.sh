#!/usr/bin/env bash
# Packs `nasonnx` as a .NET tool, installs it into a temporary tool path, and checks that the installed command
# runs: --version (version + commit), doctor (TorchSharp's native library loads from the tool's own folder,
# including the GLIBCXX patch there), and sample -> export -> inspect. Cleans up after itself.
# Needs about 2.5 GB of free disk: the package carries libtorch and ONNX Runtime for every platform (~750 MB).
# Usage: tests/tools/check_pack.sh            (from anywhere in the clone)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d "${TMPDIR:-/tmp}/nasonnx-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "check_pack: dotnet pack src/NasOnnx.Cli -c Release -o $work/pack"
dotnet pack src/NasOnnx.Cli -c Release -o "$work/pack" -v quiet -nologo
ls -l "$work"/pack/NasOnnx.Tool.*.nupkg

echo "check_pack: dotnet tool install --tool-path $work/tool --add-source $work/pack NasOnnx.Tool"
dotnet tool install --tool-path "$work/tool" --add-source "$work/pack" NasOnnx.Tool
nasonnx="$work/tool/nasonnx"

version=$("$nasonnx" --version)
echo "check_pack: nasonnx --version -> $version"
commit=$(git rev-parse HEAD 2>/dev/null || true)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+\+[0-9a-f]{7,}$ ]] || { echo "check_pack: version '$version' is not <version>+<commit>"; exit 1; }
[ -z "$commit" ] || [[ "$version" == *"+$commit"* ]] || echo "check_pack: note: built from $commit, version says $version (uncommitted build?)"

cd "$work"
doctor=$("$nasonnx" doctor --root "$work" 2>&1) || { echo "$doctor"; echo "check_pack: doctor failed"; exit 1; }
echo "$doctor"
if grep -q "FAILED" <<<"$doctor"; then echo "check_pack: doctor reports a failure"; exit 1; fi
grep -q "$work/tool/.store" <<<"$doctor" || echo "check_pack: note: doctor did not name the tool's folder in the native library check"

"$nasonnx" sample --space macro --seed 1 --width 4 --depth 3 --out "$work/arch.json"
"$nasonnx" export --arch "$work/arch.json" --random-weights --out "$work/model.onnx"
"$nasonnx" inspect "$work/model.onnx" | head -n 12
echo "check_pack: OK ($version)"
