#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace strata::config {
namespace {

using std::chrono::milliseconds;

Environment FakeEnvironment(std::map<std::string, std::string, std::less<>> variables = {}) {
  return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

core::Result<Config> Load(std::string_view yaml, Environment environment = FakeEnvironment()) {
  return LoadConfigString(yaml, "strata.yaml", environment);
}

// The message of a load that must fail; fails the test if it loaded.
std::string ErrorOf(std::string_view yaml, Environment environment = FakeEnvironment()) {
  core::Result<Config> config = Load(yaml, std::move(environment));
  if (config) {
    ADD_FAILURE() << "expected an error for:\n" << yaml;
    return "";
  }
  EXPECT_EQ(config.error().code(), core::ErrorCode::kInvalidRequest);
  return config.error().message();
}

// A private directory for files the config refers to, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("strata_config_test_" + std::to_string(::getpid()) + "_" + test->name());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string Write(const std::string& name, const std::string& contents) {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file) << contents;
    return file.string();
  }
  std::string PathOf(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

TEST(LoadConfigTest, EmptyInputGivesTheDefaults) {
  for (const char* yaml : {"", "{}", "# only a comment\n", "server:\nlog: ~\n"}) {
    core::Result<Config> config = Load(yaml);
    ASSERT_TRUE(config) << yaml << ": " << config.error().message();
    const Config defaults = DefaultConfig();
    EXPECT_EQ(config->server.host, defaults.server.host);
    EXPECT_EQ(config->server.port, 4100);
    EXPECT_EQ(config->server.max_body_bytes, defaults.server.max_body_bytes);
    EXPECT_EQ(config->upstream.connect_timeout, defaults.upstream.connect_timeout);
    EXPECT_EQ(config->store.backend, "sqlite");
    EXPECT_EQ(config->store.write_behind.batch_size, defaults.store.write_behind.batch_size);
    EXPECT_EQ(config->log.level, "info");
  }
}

// yaml-cpp 0.7 never returns on these (core/yaml_syntax.h): a typo in a config
// file must be an error at its line, not a hang.
TEST(LoadConfigTest, ATypoTheYamlLibraryWouldLoopOnIsAnErrorAtItsLine) {
  EXPECT_EQ(ErrorOf("server:\n  port: 4100\n,"), "strata.yaml:3: invalid YAML: a line cannot start with ','");
  EXPECT_NE(ErrorOf("server: {port: 4100]").find("strata.yaml:1: invalid YAML"), std::string::npos);
}

TEST(LoadConfigTest, SourceIsTheFileName) {
  core::Result<Config> config = LoadConfigString("", "/etc/strata/strata.yaml", FakeEnvironment());
  ASSERT_TRUE(config);
  EXPECT_EQ(config->source, "/etc/strata/strata.yaml");
  EXPECT_EQ(DefaultConfig().source, "<embedded default>");
}

TEST(LoadConfigTest, KeysLeftOutKeepTheirDefaults) {
  core::Result<Config> config = Load("server:\n  port: 8080\n");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->server.port, 8080);
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.header_timeout, milliseconds(10'000));
}

TEST(LoadConfigTest, ReadsEverySection) {
  TempDir dir;
  const std::string cert = dir.Write("cert.pem", "cert");
  const std::string key = dir.Write("key.pem", "key");
  const std::string ca = dir.Write("ca.pem", "ca");
  const std::string yaml = R"(
server:
  host: 0.0.0.0
  port: 8443
  workers: 4
  max_body_bytes: 32MiB
  max_header_bytes: 8192
  header_timeout: 5s
  body_timeout: 2m
  idle_timeout: 1.5s
  max_connections: 1000
  shutdown_grace: 0s
  tls:
    cert_file: )" + cert + R"(
    key_file: )" + key + R"(
upstream:
  connect_timeout: 250ms
  first_byte_timeout: 90s
  idle_timeout: 45s
  max_idle_per_host: 0
  pool_idle_ttl: 1h
  ca_file: )" + ca + R"(
  verify_tls: false
store:
  backend: sqlite
  data_dir: /var/lib/strata
  busy_timeout: 1s
  threads: 8
  write_behind:
    capacity: 1000
    batch_size: 100
    flush_interval: 20ms
log:
  level: debug
  format: text
  access_log: false
  file: /var/log/strata.log
)";
  core::Result<Config> config = Load(yaml);
  ASSERT_TRUE(config) << config.error().message();

  const http::ServerOptions& server = config->server;
  EXPECT_EQ(server.host, "0.0.0.0");
  EXPECT_EQ(server.port, 8443);
  EXPECT_EQ(server.workers, 4U);
  EXPECT_EQ(server.max_body_bytes, 32U * 1024 * 1024);
  EXPECT_EQ(server.max_header_bytes, 8192U);
  EXPECT_EQ(server.header_timeout, milliseconds(5'000));
  EXPECT_EQ(server.body_timeout, milliseconds(120'000));
  EXPECT_EQ(server.idle_timeout, milliseconds(1'500));
  EXPECT_EQ(server.max_connections, 1000U);
  EXPECT_EQ(server.shutdown_grace, milliseconds(0));
  EXPECT_EQ(server.tls.cert_file, cert);
  EXPECT_EQ(server.tls.key_file, key);
  EXPECT_TRUE(server.tls.enabled());

  const http::ClientOptions& upstream = config->upstream;
  EXPECT_EQ(upstream.connect_timeout, milliseconds(250));
  EXPECT_EQ(upstream.first_byte_timeout, milliseconds(90'000));
  EXPECT_EQ(upstream.idle_timeout, milliseconds(45'000));
  EXPECT_EQ(upstream.max_idle_per_host, 0U);
  EXPECT_EQ(upstream.pool_idle_ttl, milliseconds(3'600'000));
  EXPECT_EQ(upstream.ca_file, ca);
  EXPECT_FALSE(upstream.verify_tls);

  const store::StoreOptions& store = config->store;
  EXPECT_EQ(store.backend, "sqlite");
  EXPECT_EQ(store.data_dir, "/var/lib/strata");
  EXPECT_EQ(store.busy_timeout, milliseconds(1'000));
  EXPECT_EQ(store.threads, 8U);
  EXPECT_EQ(store.write_behind.capacity, 1000U);
  EXPECT_EQ(store.write_behind.batch_size, 100U);
  EXPECT_EQ(store.write_behind.flush_interval, milliseconds(20));

  const observability::LogOptions& log = config->log;
  EXPECT_EQ(log.level, "debug");
  EXPECT_EQ(log.format, "text");
  EXPECT_FALSE(log.access_log);
  EXPECT_EQ(log.file, "/var/log/strata.log");
}

TEST(LoadConfigTest, AcceptsQuotedNumbersAndFlowStyle) {
  core::Result<Config> config = Load("server: {port: \"9000\", max_body_bytes: '1KB'}\n");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->server.port, 9000);
  EXPECT_EQ(config->server.max_body_bytes, 1000U);
}

TEST(LoadConfigTest, RefusesABareNumberForADurationAndSuggestsAUnit) {
  const std::string message = ErrorOf("server:\n  header_timeout: 10\n");
  EXPECT_NE(message.find("strata.yaml:2: server.header_timeout must be a duration with a unit"), std::string::npos)
      << message;
  EXPECT_NE(message.find("'10s'"), std::string::npos) << message;
}

TEST(LoadConfigTest, RefusesMalformedAndZeroDurations) {
  EXPECT_NE(ErrorOf("upstream:\n  connect_timeout: 5 seconds\n").find("strata.yaml:2: upstream.connect_timeout"),
            std::string::npos);
  const std::string zero = ErrorOf("upstream:\n  connect_timeout: 0ms\n");
  EXPECT_NE(zero.find("strata.yaml:2: upstream.connect_timeout must be a duration above zero"), std::string::npos)
      << zero;
}

TEST(LoadConfigTest, RefusesMalformedSizes) {
  const std::string message = ErrorOf("server:\n  max_body_bytes: 16M\n");
  EXPECT_NE(message.find("strata.yaml:2: server.max_body_bytes must be a size in bytes"), std::string::npos)
      << message;
  EXPECT_NE(message.find("got '16M'"), std::string::npos) << message;
  EXPECT_NE(ErrorOf("server:\n  max_body_bytes: 0\n").find("of at least 1"), std::string::npos);
}

TEST(LoadConfigTest, RefusesOutOfRangeNumbersWithTheRangeAndLine) {
  EXPECT_EQ(ErrorOf("# comment\n\nserver:\n  port: 70000\n"),
            "strata.yaml:4: server.port must be an integer between 0 and 65535, got '70000'");
  EXPECT_NE(ErrorOf("server:\n  workers: 257\n").find("server.workers must be an integer between 0 and 256"),
            std::string::npos);
  EXPECT_NE(ErrorOf("store:\n  threads: 0\n").find("store.threads must be an integer between 1 and 64"),
            std::string::npos);
  EXPECT_NE(ErrorOf("server:\n  port: -1\n").find("strata.yaml:2: server.port"), std::string::npos);
}

TEST(LoadConfigTest, ReportsTypeErrorsWithTheirLines) {
  const std::string message = ErrorOf(
      "server:\n"
      "  port: eighty\n"
      "  host: [a, b]\n"
      "upstream:\n"
      "  verify_tls: yes\n"
      "log: loud\n");
  EXPECT_NE(message.find("strata.yaml:2: server.port must be an integer between 0 and 65535, got 'eighty'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("strata.yaml:3: server.host must be a single value, not a list"), std::string::npos)
      << message;
  EXPECT_NE(message.find("strata.yaml:5: upstream.verify_tls must be true or false, got 'yes'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("strata.yaml:6: log must be a mapping of keys, not a single value"), std::string::npos)
      << message;
}

TEST(LoadConfigTest, AnEmptyValueIsNotANumber) {
  EXPECT_EQ(ErrorOf("server:\n  port:\n"), "strata.yaml:2: server.port must be an integer between 0 and 65535, got an empty value");
}

TEST(LoadConfigTest, RefusesValuesOutsideTheirChoices) {
  EXPECT_EQ(ErrorOf("log:\n  level: verbose\n"),
            "strata.yaml:2: log.level must be one of trace, debug, info, warn, error, off, got 'verbose'");
  EXPECT_NE(ErrorOf("log:\n  format: xml\n").find("log.format must be one of json, text"), std::string::npos);
  EXPECT_NE(ErrorOf("server:\n  host: ''\n").find("server.host must be a non-empty string"), std::string::npos);
}

TEST(LoadConfigTest, SaysPostgresIsNotAvailableYet) {
  const std::string message = ErrorOf("store:\n  backend: postgres\n");
  EXPECT_NE(message.find("strata.yaml:2: store.backend"), std::string::npos) << message;
  EXPECT_NE(message.find("postgres backend is not available in this build yet"), std::string::npos) << message;
  EXPECT_EQ(ErrorOf("store:\n  backend: mysql\n"), "strata.yaml:2: store.backend must be 'sqlite', got 'mysql'");
}

TEST(LoadConfigTest, RefusesAWriteBehindBatchLargerThanItsQueue) {
  EXPECT_EQ(ErrorOf("store:\n  write_behind:\n    capacity: 10\n    batch_size: 20\n"),
            "strata.yaml:3: store.write_behind.capacity must be at least store.write_behind.batch_size");
  // Only batch_size written: the line blamed is the one that is there.
  EXPECT_NE(ErrorOf("store:\n  write_behind:\n    batch_size: 100000\n").find("strata.yaml:3: store.write_behind.batch_size must be at most"),
            std::string::npos);
  EXPECT_NE(ErrorOf("store:\n  write_behind:\n    batch_size: 0\n").find("batch_size must be an integer of at least 1"),
            std::string::npos);
}

TEST(LoadConfigTest, RefusesAnUnknownKeyWithASuggestionAndItsLine) {
  EXPECT_EQ(ErrorOf("server:\n  prot: 8080\n"), "strata.yaml:2: unknown key 'prot' in 'server'; did you mean 'port'?");
  EXPECT_EQ(ErrorOf("sever:\n  port: 1\n"), "strata.yaml:1: unknown key 'sever' at the top level; did you mean 'server'?");
  EXPECT_EQ(ErrorOf("server:\n  tls:\n    cert: a.pem\n"),
            "strata.yaml:3: unknown key 'cert' in 'server.tls'");
}

TEST(LoadConfigTest, SuggestsNothingWhenNoKeyIsClose) {
  EXPECT_EQ(ErrorOf("providers: []\n"), "strata.yaml:1: unknown key 'providers' at the top level");
}

TEST(LoadConfigTest, RefusesARepeatedKey) {
  EXPECT_EQ(ErrorOf("server:\n  port: 1\n  port: 2\n"),
            "strata.yaml:3: duplicate key 'server.port' (first at line 2)");
}

TEST(LoadConfigTest, ReportsEveryErrorTogetherInLineOrder) {
  const std::string message = ErrorOf(
      "log:\n"
      "  level: loud\n"
      "server:\n"
      "  port: 99999\n"
      "  prot: 1\n"
      "  header_timeout: 10\n"
      "store:\n"
      "  threads: 100\n");
  EXPECT_EQ(message,
            "strata.yaml:2: log.level must be one of trace, debug, info, warn, error, off, got 'loud'\n"
            "strata.yaml:4: server.port must be an integer between 0 and 65535, got '99999'\n"
            "strata.yaml:5: unknown key 'prot' in 'server'; did you mean 'port'?\n"
            "strata.yaml:6: server.header_timeout must be a duration with a unit, such as '10s' or '250ms' "
            "(units: ms, s, m, h), got '10'\n"
            "strata.yaml:8: store.threads must be an integer between 1 and 64, got '100'");
}

TEST(LoadConfigTest, ReportsTheLineOfASyntaxError) {
  const std::string message = ErrorOf("server:\n  port: 1\n   host: x\n");
  EXPECT_EQ(message.rfind("strata.yaml:3: invalid YAML", 0), 0U) << message;
}

TEST(LoadConfigTest, RefusesATopLevelThatIsNotAMapping) {
  EXPECT_EQ(ErrorOf("- server\n").rfind("strata.yaml:1: the top level must be a mapping", 0), 0U);
  EXPECT_EQ(ErrorOf("just text\n").rfind("strata.yaml:1: the top level must be a mapping", 0), 0U);
}

TEST(LoadConfigTest, RefusesASecondDocument) {
  EXPECT_EQ(ErrorOf("server: {}\n---\nlog: {}\n").rfind("strata.yaml:3: a config file holds one YAML document", 0),
            0U);
}

TEST(LoadConfigTest, ReplacesEnvironmentVariablesBeforeTyping) {
  core::Result<Config> config = Load(
      "server:\n  port: ${PORT}\n  host: ${HOST:-0.0.0.0}\n  header_timeout: ${TIMEOUT}s\n"
      "store:\n  data_dir: $${HOME}/data\n",
      FakeEnvironment({{"PORT", "9090"}, {"TIMEOUT", "3"}}));
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->server.port, 9090);
  EXPECT_EQ(config->server.host, "0.0.0.0");
  EXPECT_EQ(config->server.header_timeout, milliseconds(3'000));
  EXPECT_EQ(config->store.data_dir, "${HOME}/data");
}

TEST(LoadConfigTest, ReadsTheProcessEnvironmentByDefault) {
  ::setenv("STRATA_CONFIG_TEST_PORT", "7070", 1);
  core::Result<Config> config = LoadConfigString("server:\n  port: ${STRATA_CONFIG_TEST_PORT}\n", "strata.yaml");
  ::unsetenv("STRATA_CONFIG_TEST_PORT");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->server.port, 7070);
}

TEST(LoadConfigTest, UnsetVariableIsAnErrorNamingItAndTheLine) {
  const std::string message = ErrorOf("server:\n  host: x\n  port: ${PORT}\n");
  EXPECT_EQ(message.rfind("strata.yaml:3: server.port uses environment variable 'PORT', which is not set", 0), 0U)
      << message;
}

TEST(LoadConfigTest, NeverPrintsAValueTakenFromTheEnvironment) {
  const std::string message = ErrorOf(
      "server:\n  port: ${SECRET}\nlog:\n  level: x${SECRET}\n  format: ${MISSING}${SECRET}\n",
      FakeEnvironment({{"SECRET", "sk-live-hunter2"}}));
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_NE(message.find("strata.yaml:2: server.port must be an integer between 0 and 65535, got a value from ${SECRET}"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("strata.yaml:4: log.level"), std::string::npos) << message;
  EXPECT_NE(message.find("strata.yaml:5: log.format uses environment variable 'MISSING'"), std::string::npos)
      << message;
}

TEST(LoadConfigTest, TlsNeedsBothFilesOrNeither) {
  TempDir dir;
  const std::string cert = dir.Write("cert.pem", "cert");
  EXPECT_EQ(ErrorOf("server:\n  tls:\n    cert_file: " + cert + "\n"),
            "strata.yaml:3: server.tls.cert_file is set but server.tls.key_file is not: give both files for TLS, "
            "or neither");
  core::Result<Config> none = Load("server:\n  tls: {}\n");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->server.tls.enabled());
}

TEST(LoadConfigTest, TlsFilesMustBeReadable) {
  TempDir dir;
  const std::string key = dir.Write("key.pem", "key");
  const std::string missing = dir.PathOf("missing.pem");
  EXPECT_EQ(ErrorOf("server:\n  tls:\n    cert_file: " + missing + "\n    key_file: " + key + "\n"),
            "strata.yaml:3: server.tls.cert_file must be a readable file (No such file or directory), got '" +
                missing + "'");
  const std::string message = ErrorOf("server:\n  tls:\n    cert_file: " + key + "\n    key_file: " + dir.PathOf("") + "\n");
  EXPECT_NE(message.find("strata.yaml:4: server.tls.key_file must be a readable file (it is a directory)"),
            std::string::npos)
      << message;
}

TEST(LoadConfigTest, UnreadableFileFromTheEnvironmentIsNamedByItsVariable) {
  const std::string message = ErrorOf("upstream:\n  ca_file: ${CA}\n", FakeEnvironment({{"CA", "/nonexistent/secret-ca.pem"}}));
  EXPECT_EQ(message, "strata.yaml:2: upstream.ca_file must be a readable file (No such file or directory), got a value from ${CA}");
}

TEST(LoadConfigFileTest, MissingFileIsNotFound) {
  core::Result<Config> config = LoadConfigFile("/nonexistent/strata.yaml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(config.error().message(), "/nonexistent/strata.yaml: config file not found");
}

TEST(LoadConfigFileTest, ADirectoryIsNotAConfigFile) {
  TempDir dir;
  core::Result<Config> config = LoadConfigFile(dir.PathOf(""));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), core::ErrorCode::kInvalidRequest);
}

TEST(LoadConfigFileTest, LoadsAFileAndNamesItInErrorsAndSource) {
  TempDir dir;
  const std::string good = dir.Write("good.yaml", "server:\n  port: 1234\n");
  core::Result<Config> config = LoadConfigFile(good);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->server.port, 1234);
  EXPECT_EQ(config->source, good);

  const std::string bad = dir.Write("bad.yaml", "\nserver:\n  port: x\n");
  core::Result<Config> refused = LoadConfigFile(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message().rfind(bad + ":3: server.port", 0), 0U) << refused.error().message();

  EXPECT_TRUE(LoadConfigFile(dir.Write("empty.yaml", "")));
}

}  // namespace
}  // namespace strata::config
