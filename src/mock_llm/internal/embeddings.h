#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/result.h"

// Deterministic embeddings: the same input always maps to the same unit
// vector, and a shorter vector is the renormalised prefix of a longer one
// (as OpenAI's `dimensions` behaves).
namespace strata::mock_llm {

inline constexpr std::uint32_t kMaxEmbeddingDimensions = 8192;

// Reads an OpenAI /v1/embeddings body (`input`: a string, strings, token ids
// or lists of token ids; `dimensions`; `encoding_format` float or base64) and
// renders the whole `list` answer. `default_dimensions` applies when the body
// has no `dimensions`.
core::Result<std::string> RenderEmbeddings(const boost::json::value& body, std::uint32_t default_dimensions);

// Fills `out` with `dimensions` floats: components drawn uniformly from
// [-1, 1) by splitmix64 seeded with `seed`, then scaled to unit L2 norm.
void EmbeddingVector(std::uint64_t seed, std::uint32_t dimensions, std::vector<float>& out);
// The seed of a text input: FNV-1a of its UTF-8 bytes.
std::uint64_t EmbeddingSeed(std::string_view text);

// Standard base64 (with padding) of `bytes`, appended to `out`.
void AppendBase64(std::string& out, std::string_view bytes);

}  // namespace strata::mock_llm
