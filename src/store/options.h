#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace strata::store {

using std::chrono::milliseconds;

// The write-behind queue for high-rate records (inference log, audit).
struct WriteBehindOptions {
  // Records buffered before producers wait: accepted but not yet committed,
  // the batch being written included. Bounds the memory held and the records
  // at risk if the process is killed. At least 1.
  std::size_t capacity = 65'536;
  std::size_t batch_size = 512;      // records per transaction, at most (at least 1)
  milliseconds flush_interval{50};   // a partial batch is written after this long
  // A failed batch is retried after retry_backoff_initial, doubling up to
  // retry_backoff_max, for as long as it takes: records are never dropped.
  milliseconds retry_backoff_initial{10};
  milliseconds retry_backoff_max{1'000};
};

struct StoreOptions {
  std::string backend = "sqlite";    // only "sqlite" for now; "postgres" later
  std::string data_dir = "./strata-data";  // the SQLite file is data_dir/strata.db
  milliseconds busy_timeout{5'000};  // SQLite waits this long on a locked database
  unsigned threads = 2;              // the blocking pool that runs store calls off the io threads
  // The master key that wraps every data subject's content key (docs/AUDIT.md,
  // "Content encryption"): 32 bytes, raw or base64. Created on first open.
  std::string content_key_file;  // empty: <data_dir>/content.key
  // The node's checkpoint signing key (docs/AUDIT.md). Created on first start.
  std::string audit_signing_key_file;  // empty: <data_dir>/audit-signing.key
  WriteBehindOptions write_behind;
};

}  // namespace strata::store
