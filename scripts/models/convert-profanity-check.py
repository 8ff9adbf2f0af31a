"""
Converts alt-profanity-check's model (MIT; a TF-IDF + calibrated linear SVM trained on ~200k human-labelled comments)
into packages/classifier/models/offensive-prior.json, which Chorus reads without Python.

Run once by a maintainer when upgrading the model (it needs scikit-learn, never the product):
  python3 -m venv /tmp/apc && /tmp/apc/bin/pip install alt-profanity-check==1.9.1
  /tmp/apc/bin/python scripts/models/convert-profanity-check.py packages/classifier/models/offensive-prior.json

The file keeps the vectorizer's vocabulary and idf and, for each calibration fold, the SVM's weights and intercept and
the sigmoid's (a, b): p = mean over folds of 1 / (1 + exp(a·f + b)), f = w·x + c, x = l2-normalised tf·idf of the
vocabulary words. The script checks that this reading agrees with scikit-learn's own probabilities before writing.
"""
import base64
import json
import sys
from importlib import metadata, resources

import joblib
import numpy as np

out = sys.argv[1]
pkg = resources.files("profanity_check") / "data"
vectorizer = joblib.load(pkg / "vectorizer.joblib")
model = joblib.load(pkg / "model.joblib")
params = vectorizer.get_params()
assert params["analyzer"] == "word" and params["ngram_range"] == (1, 1) and params["lowercase"], params
assert params["norm"] == "l2" and params["use_idf"] and not params["sublinear_tf"], params

words = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
idf = vectorizer.idf_.astype(np.float32)
folds = []
for cc in model.calibrated_classifiers_:
    svm = cc.estimator
    cal = cc.calibrators[0]
    folds.append({
        "weights": base64.b64encode(svm.coef_[0].astype(np.float32).tobytes()).decode(),
        "intercept": float(svm.intercept_[0]),
        "a": float(cal.a_),
        "b": float(cal.b_),
    })


def reread(texts):
    # The arithmetic the TypeScript reader does (packages/classifier/src/offensive-prior.ts), over sklearn's tokens.
    analyzer = vectorizer.build_analyzer()
    index = vectorizer.vocabulary_
    probs = []
    for t in texts:
        tf = {}
        for w in analyzer(t):
            if w in index:
                tf[index[w]] = tf.get(index[w], 0) + 1
        vec = {i: c * float(idf[i]) for i, c in tf.items()}
        norm = sum(v * v for v in vec.values()) ** 0.5 or 1.0
        p = 0.0
        for cc in model.calibrated_classifiers_:
            w = cc.estimator.coef_[0]
            f = sum(float(w[i]) * v / norm for i, v in vec.items()) + cc.estimator.intercept_[0]
            p += 1 / (1 + np.exp(cc.calibrators[0].a_ * f + cc.calibrators[0].b_))
        probs.append(p / len(model.calibrated_classifiers_))
    return np.array(probs)


sample = ["you are a fucking idiot", "thanks for the quick help!", "what a load of shit", "my bag is lost", "", "STUPID airline"]
theirs = model.predict_proba(vectorizer.transform(sample))[:, 1]
ours = reread(sample)
assert np.allclose(theirs, ours, atol=1e-4), (theirs, ours)

json.dump({
    "format": "chorus-tfidf-prior",
    "version": 1,
    "name": "offensive-prior",
    "label": "offensive",
    "source": {
        "package": "alt-profanity-check",
        "version": metadata.version("alt-profanity-check"),
        "licence": "MIT (Copyright (c) 2018 Victor Zhou, 2021 Menelaos Kotoglou, and Dimitrios Mistriotis)",
        "data": "about 200k human-labelled comments: t-davidson/hate-speech-and-offensive-language (MIT) and the Jigsaw/Wikipedia toxic comments (labels CC0, comment text CC BY-SA 3.0)",
    },
    "tokens": "lowercase; runs of 2+ word characters; English stop words are not in the vocabulary",
    "check": {"texts": sample, "probabilities": [round(float(p), 6) for p in theirs]},
    "vocabulary": words,
    "idf": base64.b64encode(idf.tobytes()).decode(),
    "folds": folds,
}, open(out, "w"))
print(f"wrote {out}: {len(words)} words, {len(folds)} folds; check {np.round(theirs, 3)}")
