#!/usr/bin/env python3
"""Independent check of NasOnnx exports with the reference ONNX checker.

Usage: /usr/bin/python3 tests/tools/check_onnx.py DIR [--min N]

Runs onnx.checker.check_model(model, full_check=True) (which also runs strict shape inference) on every
*.onnx file under DIR and checks what NasOnnx promises: IR version 8, opset 17, input "input" with a
symbolic batch dimension (text models: "tokens", int64 [batch, seq]), output "logits". Exits 1 when any model fails or fewer than N models were found.
Needs Debian's python3-onnx (apt-get install -y python3-onnx); run it with /usr/bin/python3.
"""
import argparse
import pathlib
import sys

import onnx


def check(path: pathlib.Path) -> str | None:
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    if model.ir_version != 8:
        return f"IR version {model.ir_version}, expected 8"
    opsets = {o.domain: o.version for o in model.opset_import}
    if opsets.get("", opsets.get("ai.onnx")) != 17:
        return f"opset {opsets}, expected 17"
    if path.name.startswith("op_"):
        return None  # single-op probes: no model-level contract
    inputs = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    meta = {p.key: p.value for p in model.metadata_props}
    text = meta.get("nasonnx.input_type") == "tokens"
    expected = "tokens" if text else "input"
    if [i.name for i in inputs] != [expected]:
        return f"inputs {[i.name for i in inputs]}, expected ['{expected}']"
    if inputs[0].type.tensor_type.shape.dim[0].dim_param != "batch":
        return "input batch dimension is not symbolic 'batch'"
    if text:
        # text networks: int64 token ids [batch, seq], any length
        tt = inputs[0].type.tensor_type
        if tt.elem_type != onnx.TensorProto.INT64 or [d.dim_param for d in tt.shape.dim] != ["batch", "seq"]:
            return "a text model's input must be int64 [batch, seq]"
    if [o.name for o in model.graph.output] != ["logits"]:
        return f"outputs {[o.name for o in model.graph.output]}, expected ['logits']"
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    out = inferred.graph.output[0].type.tensor_type.shape.dim
    if len(out) != 2:
        return f"logits rank {len(out)}, expected 2"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--min", type=int, default=1, help="fail when fewer models are found")
    args = parser.parse_args()
    files = sorted(pathlib.Path(args.folder).rglob("*.onnx"))
    failures = 0
    for f in files:
        try:
            problem = check(f)
        except Exception as e:  # noqa: BLE001 - report any checker failure
            problem = f"{type(e).__name__}: {e}"
        if problem:
            failures += 1
            print(f"FAIL {f}: {problem}")
    print(f"onnx {onnx.__version__}: checked {len(files)} models, {failures} failed")
    if len(files) < args.min:
        print(f"FAIL: expected at least {args.min} models in {args.folder}")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
