#include "http/internal/wire.h"

namespace strata::http::internal {
namespace {

void AppendVersion(std::string& out, unsigned version) {
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
}

void AppendFields(std::string& out, const beast_http::fields& fields) {
  for (const auto& field : fields) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
}

std::size_t FieldsSize(const beast_http::fields& fields) {
  std::size_t size = 2;
  for (const auto& field : fields) size += field.name_string().size() + field.value().size() + 4;
  return size;
}

}  // namespace

std::string WireHead(const beast_http::response_header<>& head) {
  const std::string_view reason = head.reason().empty() ? beast_http::obsolete_reason(head.result()) : head.reason();
  std::string out;
  out.reserve(16 + reason.size() + FieldsSize(head));
  AppendVersion(out, head.version());
  out += ' ';
  out += std::to_string(head.result_int());
  out += ' ';
  out += reason;
  out += "\r\n";
  AppendFields(out, head);
  return out;
}

std::string WireHead(const beast_http::request_header<>& head) {
  const std::string_view method = head.method_string();
  const std::string_view target = head.target();
  std::string out;
  out.reserve(16 + method.size() + target.size() + FieldsSize(head));
  out += method;
  out += ' ';
  out += target;
  out += ' ';
  AppendVersion(out, head.version());
  out += "\r\n";
  AppendFields(out, head);
  return out;
}

}  // namespace strata::http::internal
