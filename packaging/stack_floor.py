"""The libraries Genre Desktop is built on, and nothing of the app: `build.py --stack-floor`
freezes this with the app's own spec choices to measure the smallest folder this stack allows."""

import sys

import joblib  # noqa: F401
import librosa.beat  # noqa: F401
import librosa.effects  # noqa: F401
import librosa.feature  # noqa: F401
import mutagen  # noqa: F401
import numpy  # noqa: F401
import sklearn.calibration  # noqa: F401
import sklearn.ensemble  # noqa: F401
import sklearn.linear_model  # noqa: F401
import sklearn.neighbors  # noqa: F401
import sklearn.neural_network  # noqa: F401
import sklearn.svm  # noqa: F401
import sounddevice  # noqa: F401
import soundfile  # noqa: F401
from PySide6 import QtSvg, QtWidgets  # noqa: F401

if __name__ == "__main__":
    app = QtWidgets.QApplication(sys.argv)
    print("stack floor: imports and QApplication ok")
