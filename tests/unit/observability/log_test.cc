#include "observability/log.h"

#include <filesystem>
#include <fstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace strata::observability {
namespace {

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(LogTest, JsonLinesCarryTimestampLevelMessageAndTypedFields) {
  const std::string path = (std::filesystem::temp_directory_path() / "strata_log_test.jsonl").string();
  std::filesystem::remove(path);
  LogOptions options;
  options.file = path;
  InitLogging(options);
  Log(Level::kInfo, "access", {{"status", 200}, {"path", "/v1/\"x\"\n"}, {"ok", true}, {"ratio", 0.5}});
  Log(Level::kDebug, "hidden at info level");
  Log(Level::kWarn, "bad bytes \xFF kept valid");
  ShutdownLogging();

  const std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  const boost::json::value first = boost::json::parse(lines[0]);
  EXPECT_EQ(first.at("level"), "info");
  EXPECT_EQ(first.at("msg"), "access");
  EXPECT_EQ(first.at("status"), 200);
  EXPECT_EQ(first.at("path"), "/v1/\"x\"\n");
  EXPECT_EQ(first.at("ok"), true);
  EXPECT_EQ(first.at("ratio"), 0.5);
  EXPECT_FALSE(first.at("ts").as_string().empty());
  const boost::json::value second = boost::json::parse(lines[1]);
  EXPECT_EQ(second.at("level"), "warning");
  EXPECT_EQ(second.at("msg"), "bad bytes \xEF\xBF\xBD kept valid");
}

}  // namespace
}  // namespace strata::observability
