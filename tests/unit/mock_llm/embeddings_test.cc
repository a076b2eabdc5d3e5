#include "mock_llm/internal/embeddings.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>


namespace strata::mock_llm {
namespace {

namespace json = boost::json;

json::value Embed(std::string_view body, std::uint32_t default_dimensions = 256) {
  core::Result<std::string> answer = RenderEmbeddings(json::parse(body), default_dimensions);
  EXPECT_TRUE(answer) << (answer ? "" : answer.error().message());
  return answer ? json::parse(*answer) : json::value();
}

std::vector<float> Floats(const json::value& embedding) {
  std::vector<float> floats;
  for (const json::value& component : embedding.as_array()) {
    floats.push_back(static_cast<float>(component.to_number<double>()));
  }
  return floats;
}

std::string DecodeBase64(std::string_view text) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    if (c == '=') break;
    bits = bits << 6 | static_cast<std::uint32_t>(kAlphabet.find(c));
    if ((count += 6) >= 8) {
      count -= 8;
      bytes += static_cast<char>(bits >> count & 0xff);
    }
  }
  return bytes;
}

std::vector<float> FromLittleEndian(std::string_view bytes) {
  std::vector<float> floats;
  for (std::size_t i = 0; i + 4 <= bytes.size(); i += 4) {
    std::uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + b])) << (8 * b);
    floats.push_back(std::bit_cast<float>(bits));
  }
  return floats;
}

double Norm(const std::vector<float>& vector) {
  double sum = 0;
  for (const float x : vector) sum += static_cast<double>(x) * x;
  return std::sqrt(sum);
}

TEST(EmbeddingsTest, SameInputSameUnitVectorOfTheDefaultSize) {
  const json::value first = Embed(R"({"model":"text-embedding-3-small","input":"hello"})");
  const json::value second = Embed(R"({"model":"other-model","input":"hello"})");
  const std::vector<float> vector = Floats(first.at("data").at(0).at("embedding"));
  ASSERT_EQ(vector.size(), 256u);
  EXPECT_EQ(vector, Floats(second.at("data").at(0).at("embedding")));
  EXPECT_NEAR(Norm(vector), 1.0, 1e-5);
  EXPECT_EQ(first.at("object"), "list");
  EXPECT_EQ(first.at("model"), "text-embedding-3-small");
  EXPECT_EQ(first.at("data").at(0).at("object"), "embedding");
  EXPECT_EQ(first.at("usage").at("prompt_tokens"), 2);
  EXPECT_EQ(first.at("usage").at("total_tokens"), 2);
}

TEST(EmbeddingsTest, DifferentInputsDiffer) {
  const json::value answer = Embed(R"({"model":"m","input":["hello","hello!","hello"]})");
  const json::array& data = answer.at("data").as_array();
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[2].at("index"), 2);
  EXPECT_NE(Floats(data[0].at("embedding")), Floats(data[1].at("embedding")));
  EXPECT_EQ(Floats(data[0].at("embedding")), Floats(data[2].at("embedding")));
}

TEST(EmbeddingsTest, DimensionsAreHonouredAndPrefixConsistent) {
  const std::vector<float> small =
      Floats(Embed(R"({"model":"m","input":"abc","dimensions":8})").at("data").at(0).at("embedding"));
  const std::vector<float> large =
      Floats(Embed(R"({"model":"m","input":"abc","dimensions":64})").at("data").at(0).at("embedding"));
  ASSERT_EQ(small.size(), 8u);
  ASSERT_EQ(large.size(), 64u);
  EXPECT_NEAR(Norm(small), 1.0, 1e-5);
  // The short vector points the way of the long one's prefix.
  const double scale = small[0] / large[0];
  for (std::size_t i = 0; i < 8; ++i) EXPECT_NEAR(small[i], large[i] * scale, 1e-5);
  EXPECT_EQ(Floats(Embed(R"({"model":"m","input":"abc"})", 32).at("data").at(0).at("embedding")).size(), 32u);
}

TEST(EmbeddingsTest, Base64IsLittleEndianFloat32OfTheSameVector) {
  const std::vector<float> floats =
      Floats(Embed(R"({"model":"m","input":"round trip","dimensions":33})").at("data").at(0).at("embedding"));
  const json::value answer = Embed(R"({"model":"m","input":"round trip","dimensions":33,"encoding_format":"base64"})");
  const std::string encoded(answer.at("data").at(0).at("embedding").as_string());
  EXPECT_EQ(encoded.size(), (33u * 4 + 2) / 3 * 4);
  EXPECT_EQ(FromLittleEndian(DecodeBase64(encoded)), floats);
}

TEST(EmbeddingsTest, Base64EncodesLikeTheStandard) {
  std::string out;
  AppendBase64(out, "");
  AppendBase64(out, "f");
  out += '|';
  AppendBase64(out, "fo");
  out += '|';
  AppendBase64(out, "foobar");
  EXPECT_EQ(out, "Zg==|Zm8=|Zm9vYmFy");
}

TEST(EmbeddingsTest, AcceptsTokenInputs) {
  const json::value single = Embed(R"({"model":"m","input":[1,2,3]})");
  EXPECT_EQ(single.at("data").as_array().size(), 1u);
  EXPECT_EQ(single.at("usage").at("prompt_tokens"), 3);
  const json::value many = Embed(R"({"model":"m","input":[[1,2,3],[4]]})");
  EXPECT_EQ(many.at("data").as_array().size(), 2u);
  EXPECT_EQ(Floats(many.at("data").at(0).at("embedding")), Floats(single.at("data").at(0).at("embedding")));
}

TEST(EmbeddingsTest, RejectsBadRequests) {
  for (const std::string_view body :
       {R"({"input":"x"})", R"({"model":"m"})", R"({"model":"m","input":[]})", R"({"model":"m","input":[true]})",
        R"({"model":"m","input":"x","dimensions":0})", R"({"model":"m","input":"x","dimensions":100000})",
        R"({"model":"m","input":"x","encoding_format":"hex"})"}) {
    EXPECT_FALSE(RenderEmbeddings(json::parse(body), 256)) << body;
  }
}

}  // namespace
}  // namespace strata::mock_llm
