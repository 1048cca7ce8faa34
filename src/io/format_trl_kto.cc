// TRL unpaired preferences (--format trl-kto), export only, for pairwise and ranking projects:
// {"prompt", "completion", "label"} per line — an answer's best group labelled true, its worst
// false (io/preference_export.h). Not read: single completions with a thumbs up or down have no
// pair to compare.
#include "io/format.h"
#include "io/preference_export.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_trl_kto {
namespace {

// Consulted only when trl-kto is named for an import (which then says "export only"): --format
// auto never picks a format without a reader.
int Sniff(const SniffSample& s) {
  if (s.shape != SniffSample::kJsonLines && s.shape != SniffSample::kJsonObject) return 0;
  return s.HasKey("prompt") && s.HasKey("completion") && s.HasKey("label") ? 80 : 0;
}

Status Write(WriteContext& ctx) { return WritePreferenceFormat(ctx, PreferenceFormat::kTrlKto); }

}  // namespace
}  // namespace format_trl_kto

extern const FormatSpec kTrlKtoFormat = {
    "trl-kto", "TRL unpaired preferences: {prompt, completion, label} per line (export only)", ".jsonl",
    "application/x-ndjson", format_trl_kto::Sniff, nullptr, format_trl_kto::Write};

}  // namespace hitloop::io
