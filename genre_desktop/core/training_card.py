"""Assemble the model card's content and plots from the evaluations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from genre_desktop.core import model_card
from genre_desktop.core.feature_schema import TAGGER_RECIPE, TAGGER_TAGS
from genre_desktop.core.model import tagger
from genre_desktop.core.model.recipe import BASE_MODELS, DC_OFFSET_FEATURES, SEED
from genre_desktop.core.metrics import reliability_bins
from genre_desktop.core.tuning import GRIDS

if TYPE_CHECKING:
    from genre_desktop.core.evaluation import Evaluation
    from genre_desktop.core.training import TrainOptions

# Labelled tracks must be this often right on the fault-filtered test; real collections are
# harder than GTZAN's test split, so this leaves a margin over the 80% wanted there.
THRESHOLD_TARGET_ACCURACY = 0.85
GOALS = {"cv10_accuracy": 0.85, "fault_filtered_test_accuracy": 0.83, "ece": 0.05}

TAGGER_FILE = "musicnn_msd.onnx"

SELECTION = (
    "Hyperparameters are chosen by GridSearchCV on the training data only, over 5 stratified "
    "folds that cut each genre's clips, in clip-number order, into 5 consecutive runs (GTZAN "
    "numbers clips roughly artist by artist, so these approximate artist-disjoint folds; random "
    "folds reward memorising artists). Each base model is tuned alone with the stack's preprocessing, then the "
    "meta-learner's C on the stack's out-of-fold base outputs; the best mean accuracy wins. The "
    "fault-filtered test numbers come from a model tuned and fit on fault-filtered train "
    "only (the valid split has no tagger outputs); the 10-fold CV is nested (each fold tunes on its "
    "own 90%, hyperparameters per fold are listed). The recommended threshold and the electronic "
    "rule are read off out-of-fold predictions on the training split, never off the test split. "
    "The bundled model uses the train hyperparameters, refit on every clip with both feature "
    "families."
)

DEVELOPMENT_NOTES = [
    "Preprocessing inside the pipeline: log of every *_var feature, drop harmony_mean and "
    "perceptr_mean (DC offsets of the HPSS signals, ~0 and set by the recording chain), tempo as "
    "a point on the octave circle (cos and sin of 2*pi*log2(bpm/70): beat trackers often halve or "
    "double the tempo; raw BPM 0.603, folded 0.606, circular 0.617 mean accuracy of LR/SVM/MLP on "
    "artist-blocked folds), then StandardScaler. Tag probabilities are scaled as they are (their "
    "logit scored lower with every base model on artist-blocked folds of the training split).",
    "Two feature families, each with its own tuned k-NN, SVM and MLP (the tags also a logistic "
    "regression); tuning_summary has each one's accuracy on artist-blocked folds of the training "
    "split, and base_model_comparison each one alone on the test split.",
    "The stack's members were chosen on artist-blocked folds of the training split: the four tag "
    "models stacked 0.824, with the three audio models added 0.799 (with each fold's meta-learner "
    "fit on out-of-fold outputs of its own training part). The audio family lowers the score, so "
    "the stack decides from the tags; the audio features are still computed, stored and reported "
    "here, and playlists' smooth order uses them.",
    "Folds: the first version of this procedure cut each genre into runs of 20 clips; on the 443 "
    "training clips the short last runs left some training parts with one clip of a genre, which "
    "broke the stack's inner cross-validation (a decision_function column for a genre never seen). "
    "Cutting each genre into 5 equal consecutive runs keeps every fold balanced.",
    "Training clips carry the mean of the tagger's published outputs over 28 overlapping patches; "
    "the app averages a few non-overlapping patches per 30-second window and then the windows' "
    "probabilities (see tagger in this card).",
    "Model v1 (audio features only), tried, not kept: making the level-dependent features gain-invariant (rms_var, harmony_var, "
    "perceptr_var relative to rms_mean^2; dropping rms_mean and mfcc1_mean): +4 points on "
    "train<->valid but no better on artist-blocked folds; dropping them outright was worse.",
    "Model v1 (audio features only), tried, not kept: QuantileTransformer or RobustScaler instead of StandardScaler (no gain).",
    "Model v1 (audio features only), tried, not kept: the one-standard-error rule (pick the most regularised candidate within one "
    "SE of the best): it chose k-NN k=20, SVM C=1, MLP alpha=10, meta C=0.01 and scored 0.49 on "
    "the fault-filtered test against 0.56 for the best-mean choice.",
    "Model v1 (audio features only), tried, not kept: artist-blocked folds for the stack's internal cross-validation (0.50 test).",
    "Model v1 (audio features only), tried, not kept: SVC Platt probabilities instead of decision_function as the stack input; "
    "untuned defaults. All stack variants scored 0.54-0.57 on the fault-filtered test (one "
    "standard error there is ~0.03), so none is clearly better; the choice was made on how the "
    "procedure is justified, not on the test score.",
    "No hyperparameter, threshold or rule was chosen on the fault-filtered test split.",
    "Calibration: one temperature, fit on out-of-fold predictions over artist-blocked folds of the "
    "training data, so it learns how confidence should drop on unheard artists (random folds "
    "would teach it GTZAN's artist leak). ECE uses 15 equal-width bins; on 290 test clips the "
    "estimate itself wobbles by a few hundredths. On the random 10-fold CV, where artists leak "
    "across folds, the same temperature leaves the model underconfident and that ECE rises; on the "
    "fault-filtered test (unheard artists) it falls. The app meets unheard artists, so the test's "
    "calibration is the one optimised.",
    "BLAS is limited to one thread per process: on a 2-core machine shared with other work an "
    "MLP fit took 25-55 s with default threading and 1.5 s without.",
]


def choose_threshold(coverage: list[dict[str, Any]]) -> tuple[float, str]:
    """Lowest candidate threshold whose labelled tracks are right often enough, on out-of-fold
    predictions of the training split (artist-blocked folds)."""
    for row in coverage:
        if row["accuracy"] is not None and row["accuracy"] >= THRESHOLD_TARGET_ACCURACY:
            reason = (
                f"Lowest candidate at which the tracks the model labels are >= "
                f"{THRESHOLD_TARGET_ACCURACY:.0%} right on out-of-fold predictions of the training "
                f"split (artist-blocked folds): there it labels {row['coverage']:.0%} with "
                f"{row['accuracy']:.0%} right. Independent recordings are harder than GTZAN and a "
                "confidently wrong genre is the worst thing to show, so the target keeps a margin "
                "over the 80% wanted there; users can change the threshold in the settings."
            )
            return row["threshold"], reason
    last = coverage[-1]
    return last["threshold"], "No candidate reaches the target accuracy; the highest is used."


def _comparison(split_metrics: dict[str, Any], cv_metrics: dict[str, Any] | None) -> dict[str, Any]:
    rows = {"stack": {"test_accuracy": split_metrics["accuracy"], "test_macro_f1": split_metrics["macro_f1"]}}
    if cv_metrics:
        rows["stack"]["cv10_accuracy"] = cv_metrics["accuracy"]
    for name in BASE_MODELS:
        rows[name] = {
            "test_accuracy": split_metrics["base_models"][name]["accuracy"],
            "test_macro_f1": split_metrics["base_models"][name]["macro_f1"],
        }
        if cv_metrics:
            rows[name]["cv10_accuracy"] = cv_metrics["base_models"][name]["accuracy"]
    verdicts = []
    for metric in ("test_accuracy", "cv10_accuracy"):
        if metric not in rows["stack"]:
            continue
        better = [n for n in BASE_MODELS if rows[n][metric] > rows["stack"][metric]]
        verdicts.append(
            f"{metric}: " + (f"{', '.join(better)} alone beat(s) the stack." if better
                             else "the stack beats every base model.")
        )
    rows["verdict"] = " ".join(verdicts)
    return rows


def build_card(*, genres, feature_names, sha256, chosen, split_eval: "Evaluation",
               cv_eval: "Evaluation | None", coverage, threshold, reasoning, bundled_check,
               options: "TrainOptions") -> dict[str, Any]:
    split_metrics = split_eval.metrics()
    split_metrics["temperature"] = round(split_eval.temperatures[0], 4)
    split_metrics["reliability"] = reliability_bins(split_eval.calibrated, split_eval.y, genres)
    split_metrics["reliability_before_calibration"] = reliability_bins(split_eval.uncalibrated, split_eval.y, genres)
    cv_metrics = None
    if cv_eval is not None:
        cv_metrics = cv_eval.metrics()
        cv_metrics["fold_hyperparameters"] = cv_eval.params
        cv_metrics["fold_temperatures"] = [round(t, 4) for t in cv_eval.temperatures]
        cv_metrics["reliability"] = reliability_bins(cv_eval.calibrated, cv_eval.y, genres)
        cv_metrics["seconds"] = round(cv_eval.seconds, 1)
        cv_metrics["note"] = ("Random stratified folds let an artist's clips sit on both sides, "
                              "which flatters every model; the fault-filtered test is the honest number.")
    goals = {"fault_filtered_test_accuracy": {"goal": GOALS["fault_filtered_test_accuracy"], "value": split_metrics["accuracy"]},
             "ece_fault_filtered_test": {"goal": GOALS["ece"], "value": split_metrics["ece"]}}
    if cv_metrics:
        goals["cv10_accuracy"] = {"goal": GOALS["cv10_accuracy"], "value": cv_metrics["accuracy"]}
        goals["ece_cv10"] = {"goal": GOALS["ece"], "value": cv_metrics["ece"]}
    for name, goal in goals.items():
        goal["met"] = goal["value"] <= goal["goal"] if name.startswith("ece") else goal["value"] >= goal["goal"]
    at_threshold = next(r for r in coverage if r["threshold"] == threshold)
    summary = {  # the headline numbers, under the names the app's model dialog looks for
        "cv10_accuracy": cv_metrics["accuracy"] if cv_metrics else None,
        "test_accuracy": split_metrics["accuracy"],
        "test_macro_f1": split_metrics["macro_f1"],
        "test_ece": split_metrics["ece"],
        "test_ece_before_calibration": split_metrics["ece_before_calibration"],
        "coverage": at_threshold["coverage"],
        "accuracy_above_threshold": at_threshold["accuracy"],
        "confusion_matrix_png": "confusion_fault_filtered_test.png",
    }
    return {
        "format": model_card.CARD_FORMAT,
        "model_file": model_card.MODEL_FILE,
        "sha256": sha256,
        "model_version": model_card.model_version(sha256),
        "summary": summary,
        "recommended_threshold": threshold,
        "genres": list(genres),
        "feature_names": list(feature_names),
        "model": {
            "estimator": "CalibratedClassifierCV(method='temperature', ensemble=False) around "
                         "Pipeline(FeatureTransform, StandardScaler, StackingClassifier(tags_knn, "
                         "tags_svm (RBF, decision_function), tags_mlp, tags_lr on the tag "
                         "probabilities; final LogisticRegression on their outputs, unshuffled "
                         "stratified inner folds))",
            "dropped_features": list(DC_OFFSET_FEATURES),
            "seed": options.seed,
            "trained_on": f"the {bundled_check['clips']} clips of features_30_sec.csv that have "
                          "the tagger's published outputs (fault-filtered train and test)",
        },
        "hyperparameters": chosen,
        "hyperparameter_grids": {k: {p: [list(v) if isinstance(v, tuple) else v for v in vs]
                                     for p, vs in g.items()} for k, g in GRIDS.items()},
        "hyperparameter_selection": SELECTION if options.search else
            SELECTION + " (This card was written by a run that reused recorded hyperparameters.)",
        "tuning_summary": split_eval.tuning[0],
        "fault_filtered_test": split_metrics,
        "cv10": cv_metrics,
        "base_model_comparison": _comparison(split_metrics, cv_metrics),
        "goals": goals,
        "coverage_at_thresholds_fault_filtered_test": coverage,
        "threshold_reasoning": reasoning,
        "track_aggregation": "mean of the window probabilities (GTZAN has one 30 s window per clip, "
                             "so no alternative could be shown better on it)",
        "bundled_model_check": bundled_check,
        "training_command": options.command,
        "default_seed": SEED,
        "development_notes": DEVELOPMENT_NOTES,
    }


def tagger_entry() -> dict[str, Any]:
    """The tagger's part of the card: which file, its sha256 (checked before loading), where
    it comes from and how the app feeds it."""
    from genre_desktop.paths import models_dir

    return {
        "file": TAGGER_FILE,
        "sha256": model_card.sha256_file(models_dir() / TAGGER_FILE),
        "model": "musicnn MSD_musicnn (Pons & Serra): a CNN auto-tagger trained on about 200k songs "
                 "of the Million Song Dataset with their 50 most common Last.fm tags",
        "licence": "ISC (code and weights)",
        "provenance": "weights from the musicnn==0.1.0 wheel on PyPI, converted once to ONNX "
                      "(opset 17) by scripts/musicnn_to_onnx.py; run with ONNX Runtime",
        "recipe": TAGGER_RECIPE,
        "front_end": f"{tagger.SAMPLE_RATE} Hz mono, n_fft {tagger.N_FFT}, hop {tagger.HOP}, "
                     f"{tagger.N_MELS} mel bands, float16, log10(10000 x + 1), patches of "
                     f"{tagger.PATCH_FRAMES} frames (3 s)",
        "patches_per_track": tagger.PATCHES_PER_TRACK,
        "patches": "shared evenly by a track's analysed windows, non-overlapping, spread over each",
        "tags": list(TAGGER_TAGS),
    }


def write_plots(out_dir: Path, card: dict[str, Any], split_eval: "Evaluation",
                cv_eval: "Evaluation | None", test_y, all_y) -> list[str]:
    from genre_desktop.core import training_plots as plots

    genres = card["genres"]
    threshold = card["recommended_threshold"]
    split = card["fault_filtered_test"]
    written = ["confusion_fault_filtered_test.png", "reliability_fault_filtered_test.png",
               "coverage_fault_filtered_test.png"]
    plots.plot_confusion(split["confusion"], genres,
                         f"Fault-filtered test (n={split['n']}), accuracy {split['accuracy']:.3f}",
                         out_dir / written[0])
    plots.plot_reliability(
        {f"before calibration (ECE {split['ece_before_calibration']:.3f})": split["reliability_before_calibration"],
         f"temperature-scaled (ECE {split['ece']:.3f})": split["reliability"]},
        "Reliability, fault-filtered test", out_dir / written[1], threshold)
    plots.plot_coverage(card["coverage_at_thresholds_fault_filtered_test"],
                        "Coverage and accuracy, fault-filtered test", out_dir / written[2], threshold)
    if cv_eval is not None:
        cv = card["cv10"]
        written += ["confusion_cv10.png", "reliability_cv10.png"]
        plots.plot_confusion(cv["confusion"], genres, f"Nested 10-fold CV, accuracy {cv['accuracy']:.3f}",
                             out_dir / written[3])
        plots.plot_reliability(
            {f"before calibration (ECE {cv['ece_before_calibration']:.3f})": reliability_bins(cv_eval.uncalibrated, all_y, genres),
             f"temperature-scaled (ECE {cv['ece']:.3f})": cv["reliability"]},
            "Reliability, nested 10-fold CV", out_dir / written[4], threshold)
    return written
