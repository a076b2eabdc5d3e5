#pragma once

// A real redis-server for tests: started on a free loopback port in a
// temporary directory, with nothing persisted, and killed (by its PID) when
// the object goes. Header-only: the test binary is built from *_test.cc.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace strata::redis::testing {

inline constexpr const char* kRedisServerBinary = "/usr/bin/redis-server";

inline bool RedisServerInstalled() { return ::access(kRedisServerBinary, X_OK) == 0; }

// A loopback port nothing listens on right now.
inline std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class RedisServer {
 public:
  // Starts at once; check started() (false: the binary is missing or it did
  // not come up within a few seconds).
  explicit RedisServer(std::string requirepass = {}) : requirepass_(std::move(requirepass)) {
    char pattern[] = "/tmp/strata-redis-test-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    // Another process may take the free port first (tests run in parallel):
    // then redis-server exits, and another port is tried.
    for (int attempt = 0; attempt < 5 && !started(); ++attempt) {
      port_ = FreePort();
      Start();
    }
  }

  ~RedisServer() {
    Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool started() const { return pid_ > 0; }
  std::uint16_t port() const { return port_; }
  std::string url() const {
    return "redis://" + (requirepass_.empty() ? std::string() : ":" + requirepass_ + "@") + "127.0.0.1:" +
           std::to_string(port_);
  }

  // Starts the server (again) on the same port.
  bool Start() {
    if (pid_ > 0 || !RedisServerInstalled()) {
      return pid_ > 0;
    }
    std::vector<std::string> args = {kRedisServerBinary, "--port",    std::to_string(port_), "--bind",
                                      "127.0.0.1",       "--save",    "",                    "--appendonly",
                                      "no",              "--dir",     dir_,                  "--logfile",
                                      dir_ + "/redis.log", "--daemonize", "no"};
    if (!requirepass_.empty()) {
      args.push_back("--requirepass");
      args.push_back(requirepass_);
    }
    const std::size_t log_offset = LogSince(0).size();  // a restart appends to the same log
    std::vector<char*> argv;
    for (std::string& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (::posix_spawn(&pid, kRedisServerBinary, nullptr, nullptr, argv.data(), environ) != 0) {
      return false;
    }
    pid_ = pid;
    // Up when its log says so: a successful connect alone could reach another
    // process that holds the port, while ours fails to bind and exits.
    for (int i = 0; i < 500; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // it exited (the port was taken?)
        pid_ = -1;
        return false;
      }
      if (LogSince(log_offset).find("Ready to accept connections") != std::string::npos) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Stop();
    return false;
  }

  // Kills the server (SIGKILL: no goodbye to its clients) and reaps it.
  void Stop() {
    if (pid_ <= 0) {
      return;
    }
    ::kill(pid_, SIGCONT);  // in case a test left it stopped
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  void Pause() { ::kill(pid_, SIGSTOP); }
  void Resume() { ::kill(pid_, SIGCONT); }

 private:
  std::string LogSince(std::size_t offset) const {
    std::ifstream log(dir_ + "/redis.log", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    return offset < text.size() ? text.substr(offset) : std::string();
  }

  std::string requirepass_;
  std::string dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace strata::redis::testing
