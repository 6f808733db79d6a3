"""The user's own genre model (no Qt, no database): its examples (the corrected tracks' windows),
the model and its storage, fitting it, and cross-validating it for its card. It builds on
core/model (the bundled model it joins, and the blend) and core/weights_file; the library layer
(library/personalize.py) collects the corrections and re-predicts the library with it."""
