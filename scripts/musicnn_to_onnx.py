"""Convert musicnn's MSD model (TensorFlow 1 checkpoint) to models/musicnn_msd.onnx, once.

Runs in a throwaway virtual environment, never the app's (the versions that work):

    python3 -m venv /tmp/tagger-venv
    /tmp/tagger-venv/bin/pip install "tensorflow-cpu==2.15.1" "tf2onnx==1.17.0" "onnx==1.16.2" \
        "numpy<2" "protobuf>=4.25,<5" "ml-dtypes~=0.3.1"
    /tmp/tagger-venv/bin/pip install --no-deps "musicnn==0.1.0"
    /tmp/tagger-venv/bin/python scripts/musicnn_to_onnx.py

The graph is built with ``is_training`` a constant False (batch norm in inference mode, no
dropout), restored from the checkpoint inside the wheel, frozen and converted with opset 17.
Input ``mel``: (patches, 187, 96) log-mel patches. Outputs ``tags``: (patches, 50) sigmoid
probabilities; ``embedding``: (patches, 200), the penultimate dense layer after batch norm.

It also writes tests/fixtures/tagger_reference.npz: TensorFlow's outputs on a few fixed
inputs, which the tests compare the ONNX file against (the tests need neither TensorFlow nor
musicnn).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import tensorflow as tf

from musicnn import configuration, models

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "models" / "musicnn_msd.onnx"
FIXTURE = ROOT / "tests" / "fixtures" / "tagger_reference.npz"
FRAMES, BANDS = 187, configuration.N_MELS
OPSET = 17


def fixed_inputs() -> np.ndarray:
    """Three log-mel-like patches: quiet noise, loud noise and a tone with harmonics, stored as
    float16 (the front end rounds to float16 as well) so the fixture stays small."""
    rng = np.random.default_rng(20240601)
    quiet = rng.uniform(0.0, 0.5, (FRAMES, BANDS))
    loud = rng.uniform(0.0, 4.0, (FRAMES, BANDS))
    t = np.arange(FRAMES)[:, None]
    tone = np.zeros((FRAMES, BANDS))
    for band in (10, 20, 30, 40):
        tone[:, band] = 3.0 + 0.5 * np.sin(t[:, 0] / 9.0 + band)
    return np.stack([quiet, loud, tone]).astype(np.float16)


def main() -> None:
    tf.compat.v1.disable_eager_execution()
    graph = tf.Graph()
    with graph.as_default():
        mel = tf.compat.v1.placeholder(tf.float32, [None, FRAMES, BANDS], name="mel")
        with tf.name_scope("model"):
            outputs = models.define_model(mel, tf.constant(False), "MSD_musicnn",
                                          len(configuration.MSD_LABELS))
        logits, penultimate = outputs[0], outputs[-1]
        tf.identity(tf.nn.sigmoid(logits), name="tags")
        tf.identity(penultimate, name="embedding")
        session = tf.compat.v1.Session(graph=graph)
        saver = tf.compat.v1.train.Saver()
        checkpoint = Path(models.__file__).parent / "MSD_musicnn"
        saver.restore(session, str(checkpoint) + os.sep)
        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
            session, graph.as_graph_def(), ["tags", "embedding"])
        inputs = fixed_inputs().astype(np.float32)
        tags, embedding = session.run(["tags:0", "embedding:0"], {"mel:0": inputs})

    import tf2onnx

    tf2onnx.convert.from_graph_def(
        frozen, input_names=["mel:0"], output_names=["tags:0", "embedding:0"],
        opset=OPSET, output_path=str(OUT))
    # Friendlier names than TensorFlow's "name:0".
    import onnx

    model = onnx.load(str(OUT))
    renames = {"mel:0": "mel", "tags:0": "tags", "embedding:0": "embedding"}
    for value in list(model.graph.input) + list(model.graph.output):
        value.name = renames.get(value.name, value.name)
    for node in model.graph.node:
        node.input[:] = [renames.get(n, n) for n in node.input]
        node.output[:] = [renames.get(n, n) for n in node.output]
    model.doc_string = ("musicnn MSD model (Pons & Serra), ISC licence, weights from the "
                        "musicnn 0.1.0 wheel; converted by scripts/musicnn_to_onnx.py")
    onnx.checker.check_model(model)
    onnx.save(model, str(OUT))

    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(FIXTURE, mel=fixed_inputs(), tags=tags.astype(np.float32),
                        embedding=embedding.astype(np.float32),
                        labels=np.array(configuration.MSD_LABELS))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) and {FIXTURE}")


if __name__ == "__main__":
    main()
