"""The bundled genre model: one home for everything that turns window features into genres.

- recipe.py: what a trained model is made of (feature transform, the two feature families'
  base models, the stack, calibration); pickled models refer to it.
- tagger.py: the music tagger (ONNX Runtime) and its log-mel front end.
- electronic.py: the rule that names "electronic" from the tagger's tags.
- checks.py: the model folder's checks before anything is loaded (card, both sha256s).
- classifier.py: loading, window and track predictions, aggregation, and which model decided
  (sources.DecidedBy).
- blend.py: how the user's personal model joins the bundled model's answer.

May import numpy, scikit-learn, joblib, librosa, soxr and onnxruntime; never Qt.
"""
