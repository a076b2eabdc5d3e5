#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

// Append-only JSON writing for the mock's answers. The shapes are fixed, so
// writing them straight into one string is several times faster than building
// a boost::json DOM and serializing it, and the answers are the hot path of
// every benchmark run through the mock.
namespace strata::mock_llm::json_out {

// Appends `text` as a quoted JSON string. `text` must be valid UTF-8 (it comes
// from a parsed request or from the mock itself); only '"', '\\' and control
// characters are escaped.
inline void String(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t clean_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + clean_from, i - clean_from);
    clean_from = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.data() + clean_from, text.size() - clean_from);
  out += '"';
}

template <class Int>
inline void Number(std::string& out, Int value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

// `"key":` followed by a quoted string.
inline void Member(std::string& out, std::string_view key, std::string_view text) {
  out += '"';
  out += key;
  out += "\":";
  String(out, text);
}

}  // namespace strata::mock_llm::json_out
