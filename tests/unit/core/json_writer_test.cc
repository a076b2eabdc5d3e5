#include "core/json_writer.h"

#include <cstdint>
#include <limits>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace strata::core {
namespace {

namespace json = boost::json;

json::object Parsed(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  return value.is_object() ? value.get_object() : json::object();
}

TEST(JsonWriter, WritesFieldsInOrderAsValidJson) {
  JsonWriter writer(64);
  writer.Field("name").String("gpt-4o");
  writer.Field("count").Number(std::uint64_t{18446744073709551615u});
  writer.Field("signed").Number(-7);
  writer.Field("ok").Bool(true);
  writer.Field("missing").Null();
  const std::string text = std::move(writer).Finish();
  EXPECT_EQ(text, R"({"name":"gpt-4o","count":18446744073709551615,"signed":-7,"ok":true,"missing":null})");
}

TEST(JsonWriter, EscapesStringsSoTheyParseBackUnchanged) {
  const std::string hostile = "quote\" backslash\\ newline\n tab\t nul" + std::string(1, '\0') + " é 🙂";
  JsonWriter writer(64);
  writer.Field("value").String(hostile);
  const json::object parsed = Parsed(std::move(writer).Finish());
  EXPECT_EQ(parsed.at("value").as_string(), hostile);
}

TEST(JsonWriter, DoublesRoundTripExactly) {
  for (const double value : {0.0, 1.5e-05, 0.1 + 0.2, 123456789.125, std::numeric_limits<double>::min()}) {
    JsonWriter writer(32);
    writer.Field("usd").Number(value);
    const json::object parsed = Parsed(std::move(writer).Finish());
    EXPECT_EQ(parsed.at("usd").to_number<double>(), value);
  }
}

TEST(JsonWriter, NestsRawJsonAndWritesAnEmptyObject) {
  JsonWriter inner(16);
  inner.Field("a").Number(1);
  JsonWriter outer(32);
  outer.Field("inner").Raw(std::move(inner).Finish());
  outer.Field("list").Raw("[").String("x").Raw(",").String("y").Raw("]");
  const json::object parsed = Parsed(std::move(outer).Finish());
  EXPECT_EQ(parsed.at("inner").at("a").as_int64(), 1);
  EXPECT_EQ(parsed.at("list").as_array().size(), 2u);
  EXPECT_EQ(std::move(JsonWriter(0)).Finish(), "{}");
}

}  // namespace
}  // namespace strata::core
