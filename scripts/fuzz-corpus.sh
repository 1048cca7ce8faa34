#!/usr/bin/env bash
# Refills the fuzz targets' seed corpora, fuzz/corpus/<target>/ (committed; keep the total small,
# under ~200 KB): a few small files per target from tests/data and the tests' fixtures, a few
# hand-written records in each format's documented shape, and, with a fuzz build, the model and
# featurizer files fuzz_seeds writes (a real LogReg, fastText and featurizer, trained on 4 texts).
# Usage: scripts/fuzz-corpus.sh [FUZZ_BUILD_DIR]   (default build-fuzz; the models need it built)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${1:-build-fuzz}"
C=fuzz/corpus
D=tests/data
put() {  # put TARGET NAME TEXT
  mkdir -p "$C/$1"
  printf '%s' "$3" > "$C/$1/$2"
}
cp_to() {  # cp_to TARGET FILE...
  local t="$1"
  shift
  mkdir -p "$C/$t"
  for f in "$@"; do cp "$f" "$C/$t/$(basename "$f")"; done
}
head_to() {  # head_to TARGET LINES FILE NAME
  mkdir -p "$C/$1"
  head -n "$2" "$3" > "$C/$1/$4"
}

# ---- import targets: the tests' interop files (tests/data/interop/README.md says their origin)
put fuzz_import_jsonl basic.jsonl '{"id":"1","text":"free money now","label":"spam","meta":{"domain":"mail"}}
{"id":"2","text":"see you at lunch","label":"ham","label_source":"human","annotator":"ann"}
{"id":"3","text":"unlabelled","prediction":{"label":"spam","score":0.7,"model":"m1"},"split":"gold"}
{"text":"no id here","labels":["ham"]}
'
put fuzz_import_jsonl vector.jsonl '{"id":"v1","vector":[0.5,1.0,-2.0],"label":"a"}
{"id":"v2","text":"t","vector":[1e-3,2],"annotations":[{"annotator":"x","label":"a"},{"annotator":"y","label":"b"}]}
'
put fuzz_import_jsonl preference_shape.jsonl '{"id":"p1","prompt":"q?","responses":["a","b"]}
'
put fuzz_import_csv basic.csv 'id,text,label,meta
1,free money now,spam,"{""domain"":""mail""}"
2,"see you, at lunch",ham,
3,"multi
line",,
'
put fuzz_import_csv predictions.csv 'id,text,prediction,prediction_score,label_source,annotator
a,hello,spam,0.9,model,
b,bye,ham,,human,ann
'
cp_to fuzz_import_label_studio $D/interop/label-studio/*.json
cp_to fuzz_import_label_studio_csv $D/interop/label-studio-converter/csv_test_history.json
put fuzz_import_label_studio_csv rows.csv 'annotation_id,annotator,id,sentiment,text,was_cancelled
1,1,10,Positive,great film,False
2,2,10,Negative,great film,False
3,1,11,,meh,True
'
head_to fuzz_import_prodigy 6 $D/interop/prodigy-recipes/annotated_github-issues-DOCUMENTATION-textcat.jsonl github_textcat_head.jsonl
head_to fuzz_import_prodigy 3 $D/interop/prodigy-recipes/pydata-ams-2023.jsonl pydata_head.jsonl
cp_to fuzz_import_doccano $D/interop/doccano/*
cp_to fuzz_import_trl $D/preference/trl_*.jsonl
head_to fuzz_import_hh 3 $D/preference/hh_sample.jsonl hh_head.jsonl
put fuzz_import_answers answers.csv 'id,annotator,label,time_ms,source
1,alice,spam,1200,human
1,bob,ham,,audit
a,carol,positive,5,human
'
cp_to fuzz_import_auto $C/fuzz_import_jsonl/basic.jsonl $C/fuzz_import_csv/basic.csv \
  $D/interop/label-studio/text_with_2_tasks.json $D/interop/doccano/*.jsonl $C/fuzz_import_prodigy/github_textcat_head.jsonl

# ---- loop configuration and routing rules (loop/config.h's documented shape)
put fuzz_loop_config full.json '{"loop":{"target_precision":0.95,"confidence":0.9,"threshold_mode":"per-class","audit_per_cycle":30,"audit_stratified_per_cycle":10,"review_batch":50,"seed_batch":20,"strategy":"margin","model":"auto","model_candidates":["logreg","lsa+logreg"],"representations":["lsa"],"representation_refresh":0.5,"max_novelty":0.4,"min_labels_per_class":3,"new_classes":["x"],"grid":"quantile","bound":"betting","audit_region":"candidate","audit_second_opinion":false,"train_on_accepted":true,"default_pool":"general","routing":[{"name":"medical","when":{"meta":{"domain":"medical"},"predicted":["spam"],"confidence":[0.0,0.9]},"pool":"experts","overlap":2}],"autolabel":{"detect":"format,language","duplicates":"exact","near_threshold":0.7,"labeler":"language","min_rule_confidence":0.6,"strip_boilerplate":true}},"io":{"text_field":"body"}}'
put fuzz_loop_config minimal.json '{"loop":{}}'
put fuzz_loop_config bare.json '{"strategy":"entropy","model":"calibrated:logreg"}'
put fuzz_routing rules.txt '{"loop":{"default_pool":"general","routing":[{"name":"fr","when":{"meta":{"_language":"fr"}},"pool":"french"},{"name":"med","when":{"meta":{"domain":"medical","n":3},"predicted":["spam","medical"],"confidence":[0.2,0.95]},"pool":"experts","overlap":3}]}}
{"domain":"medical","n":3}
{"domain":"mail"}
not json
{}
'
put fuzz_routing no_rules.txt '{"loop":{"max_novelty":0.9}}
{"a":1}
'

# ---- HTTP bodies: the first byte picks the route (fuzz/fuzz_http_json_body.cc's kRoutes)
http() {  # http NAME ROUTE_INDEX BODY
  mkdir -p "$C/fuzz_http_json_body"
  { printf "\\x$(printf '%02x' "$2")"; printf '%s' "$3"; } > "$C/fuzz_http_json_body/$1"
}
http session 0 '{"token":"fuzz-admin-token"}'
http next 1 '{"pools":["general"]}'
http submit 2 '{"labels":["spam"],"time_ms":1200}'
http skip 3 '{"reason":"unclear"}'
http release 4 '{}'
http amend 5 '{"labels":["ham"]}'
http project 6 '{"name":"q","type":"multi-label","labels":["a","b"]}'
http members 7 '{"user":"admin"}'
http queue 8 '{"items":["i0-1","i0-2"],"pool":"experts","kind":"audit","overlap":2,"priority":1.5}'
http users 9 '{"name":"ann","role":"annotator","pools":["general"]}'
http quarantine 10 '{"items":["i0-3"],"reason":"pii"}'
http delete 11 '{"items":["i0-4"]}'
http restore 12 '{"items":["i0-3"]}'

# ---- model and featurizer files: written by fuzz_seeds (fuzz/fuzz_seeds.cc) when built
if [ -x "$BUILD/fuzz/fuzz_seeds" ]; then
  mkdir -p $C/fuzz_model_file $C/fuzz_featurizer_file
  "$BUILD/fuzz/fuzz_seeds" $C/fuzz_model_file $C/fuzz_featurizer_file
else
  echo "fuzz-corpus: $BUILD/fuzz/fuzz_seeds not built: model/featurizer seeds left as they are" >&2
fi
du -sh "$C"
