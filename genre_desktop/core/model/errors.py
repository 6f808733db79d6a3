"""Why a model cannot be used."""


class ModelError(Exception):
    """The model cannot be used; str(e) says why in plain words."""
