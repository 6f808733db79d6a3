"""About the model: what it knows, how well it really does, and what its confidence means."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QScrollArea, QVBoxLayout, QWidget,
)

from genre_desktop.ui.genre_colors import genre_color
from genre_desktop.ui.model_card_info import ModelCardInfo
from genre_desktop.ui.widgets.personal_model_section import PersonalModelSection

CONFIDENCE_TEXT = (
    "<b>Confidence</b> is the probability the model gives its top genre, averaged over the parts "
    "of the track it listened to (three 30-second windows by default). 80% means: among tracks "
    "the model scores around 80%, roughly 8 in 10 really are that genre — on music like the "
    "GTZAN clips it learned from. On other music it is a guess, not a guarantee."
)
UNCERTAIN_TEXT = (
    "<b>Uncertain</b> means the confidence is below the threshold ({threshold}). Those tracks are "
    "shown in grey italics with a “?”. If the file has its own genre tag, that tag is shown instead. "
    "Uncertain tracks are the best ones to check by ear and correct: your corrections always win "
    "and are never overwritten by rescans or a new model."
)


def _pct(value) -> str:
    return f"{value:.1%}" if isinstance(value, (int, float)) else "—"


def _num(value, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "—"


def metric_rows(info: ModelCardInfo) -> list[tuple[str, str]]:
    """(label, value) rows for the honest metrics the card reports."""
    def mean_of(value):
        if isinstance(value, dict):
            return value.get("mean", value.get("value"))
        return value

    return [
        ("10-fold cross-validation accuracy (random folds)",
         _pct(mean_of(info.metric("cv10_accuracy", "cv_accuracy", "cross_validation_accuracy")))),
        ("Fault-filtered test accuracy (no artist overlap)",
         _pct(mean_of(info.metric("test_accuracy", "filtered_test_accuracy", "fault_filtered_accuracy")))),
        ("Macro-F1 on that test set", _num(mean_of(info.metric("test_macro_f1", "macro_f1")))),
        ("Calibration error (ECE) on that test set", _num(mean_of(info.metric("test_ece", "ece")))),
        ("Uncertainty threshold", _num(info.recommended_threshold, 2)),
        ("Test tracks it labels at that threshold (coverage)",
         _pct(mean_of(info.metric("coverage", "threshold_coverage")))),
        ("Accuracy on those tracks",
         _pct(mean_of(info.metric("accuracy_above_threshold", "selective_accuracy", "covered_accuracy")))),
    ]


class ModelCardDialog(QDialog):
    def __init__(self, info: ModelCardInfo, threshold: float | None = None,
                 parent: QWidget | None = None, personal: object | None = None) -> None:
        """personal: personalize.PersonalStatus of the model learned from your corrections."""
        super().__init__(parent)
        self.setWindowTitle("About the model")
        self.resize(760, 720)
        body = QWidget()
        layout = QVBoxLayout(body)
        title = QLabel(f"<h2>The genre model</h2><p>Version <b>{info.version}</b></p>")
        layout.addWidget(title)
        if info.error:
            layout.addWidget(QLabel(info.error))
        chips = " ".join(
            f"<span style='background:{genre_color(g).name()}; color:white;'>&nbsp;{g}&nbsp;</span>"
            for g in info.genres)
        genres = QLabel(f"<p>It knows {len(info.genres)} genres: {chips}</p>")
        genres.setWordWrap(True)
        layout.addWidget(genres)
        form = QFormLayout()
        self.metric_labels: dict[str, QLabel] = {}
        for label, value in metric_rows(info):
            widget = QLabel(value)
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label + ":", widget)
            self.metric_labels[label] = widget
        layout.addLayout(form)
        how = QLabel(
            "<p>How it listens: in a few 30-second stretches of each track, a music tagger trained "
            "on about 200,000 real songs hears how much each of 50 tags fits (\u201crock\u201d, "
            "\u201cchill\u201d, \u201cfemale vocalists\u201d\u2026). Four models learned from "
            "GTZAN's labelled clips turn those tags into a genre and a fifth weighs their votes. "
            "<i>Electronic</i> is a rule, not learned from labelled music: it is "
            "named only where the tagger hears electronic music and none of the other genres "
            "explains the track better.</p>")
        how.setWordWrap(True)
        layout.addWidget(how)
        honest = QLabel(
            "<p>Why two accuracies? Random cross-validation on GTZAN puts songs by the same artist "
            "in both training and test folds, which flatters every model. The fault-filtered split "
            "keeps artists apart and removes broken clips, so its number is the one to expect on "
            "music the model has never heard.</p>")
        honest.setWordWrap(True)
        layout.addWidget(honest)
        reasoning = info.card.get("threshold_reasoning")
        if isinstance(reasoning, str) and reasoning:
            why = QLabel(f"<p><i>Why this threshold:</i> {reasoning}</p>")
            why.setWordWrap(True)
            why.setObjectName("hint")
            layout.addWidget(why)
        threshold = threshold if threshold is not None else info.recommended_threshold
        for text in (CONFIDENCE_TEXT, UNCERTAIN_TEXT.format(threshold=_pct(threshold))):
            label = QLabel(f"<p>{text}</p>")
            label.setWordWrap(True)
            layout.addWidget(label)
        image = info.confusion_matrix_image()
        self.image_label = QLabel()
        if image is not None:
            pixmap = QPixmap(str(image))
            if not pixmap.isNull():
                self.image_label.setPixmap(pixmap.scaledToWidth(
                    min(680, pixmap.width()), Qt.TransformationMode.SmoothTransformation))
                layout.addWidget(QLabel("<b>Confusion matrix</b> (rows: true genre, columns: predicted; "
                                        "fault-filtered test set)"))
        layout.addWidget(self.image_label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.personal_section = PersonalModelSection(personal)
        layout.addWidget(self.personal_section)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll)
        outer.addWidget(buttons)
