// store_write_burst <data_dir>: the process the crash tests kill.
//
// Opens a Store in <data_dir> and pushes records through a WriteBehindQueue
// as fast as it can. Every committed record is acknowledged on stdout as
// "acked <id>", written only after its batch committed. On SIGTERM it stops
// pushing, closes the queue (flushing everything), prints
// "closed pushed=<n>" and exits 0.
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "store/store.h"
#include "store/write_behind.h"

namespace {

std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

void OnSigterm(int) { stop_requested.store(true); }

// write(2) in full: a line the test has read was written whole.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using strata::store::Record;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <data_dir>\n", argv[0]);
    return 2;
  }
  struct sigaction action {};
  action.sa_handler = OnSigterm;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);

  strata::store::StoreOptions options;
  options.data_dir = argv[1];
  auto store = strata::store::Store::Open(options);
  if (!store) {
    std::fprintf(stderr, "store_write_burst: %s\n", store.error().message().c_str());
    return 1;
  }
  const strata::store::WriteBehindOptions queue_options{
      .capacity = 4096, .batch_size = 256, .flush_interval = std::chrono::milliseconds(5)};
  strata::store::WriteBehindQueue queue((*store)->records(), queue_options);
  queue.SetCommitListener([](std::span<const Record> batch) {
    std::string lines;
    for (const Record& record : batch) {
      lines += "acked ";
      lines += record.id;
      lines += '\n';
    }
    WriteAll(STDOUT_FILENO, lines);
  });

  std::uint64_t pushed = 0;
  const std::string payload(200, 'p');
  while (!stop_requested.load()) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    Record record{.id = "burst-" + std::to_string(pushed),
                  .created_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count(),
                  .kind = "burst",
                  .payload = payload};
    if (auto accepted = queue.PushBlocking(std::move(record)); !accepted) {
      std::fprintf(stderr, "store_write_burst: %s\n", accepted.error().message().c_str());
      return 1;
    }
    ++pushed;
  }
  queue.Close();
  WriteAll(STDOUT_FILENO, "closed pushed=" + std::to_string(pushed) + "\n");
  return 0;
}
