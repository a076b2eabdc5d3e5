#pragma once

#include <stdlib.h>

#include <filesystem>
#include <future>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "store/record_store.h"

namespace strata::store::testing {

namespace asio = boost::asio;

// A fresh directory under the system temp dir, removed with everything in it
// when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "strata-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Drives one coroutine to completion on a private io_context (STYLE.md, example 10).
template <class T>
T RunCoroutine(asio::awaitable<T> task) {
  asio::io_context io;
  std::future<T> result = asio::co_spawn(io, std::move(task), asio::use_future);
  io.run();
  return result.get();
}

inline Record MakeRecord(const std::string& id, std::string payload = "{}") {
  return Record{.id = id, .created_at_ms = 1'700'000'000'000, .kind = "inference", .payload = std::move(payload)};
}

}  // namespace strata::store::testing
