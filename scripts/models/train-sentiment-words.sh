#!/usr/bin/env bash
# npm run -s train-sentiment-words: retrains packages/classifier/models/sentiment-words.json, the word model of the
# default sentiment, from VADER's human-rated texts. Run by a maintainer when the tokenizer, the rules or the model's
# terms change (the product only reads the file). Fetches vaderSentiment 3.3.2's source package (MIT) from PyPI with
# pip, once, into the cache; its sha256 is pinned. Extra arguments go to the trainer (--threshold, --rules-weight).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
SDIST="$CHORUS_CACHE/models/vaderSentiment-3.3.2.tar.gz"
SHA256=5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9
if [[ ! -f "$SDIST" ]]; then
  say "fetching vaderSentiment 3.3.2 (source package) with pip"
  mkdir -p "$(dirname "$SDIST")"
  python3 -m pip download --quiet --no-deps --no-binary :all: vaderSentiment==3.3.2 -d "$(dirname "$SDIST")" >&2
fi
echo "$SHA256  $SDIST" | sha256sum --check --quiet - || { say "$SDIST is not the package this model was trained from"; exit 1; }
ensure_node_deps
build
exec node "$ROOT/packages/classifier/dist/cli/train-sentiment-words.js" --vader "$SDIST" "$@"
