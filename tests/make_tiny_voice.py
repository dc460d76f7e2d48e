"""A tiny Piper voice for tests: a real ONNX model with a Piper voice's inputs and output, and the
``.onnx.json`` beside it, a few kilobytes in all (Piper's own tests ship one made the same way).

It says every phoneme as 256 samples (one Piper hop) of a quiet 220 Hz tone, times the length
scale, so that its audio grows with the text and slows with the rate as a real voice's does.

    python tests/make_tiny_voice.py FOLDER [NAME]    # writes FOLDER/NAME.onnx and NAME.onnx.json
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import onnx
from onnx import TensorProto, helper
from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

SAMPLE_RATE = 22_050
SAMPLES_PER_ID = 256  # Piper's hop length
TONE_HZ = 220.0
LEVEL = 0.1  # -20 dBFS: heard, never clipped
# ONNX Runtime 1.16 and later read IR 9 with opset 17, whatever onnx version writes the file.
IR_VERSION = 9
OPSET = 17


def write_tiny_voice(folder: Path, name: str = "fr_FR-tiny-low", language: str = "fr_FR") -> Path:
    """Write ``folder/NAME.onnx`` and its ``.onnx.json``; return the model's path."""
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / f"{name}.onnx"
    model.write_bytes(tiny_model().SerializeToString())
    Path(f"{model}.json").write_text(json.dumps(tiny_config(language), ensure_ascii=False), encoding="utf-8")
    return model


def tiny_model() -> onnx.ModelProto:
    """input int64 [1, n], input_lengths int64 [1], scales float32 [3] (noise, length, noise_w)
    -> float32 audio [1, 1, samples]: n * SAMPLES_PER_ID * length scale samples of a tone."""
    constants = {
        "hop": [float(SAMPLES_PER_ID)],
        "zero": 0.0,
        "one": 1.0,
        "step": 2 * math.pi * TONE_HZ / SAMPLE_RATE,
        "level": LEVEL,
    }
    nodes = [
        helper.make_node("Constant", [], [key], value=_floats(value)) for key, value in constants.items()
    ]
    nodes += [
        helper.make_node("Constant", [], ["length_index"], value=_ints([], [1])),
        helper.make_node("Constant", [], ["audio_shape"], value=_ints([3], [1, 1, -1])),
        helper.make_node("Shape", ["input"], ["ids"], start=1, end=2),
        helper.make_node("Cast", ["ids"], ["ids_f"], to=TensorProto.FLOAT),
        helper.make_node("Gather", ["scales", "length_index"], ["length_scale"]),
        helper.make_node("Mul", ["ids_f", "hop"], ["unscaled"]),
        helper.make_node("Mul", ["unscaled", "length_scale"], ["samples_1"]),
        helper.make_node("Floor", ["samples_1"], ["whole_1"]),
        helper.make_node("ReduceMax", ["whole_1"], ["samples"], keepdims=0),
        helper.make_node("Range", ["zero", "samples", "one"], ["t"]),
        helper.make_node("Mul", ["t", "step"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["wave"]),
        helper.make_node("Mul", ["wave", "level"], ["quiet"]),
        helper.make_node("Reshape", ["quiet", "audio_shape"], ["output"]),
    ]  # fmt: skip
    graph = helper.make_graph(
        nodes,
        "tiny-piper-voice",
        inputs=[
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        outputs=[helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "samples"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def tiny_config(language: str) -> dict[str, object]:
    """The voice's configuration, as Piper's training writes it. The phoneme map is the one Piper's
    espeak voices share: it holds every phoneme espeak-ng says in French (and English)."""
    family, region = language.split("_")
    return {
        "audio": {"sample_rate": SAMPLE_RATE, "quality": "x_low"},
        "espeak": {"voice": family},
        "language": {"code": language, "family": family, "region": region},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": 256,
        "num_speakers": 1,
        "speaker_id_map": {},
        "piper_version": "1.0.0",
    }


def _ints(dims: list[int], values: list[int]) -> TensorProto:
    return helper.make_tensor("c", TensorProto.INT64, dims, values)


def _floats(value: float | list[float]) -> TensorProto:
    values = value if isinstance(value, list) else [value]
    dims = [len(values)] if isinstance(value, list) else []
    return helper.make_tensor("c", TensorProto.FLOAT, dims, values)


if __name__ == "__main__":
    print(write_tiny_voice(Path(sys.argv[1]), *sys.argv[2:3]))
