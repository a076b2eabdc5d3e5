// Crash tests: a real process writing through the write-behind queue is
// killed, and the database must hold everything it acknowledged.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "store_test_support.h"

extern char** environ;

namespace strata::store {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

constexpr std::size_t kAcksBeforeSignal = 2000;

// store_write_burst running with its stdout on a pipe we read line by line.
class BurstProcess {
 public:
  explicit BurstProcess(const std::string& data_dir) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC
    std::string path = STRATA_WRITE_BURST_PATH;
    std::string dir = data_dir;
    char* argv[] = {path.data(), dir.data(), nullptr};
    const int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error("posix_spawn " + path + " failed: " + std::to_string(rc));
    }
  }

  ~BurstProcess() {
    if (pid_ > 0) {  // a failed test left it running
      ::kill(pid_, SIGKILL);
      Wait();
    }
    ::close(out_);
  }

  // The next whole line without its newline; nullopt at end of output or
  // when `deadline` passes (timed_out() tells which).
  std::optional<std::string> ReadLine(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      if (const auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) {
        timed_out_ = true;
        return std::nullopt;
      }
      pollfd readable{.fd = out_, .events = POLLIN, .revents = 0};
      if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[65536];
      const ssize_t got = ::read(out_, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return std::nullopt;  // EOF: a partial last line is dropped, never acked
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

  void Signal(int signal) { ::kill(pid_, signal); }

  // Reaps the process; its wait status.
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  bool timed_out() const { return timed_out_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
  bool timed_out_ = false;
};

struct Output {
  std::vector<std::string> acked;
  std::optional<std::uint64_t> closed_pushed;
};

// Collects "acked <id>" lines (and "closed pushed=<n>") until `stop` says so or output ends.
template <class Stop>
void Collect(BurstProcess& process, Output& output, std::chrono::steady_clock::time_point deadline, Stop stop) {
  while (!stop()) {
    std::optional<std::string> line = process.ReadLine(deadline);
    if (!line) return;
    constexpr std::string_view kAcked = "acked ";
    constexpr std::string_view kClosed = "closed pushed=";
    if (line->starts_with(kAcked)) {
      output.acked.push_back(line->substr(kAcked.size()));
    } else if (line->starts_with(kClosed)) {
      output.closed_pushed = std::stoull(line->substr(kClosed.size()));
    } else {
      ADD_FAILURE() << "unexpected output line: " << *line;
    }
  }
}

std::unique_ptr<Store> Reopen(const TempDir& dir) {
  StoreOptions options;
  options.data_dir = dir.path().string();
  auto store = Store::Open(options);
  EXPECT_TRUE(store) << store.error().message();
  return store ? std::move(*store) : nullptr;
}

std::size_t CountMissing(Store& store, const std::vector<std::string>& ids) {
  std::size_t missing = 0;
  for (const std::string& id : ids) {
    core::Result<std::optional<Record>> found = store.records().Find(id);
    if (!found || !found->has_value()) {
      if (++missing <= 5) ADD_FAILURE() << "acknowledged but not stored: " << id;
    }
  }
  return missing;
}

TEST(WriteBurstTest, EveryAcknowledgedRecordSurvivesSigkill) {
  TempDir dir;
  Output output;
  {
    BurstProcess process(dir.path().string());
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    Collect(process, output, deadline, [&] { return output.acked.size() >= kAcksBeforeSignal; });
    ASSERT_GE(output.acked.size(), kAcksBeforeSignal) << (process.timed_out() ? "timed out" : "exited early");
    process.Signal(SIGKILL);
    // Lines already in the pipe were printed after their commit: they count too.
    Collect(process, output, deadline, [] { return false; });
    const int status = process.Wait();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  }
  std::unique_ptr<Store> store = Reopen(dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountMissing(*store, output.acked), 0u) << "of " << output.acked.size() << " acknowledged";
  core::Result<std::int64_t> count = store->records().Count();
  ASSERT_TRUE(count);
  EXPECT_GE(*count, static_cast<std::int64_t>(output.acked.size()));
}

TEST(WriteBurstTest, SigtermFlushesEveryPushedRecordBeforeExit) {
  TempDir dir;
  Output output;
  {
    BurstProcess process(dir.path().string());
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    Collect(process, output, deadline, [&] { return output.acked.size() >= kAcksBeforeSignal; });
    ASSERT_GE(output.acked.size(), kAcksBeforeSignal) << (process.timed_out() ? "timed out" : "exited early");
    process.Signal(SIGTERM);
    Collect(process, output, deadline, [] { return false; });
    ASSERT_FALSE(process.timed_out()) << "no clean exit within the deadline";
    const int status = process.Wait();
    ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  ASSERT_TRUE(output.closed_pushed.has_value()) << "no 'closed pushed=<n>' line";
  const std::uint64_t pushed = *output.closed_pushed;
  // Close() flushed everything, and each commit was acknowledged.
  EXPECT_EQ(output.acked.size(), pushed);

  std::unique_ptr<Store> store = Reopen(dir);
  ASSERT_NE(store, nullptr);
  core::Result<std::int64_t> count = store->records().Count();
  ASSERT_TRUE(count);
  EXPECT_EQ(static_cast<std::uint64_t>(*count), pushed);
  EXPECT_EQ(CountMissing(*store, output.acked), 0u);
}

}  // namespace
}  // namespace strata::store
