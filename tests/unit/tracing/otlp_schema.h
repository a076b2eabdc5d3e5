#pragma once

// The OTLP/JSON ExportTraceServiceRequest, written down as structural checks
// (the official protobuf-derived JSON schema is not available offline). It
// follows opentelemetry-proto: collector/trace/v1/trace_service.proto,
// trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto,
// and the OTLP/JSON rules of docs/specification.md:
//   - field names in lowerCamelCase; unknown fields are an error here (a
//     receiver would ignore them, but our encoder must not invent any);
//   - traceId / spanId / parentSpanId as hex, lowercase here (receivers
//     accept either case; we promise lowercase), 32 / 16 characters, not all zero;
//   - enums (Span.kind, Status.code) as integers, within their range;
//   - int64 / uint64 / fixed64 (times, intValue) as decimal strings (the
//     proto3 JSON mapping; a receiver also accepts numbers, we promise strings);
//   - uint32 / fixed32 (flags, dropped counts) as JSON numbers;
//   - AnyValue holds exactly one of its value fields;
//   - required by the trace data model: traceId, spanId, name, kind,
//     start and end times, end not before start; keys unique per attribute list;
//     resource carries service.name (OTel SDK spec).

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace strata::tracing::testing {

class OtlpSchema {
 public:
  // Every violation found, as "path: what"; empty when the request conforms.
  static std::vector<std::string> Check(const boost::json::value& request) {
    OtlpSchema schema;
    schema.Request(request);
    return schema.errors_;
  }

 private:
  using Keys = std::initializer_list<std::string_view>;

  void Fail(const std::string& path, const std::string& what) { errors_.push_back(path + ": " + what); }

  const boost::json::object* Object(const std::string& path, const boost::json::value& value, Keys allowed) {
    if (!value.is_object()) {
      Fail(path, "not an object");
      return nullptr;
    }
    for (const auto& member : value.get_object()) {
      bool known = false;
      for (std::string_view key : allowed) known = known || member.key() == key;
      if (!known) Fail(path, "unknown field '" + std::string(member.key()) + "'");
    }
    return &value.get_object();
  }

  const boost::json::array* Array(const std::string& path, const boost::json::value& value) {
    if (!value.is_array()) {
      Fail(path, "not an array");
      return nullptr;
    }
    return &value.get_array();
  }

  void String(const std::string& path, const boost::json::value& value) {
    if (!value.is_string()) Fail(path, "not a string");
  }

  // A decimal integer as a string, within int64 (or uint64) range.
  void Int64String(const std::string& path, const boost::json::value& value, bool is_unsigned) {
    if (!value.is_string()) {
      Fail(path, "64-bit integers must be JSON strings");
      return;
    }
    std::string_view text = value.get_string();
    bool negative = false;
    if (!text.empty() && text.front() == '-') {
      negative = true;
      text.remove_prefix(1);
    }
    if (text.empty() || text.size() > 20 || (is_unsigned && negative)) {
      Fail(path, "not a decimal integer");
      return;
    }
    unsigned __int128 number = 0;
    for (char c : text) {
      if (c < '0' || c > '9') {
        Fail(path, "not a decimal integer");
        return;
      }
      number = number * 10 + static_cast<unsigned>(c - '0');
    }
    const unsigned __int128 limit =
        is_unsigned ? UINT64_MAX : (negative ? static_cast<unsigned __int128>(INT64_MAX) + 1 : INT64_MAX);
    if (number > limit) Fail(path, "out of range");
  }

  void Uint32(const std::string& path, const boost::json::value& value) {
    const bool ok = (value.is_int64() && value.get_int64() >= 0 && value.get_int64() <= UINT32_MAX) ||
                    (value.is_uint64() && value.get_uint64() <= UINT32_MAX);
    if (!ok) Fail(path, "not a uint32 number");
  }

  void EnumValue(const std::string& path, const boost::json::value& value, int low, int high) {
    if (!value.is_int64() || value.get_int64() < low || value.get_int64() > high) {
      Fail(path, "not an enum integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
    }
  }

  void HexId(const std::string& path, const boost::json::value& value, std::size_t length, bool allow_empty) {
    if (!value.is_string()) {
      Fail(path, "not a string");
      return;
    }
    const std::string_view text = value.get_string();
    if (text.empty() && allow_empty) return;
    if (text.size() != length) {
      Fail(path, "must be " + std::to_string(length) + " hex characters");
      return;
    }
    bool non_zero = false;
    for (char c : text) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        Fail(path, "not lowercase hex");
        return;
      }
      non_zero = non_zero || c != '0';
    }
    if (!non_zero) Fail(path, "all zero");
  }

  void Required(const std::string& path, const boost::json::object& object, Keys keys) {
    for (std::string_view key : keys) {
      if (!object.contains(key)) Fail(path, "missing required field '" + std::string(key) + "'");
    }
  }

  void AnyValue(const std::string& path, const boost::json::value& value, int depth = 0) {
    const auto* object = Object(path, value,
                                {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue",
                                 "bytesValue"});
    if (object == nullptr) return;
    if (object->size() != 1) {
      Fail(path, "an AnyValue holds exactly one value field");
      return;
    }
    if (depth > 8) {
      Fail(path, "nested too deep");
      return;
    }
    const auto& [key, held] = *object->begin();
    const std::string inner = path + "." + std::string(key);
    if (key == "stringValue" || key == "bytesValue") {
      String(inner, held);
    } else if (key == "boolValue") {
      if (!held.is_bool()) Fail(inner, "not a boolean");
    } else if (key == "intValue") {
      Int64String(inner, held, false);
    } else if (key == "doubleValue") {
      const bool special = held.is_string() && (held.get_string() == "NaN" || held.get_string() == "Infinity" ||
                                                held.get_string() == "-Infinity");
      if (!held.is_number() && !special) Fail(inner, "not a number");
    } else if (key == "arrayValue") {
      if (const auto* array_value = Object(inner, held, {"values"})) {
        if (const auto* values = array_value->if_contains("values")) {
          if (const auto* array = Array(inner + ".values", *values)) {
            for (std::size_t i = 0; i < array->size(); ++i) {
              AnyValue(inner + ".values[" + std::to_string(i) + "]", (*array)[i], depth + 1);
            }
          }
        }
      }
    } else if (key == "kvlistValue") {
      if (const auto* list = Object(inner, held, {"values"})) {
        if (const auto* values = list->if_contains("values")) Attributes(inner + ".values", *values, depth + 1);
      }
    }
  }

  void Attributes(const std::string& path, const boost::json::value& value, int depth = 0) {
    const auto* array = Array(path, value);
    if (array == nullptr) return;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const std::string item = path + "[" + std::to_string(i) + "]";
      const auto* key_value = Object(item, (*array)[i], {"key", "value"});
      if (key_value == nullptr) continue;
      Required(item, *key_value, {"key", "value"});
      if (const auto* key = key_value->if_contains("key")) {
        String(item + ".key", *key);
        if (key->is_string()) {
          if (key->get_string().empty()) Fail(item + ".key", "empty");
          if (!seen.insert(std::string(key->get_string())).second) {
            Fail(item + ".key", "duplicate key '" + std::string(key->get_string()) + "'");
          }
        }
      }
      if (const auto* held = key_value->if_contains("value")) AnyValue(item + ".value", *held, depth);
    }
  }

  void Request(const boost::json::value& value) {
    const auto* request = Object("$", value, {"resourceSpans"});
    if (request == nullptr) return;
    Required("$", *request, {"resourceSpans"});
    const auto* resource_spans = request->if_contains("resourceSpans");
    if (resource_spans == nullptr) return;
    const auto* list = Array("$.resourceSpans", *resource_spans);
    if (list == nullptr) return;
    for (std::size_t i = 0; i < list->size(); ++i) ResourceSpans("$.resourceSpans[" + std::to_string(i) + "]", (*list)[i]);
  }

  void ResourceSpans(const std::string& path, const boost::json::value& value) {
    const auto* object = Object(path, value, {"resource", "scopeSpans", "schemaUrl"});
    if (object == nullptr) return;
    Required(path, *object, {"resource", "scopeSpans"});
    if (const auto* url = object->if_contains("schemaUrl")) String(path + ".schemaUrl", *url);
    if (const auto* resource = object->if_contains("resource")) {
      if (const auto* fields = Object(path + ".resource", *resource, {"attributes", "droppedAttributesCount"})) {
        bool has_service_name = false;
        if (const auto* attributes = fields->if_contains("attributes")) {
          Attributes(path + ".resource.attributes", *attributes);
          if (attributes->is_array()) {
            for (const auto& attribute : attributes->get_array()) {
              const auto* key = attribute.is_object() ? attribute.get_object().if_contains("key") : nullptr;
              has_service_name = has_service_name || (key != nullptr && key->is_string() && key->get_string() == "service.name");
            }
          }
        }
        if (!has_service_name) Fail(path + ".resource", "no service.name attribute");
        if (const auto* dropped = fields->if_contains("droppedAttributesCount")) {
          Uint32(path + ".resource.droppedAttributesCount", *dropped);
        }
      }
    }
    if (const auto* scopes = object->if_contains("scopeSpans")) {
      if (const auto* array = Array(path + ".scopeSpans", *scopes)) {
        for (std::size_t i = 0; i < array->size(); ++i) {
          ScopeSpans(path + ".scopeSpans[" + std::to_string(i) + "]", (*array)[i]);
        }
      }
    }
  }

  void ScopeSpans(const std::string& path, const boost::json::value& value) {
    const auto* object = Object(path, value, {"scope", "spans", "schemaUrl"});
    if (object == nullptr) return;
    Required(path, *object, {"scope", "spans"});
    if (const auto* scope = object->if_contains("scope")) {
      if (const auto* fields = Object(path + ".scope", *scope, {"name", "version", "attributes", "droppedAttributesCount"})) {
        if (const auto* name = fields->if_contains("name")) String(path + ".scope.name", *name);
        if (const auto* version = fields->if_contains("version")) String(path + ".scope.version", *version);
        if (const auto* attributes = fields->if_contains("attributes")) Attributes(path + ".scope.attributes", *attributes);
      }
    }
    if (const auto* spans = object->if_contains("spans")) {
      if (const auto* array = Array(path + ".spans", *spans)) {
        for (std::size_t i = 0; i < array->size(); ++i) Span(path + ".spans[" + std::to_string(i) + "]", (*array)[i]);
      }
    }
  }

  void Span(const std::string& path, const boost::json::value& value) {
    const auto* span = Object(path, value,
                              {"traceId", "spanId", "traceState", "parentSpanId", "flags", "name", "kind",
                               "startTimeUnixNano", "endTimeUnixNano", "attributes", "droppedAttributesCount",
                               "events", "droppedEventsCount", "links", "droppedLinksCount", "status"});
    if (span == nullptr) return;
    Required(path, *span, {"traceId", "spanId", "name", "kind", "startTimeUnixNano", "endTimeUnixNano"});
    if (const auto* id = span->if_contains("traceId")) HexId(path + ".traceId", *id, 32, false);
    if (const auto* id = span->if_contains("spanId")) HexId(path + ".spanId", *id, 16, false);
    if (const auto* id = span->if_contains("parentSpanId")) HexId(path + ".parentSpanId", *id, 16, true);
    if (const auto* state = span->if_contains("traceState")) String(path + ".traceState", *state);
    if (const auto* flags = span->if_contains("flags")) Uint32(path + ".flags", *flags);
    if (const auto* name = span->if_contains("name")) {
      String(path + ".name", *name);
      if (name->is_string() && name->get_string().empty()) Fail(path + ".name", "empty");
    }
    if (const auto* kind = span->if_contains("kind")) EnumValue(path + ".kind", *kind, 0, 5);
    const auto* start = span->if_contains("startTimeUnixNano");
    const auto* end = span->if_contains("endTimeUnixNano");
    if (start != nullptr) Int64String(path + ".startTimeUnixNano", *start, true);
    if (end != nullptr) Int64String(path + ".endTimeUnixNano", *end, true);
    if (start != nullptr && end != nullptr && start->is_string() && end->is_string()) {
      const std::string a(start->get_string()), b(end->get_string());
      if (a.size() == b.size() ? a > b : a.size() > b.size()) Fail(path, "ends before it starts");
      if (a == "0") Fail(path + ".startTimeUnixNano", "zero");
    }
    if (const auto* attributes = span->if_contains("attributes")) Attributes(path + ".attributes", *attributes);
    for (std::string_view counter : {"droppedAttributesCount", "droppedEventsCount", "droppedLinksCount"}) {
      if (const auto* count = span->if_contains(counter)) Uint32(path + "." + std::string(counter), *count);
    }
    if (const auto* events = span->if_contains("events")) {
      if (const auto* array = Array(path + ".events", *events)) {
        for (std::size_t i = 0; i < array->size(); ++i) {
          const std::string item = path + ".events[" + std::to_string(i) + "]";
          const auto* event = Object(item, (*array)[i], {"timeUnixNano", "name", "attributes", "droppedAttributesCount"});
          if (event == nullptr) continue;
          Required(item, *event, {"timeUnixNano", "name"});
          if (const auto* time = event->if_contains("timeUnixNano")) Int64String(item + ".timeUnixNano", *time, true);
          if (const auto* name = event->if_contains("name")) String(item + ".name", *name);
          if (const auto* attributes = event->if_contains("attributes")) Attributes(item + ".attributes", *attributes);
        }
      }
    }
    if (const auto* links = span->if_contains("links")) Array(path + ".links", *links);
    if (const auto* status = span->if_contains("status")) {
      if (const auto* fields = Object(path + ".status", *status, {"code", "message"})) {
        if (const auto* code = fields->if_contains("code")) EnumValue(path + ".status.code", *code, 0, 2);
        if (const auto* message = fields->if_contains("message")) String(path + ".status.message", *message);
      }
    }
  }

  std::vector<std::string> errors_;
};

}  // namespace strata::tracing::testing
