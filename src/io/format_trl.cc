// TRL preference pairs (--format trl), for pairwise and ranking projects: one JSON object per
// line, {"prompt"?, "chosen", "rejected"} as text or message lists — TRL's preference dataset type
// with an explicit or an implicit prompt (io/preference_jsonl.h says how each is split; HH-RLHF
// records are TRL's implicit-prompt example and are read too). Export: one row per directed pair
// of every answer, --margin and --criterion as ExportOptions say (io/preference_export.h).
#include "io/format.h"
#include "io/preference_export.h"
#include "io/preference_jsonl.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_trl {
namespace {

// Below 90: a file named --format jsonl on a preference project is read (jsonl reads every
// preference shape), while --format auto picks trl over jsonl's 40.
int Sniff(const SniffSample& s) {
  if (s.shape != SniffSample::kJsonLines && s.shape != SniffSample::kJsonObject) return 0;
  if (!s.HasKey("chosen") || !s.HasKey("rejected") || s.HasKey("responses")) return 0;
  return 80;
}

Status Read(ReadContext& ctx) { return ReadPreferenceRecords(ctx, PreferenceShapes::kTrl, "trl"); }

Status Write(WriteContext& ctx) { return WritePreferenceFormat(ctx, PreferenceFormat::kTrl); }

}  // namespace
}  // namespace format_trl

extern const FormatSpec kTrlFormat = {
    "trl", "TRL preference pairs: {prompt?, chosen, rejected} per line (pairwise/ranking projects)", ".jsonl",
    "application/x-ndjson", format_trl::Sniff, format_trl::Read, format_trl::Write};

}  // namespace hitloop::io
