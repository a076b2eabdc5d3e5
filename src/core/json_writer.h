#pragma once

#include <charconv>
#include <string>
#include <string_view>

#include "core/text.h"

namespace strata::core {

// Writes one JSON object straight into a string, for records built on every
// request where a boost::json tree would cost an allocation per node. Fields
// are written in call order and as given (plain ASCII names); the caller
// keeps them unique. Strings are
// escaped; Raw() takes JSON the caller vouches for (a nested object, an array
// being built piece by piece).
//
//   JsonWriter w(256);
//   w.Field("id").String(id);
//   w.Field("tokens").Number(42);
//   std::string json = std::move(w).Finish();  // {"id":"…","tokens":42}
class JsonWriter {
 public:
  explicit JsonWriter(std::size_t reserve) { out_.reserve(reserve); }

  JsonWriter& Field(std::string_view key) {
    out_ += first_ ? '{' : ',';
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\":";
    return *this;
  }
  JsonWriter& String(std::string_view value) {
    AppendJsonString(out_, value);
    return *this;
  }
  template <class T>  // an integer or a floating-point value; written shortest round-trip
  JsonWriter& Number(T value) {
    char text[32];
    const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
    out_.append(text, end);
    return *this;
  }
  JsonWriter& Bool(bool value) {
    out_ += value ? "true" : "false";
    return *this;
  }
  JsonWriter& Null() {
    out_ += "null";
    return *this;
  }
  JsonWriter& Raw(std::string_view json) {
    out_ += json;
    return *this;
  }
  std::string Finish() && {
    out_ += first_ ? "{}" : "}";
    return std::move(out_);
  }

 private:
  std::string out_;
  bool first_ = true;
};

}  // namespace strata::core
