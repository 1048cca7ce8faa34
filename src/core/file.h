#pragma once
// File helpers. AtomicWriteFile writes `path.tmp`, fsyncs it, renames it over `path` and fsyncs
// the directory, so a crash leaves either the old file or the new one, never a torn one.
#include <string>
#include <string_view>

#include "core/status.h"

namespace hitloop {

Status AtomicWriteFile(const std::string& path, std::string_view bytes);
Result<std::string> ReadFile(const std::string& path);

// Fault injection for tests (model, featurizer and audit-region files are written past SQLite,
// so its faulty VFS does not reach them): the hook is asked before each step of every
// AtomicWriteFile; a non-zero errno makes that step fail with it (a short write for kWrite).
// Null (the default) = no faults. Process-wide; set it only while no other thread writes files.
enum class FileStep { kOpen, kWrite, kFsync, kRename };
using FileFaultHook = int (*)(FileStep step, const std::string& path);
void SetFileFaultHookForTesting(FileFaultHook hook);

}  // namespace hitloop
