#include "mock_llm/internal/embeddings.h"

#include <bit>
#include <cmath>

#include <boost/json/value.hpp>

#include "mock_llm/internal/json_out.h"
#include "mock_llm/internal/request.h"
#include "mock_llm/internal/text.h"

namespace strata::mock_llm {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxEmbeddingInputs = 2048;

struct EmbeddingInput {
  std::uint64_t seed = 0;
  std::uint32_t tokens = 0;
};

std::uint64_t TokenSeed(const json::array& tokens) {
  std::uint64_t hash = Fnv1a({});
  for (const json::value& token : tokens) {
    const std::int64_t id = token.is_int64() ? token.get_int64() : token.is_uint64() ? token.get_uint64() : -1;
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(static_cast<std::uint64_t>(id) >> (8 * i));
    hash = Fnv1a({bytes, sizeof bytes}, hash);
  }
  return hash;
}

core::Result<std::vector<EmbeddingInput>> ReadEmbeddingInputs(const json::object& request) {
  const json::value* input = request.if_contains("input");
  const auto bad = [] {
    return core::Error::InvalidRequest(
        "input: must be a string, a list of strings, token ids or lists of token ids, with at most 2048 items",
        "input");
  };
  if (input == nullptr || input->is_null()) return core::Error::InvalidRequest("input: field required", "input");
  std::vector<EmbeddingInput> inputs;
  if (input->is_string()) {
    inputs.push_back({EmbeddingSeed(input->get_string()), CountTokens(input->get_string().size())});
    return inputs;
  }
  if (!input->is_array() || input->get_array().empty() || input->get_array().size() > kMaxEmbeddingInputs) {
    return bad();
  }
  const json::array& items = input->get_array();
  if (items.front().is_number()) {
    inputs.push_back({TokenSeed(items), static_cast<std::uint32_t>(items.size())});
    return inputs;
  }
  inputs.reserve(items.size());
  for (const json::value& item : items) {
    if (item.is_string()) {
      inputs.push_back({EmbeddingSeed(item.get_string()), CountTokens(item.get_string().size())});
    } else if (item.is_array() && !item.get_array().empty()) {
      inputs.push_back({TokenSeed(item.get_array()), static_cast<std::uint32_t>(item.get_array().size())});
    } else {
      return bad();
    }
  }
  return inputs;
}

}  // namespace

void EmbeddingVector(std::uint64_t seed, std::uint32_t dimensions, std::vector<float>& out) {
  out.resize(dimensions);
  std::uint64_t state = seed;
  double sum_of_squares = 0;
  for (float& component : out) {
    // The top 24 bits make a float in [0, 1) exactly; stretched to [-1, 1).
    const double unit = static_cast<double>(SplitMix64(state) >> 40) * 0x1p-24;
    component = static_cast<float>(2 * unit - 1);
    sum_of_squares += static_cast<double>(component) * component;
  }
  if (sum_of_squares == 0) {
    if (!out.empty()) out[0] = 1;
    return;
  }
  const double scale = 1 / std::sqrt(sum_of_squares);
  for (float& component : out) component = static_cast<float>(component * scale);
}

std::uint64_t EmbeddingSeed(std::string_view text) { return Fnv1a(text); }

void AppendBase64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t triple = static_cast<unsigned char>(bytes[i]) << 16 |
                                 static_cast<unsigned char>(bytes[i + 1]) << 8 |
                                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[triple >> 18 & 63];
    out += kAlphabet[triple >> 12 & 63];
    out += kAlphabet[triple >> 6 & 63];
    out += kAlphabet[triple & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t triple = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) triple |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[triple >> 18 & 63];
    out += kAlphabet[triple >> 12 & 63];
    out += rest == 2 ? kAlphabet[triple >> 6 & 63] : '=';
    out += '=';
  }
}

core::Result<std::string> RenderEmbeddings(const json::value& body, std::uint32_t default_dimensions) {
  auto object = BodyObject(body);
  if (!object) return object.error();
  const json::object& request = **object;
  auto model = RequiredString(request, "model");
  if (!model) return model.error();
  auto inputs = ReadEmbeddingInputs(request);
  if (!inputs) return inputs.error();
  auto dimensions = OptionalInteger(request, "dimensions", 1, kMaxEmbeddingDimensions);
  if (!dimensions) return dimensions.error();
  bool base64 = false;
  if (const json::value* format = request.if_contains("encoding_format"); format && !format->is_null()) {
    if (!format->is_string() || (format->get_string() != "float" && format->get_string() != "base64")) {
      return core::Error::InvalidRequest("encoding_format: must be float or base64", "encoding_format");
    }
    base64 = format->get_string() == "base64";
  }

  const std::uint32_t size = static_cast<std::uint32_t>(dimensions->value_or(default_dimensions));
  std::string out;
  // Roughly 12 characters per float in JSON, under 6 in base64.
  out.reserve(128 + inputs->size() * (64 + size * (base64 ? 6 : 12)));
  out += "{\"object\":\"list\",\"data\":[";
  std::vector<float> vector;
  std::string bytes;
  std::uint64_t tokens = 0;
  for (std::size_t i = 0; i < inputs->size(); ++i) {
    const EmbeddingInput& input = (*inputs)[i];
    tokens += input.tokens;
    EmbeddingVector(input.seed, size, vector);
    if (i > 0) out += ',';
    out += "{\"object\":\"embedding\",\"index\":";
    json_out::Number(out, i);
    out += ",\"embedding\":";
    if (base64) {
      // float32, little-endian, whatever the host's byte order.
      bytes.clear();
      for (const float component : vector) {
        const auto bits = std::bit_cast<std::uint32_t>(component);
        for (int b = 0; b < 4; ++b) bytes += static_cast<char>(bits >> (8 * b));
      }
      out += '"';
      AppendBase64(out, bytes);
      out += '"';
    } else {
      out += '[';
      for (std::size_t d = 0; d < vector.size(); ++d) {
        if (d > 0) out += ',';
        json_out::Number(out, vector[d]);  // shortest text that reads back as the same float
      }
      out += ']';
    }
    out += '}';
  }
  out += "],";
  json_out::Member(out, "model", *model);
  out += ",\"usage\":{\"prompt_tokens\":";
  json_out::Number(out, tokens);
  out += ",\"total_tokens\":";
  json_out::Number(out, tokens);
  out += "}}";
  return out;
}

}  // namespace strata::mock_llm
