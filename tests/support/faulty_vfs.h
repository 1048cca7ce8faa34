#pragma once
// Fault injection for tests: a SQLite VFS over the platform's default one whose writes can be
// made to fail as on a full disk (SQLITE_FULL), at any moment, for every connection of the
// process. Install() registers it as the default VFS (call it before opening the databases
// under test); SetDiskFull(false) makes it a plain pass-through again.
#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace hitloop::testing {

namespace faulty_vfs_detail {

inline std::atomic<bool> g_full{false};
inline sqlite3_vfs* g_real = nullptr;
inline sqlite3_vfs g_vfs;
inline sqlite3_io_methods g_methods;
inline const sqlite3_io_methods* g_real_methods = nullptr;

struct File {
  sqlite3_file base;
  sqlite3_file* real;  // points just past this struct
};
inline sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

inline int Close(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}
inline int Read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) { return Real(f)->pMethods->xRead(Real(f), p, n, off); }
inline int Write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  if (g_full.load()) return SQLITE_FULL;
  return Real(f)->pMethods->xWrite(Real(f), p, n, off);
}
inline int Truncate(sqlite3_file* f, sqlite3_int64 size) { return Real(f)->pMethods->xTruncate(Real(f), size); }
inline int Sync(sqlite3_file* f, int flags) { return Real(f)->pMethods->xSync(Real(f), flags); }
inline int FileSize(sqlite3_file* f, sqlite3_int64* size) { return Real(f)->pMethods->xFileSize(Real(f), size); }
inline int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
inline int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
inline int CheckReserved(sqlite3_file* f, int* out) { return Real(f)->pMethods->xCheckReservedLock(Real(f), out); }
inline int FileControl(sqlite3_file* f, int op, void* arg) { return Real(f)->pMethods->xFileControl(Real(f), op, arg); }
inline int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
inline int DeviceCharacteristics(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
inline int ShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, p);
}
inline int ShmLock(sqlite3_file* f, int off, int n, int flags) { return Real(f)->pMethods->xShmLock(Real(f), off, n, flags); }
inline void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
inline int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
inline int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) { return Real(f)->pMethods->xFetch(Real(f), off, n, p); }
inline int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return Real(f)->pMethods->xUnfetch(Real(f), off, p); }

inline int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = reinterpret_cast<File*>(f);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  std::memset(file->real, 0, static_cast<size_t>(g_real->szOsFile));
  int rc = g_real->xOpen(g_real, name, file->real, flags, out_flags);
  if (file->real->pMethods == nullptr) {
    f->pMethods = nullptr;
    return rc;
  }
  if (g_real_methods == nullptr) {
    g_real_methods = file->real->pMethods;
    g_methods = sqlite3_io_methods{g_real_methods->iVersion, Close, Read, Write, Truncate, Sync, FileSize,
                                   Lock, Unlock, CheckReserved, FileControl, SectorSize,
                                   DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap, Fetch,
                                   Unfetch};
  }
  f->pMethods = &g_methods;
  return rc;
}

}  // namespace faulty_vfs_detail

inline void InstallFaultyVfs() {
  namespace d = faulty_vfs_detail;
  if (d::g_real != nullptr) return;
  d::g_real = sqlite3_vfs_find(nullptr);
  d::g_vfs = *d::g_real;
  d::g_vfs.zName = "hitloop-faulty";
  d::g_vfs.szOsFile = static_cast<int>(sizeof(d::File)) + d::g_real->szOsFile;
  d::g_vfs.xOpen = d::Open;
  d::g_vfs.pAppData = nullptr;
  sqlite3_vfs_register(&d::g_vfs, /*makeDflt=*/1);
}

inline void SetDiskFull(bool full) { faulty_vfs_detail::g_full.store(full); }

}  // namespace hitloop::testing
