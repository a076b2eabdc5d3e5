// libFuzzer target for the request parsing path: the bytes a client sends go
// through the same parser limits, refusal mapping, routing, request-id check
// and JSON body parse that the server runs. The first input byte picks where
// the input is split, so incremental parsing across reads is covered too.
#include <boost/beast/http/parser.hpp>
#include <boost/json/parse.hpp>

#include "core/ids.h"
#include "core/text.h"
#include "http/internal/limits.h"
#include "http/server.h"

namespace {

using namespace strata;

const http::Router& FuzzRouter() {
  static const http::Router router = [] {
    http::Router r;
    auto noop = [](const http::Request&, http::Responder&) -> boost::asio::awaitable<void> { co_return; };
    r.Add(boost::beast::http::verb::post, "/v1/chat/completions", noop);
    r.Add(boost::beast::http::verb::get, "/v1/models/{id}", noop);
    r.Add(boost::beast::http::verb::get, "/healthz", noop);
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  http::ServerOptions options;
  options.max_header_bytes = 4096;
  options.max_body_bytes = 8192;
  const std::size_t split = data[0] % size;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  http::internal::RequestParser parser;
  http::internal::ConfigureParser(parser, options);
  parser.eager(true);
  boost::system::error_code ec;
  std::string pending;
  const std::size_t cut = std::min(split, input.size());
  for (std::string_view piece : {input.substr(0, cut), input.substr(cut)}) {
    pending.append(piece);
    while (!ec && !pending.empty() && !parser.is_done()) {
      // As http::async_read does: consume what was used, even when more is needed.
      const std::size_t used = parser.put(boost::asio::buffer(pending), ec);
      pending.erase(0, used);
      if (ec == boost::beast::http::error::need_more) {
        ec = {};
        break;
      }
      if (used == 0) break;
    }
  }
  if (ec) {
    std::optional<core::Error> refusal = http::internal::RefusalFor(ec, false);
    if (refusal) (void)refusal->ToJson();
    return 0;
  }
  if (!parser.is_done()) return 0;
  const http::Request& request = parser.get();
  (void)FuzzRouter().Find(request.method(), request.target());
  (void)core::IsAcceptableRequestId(request["x-request-id"]);
  std::string escaped;
  core::AppendJsonEscaped(escaped, request.target());
  boost::system::error_code json_ec;
  (void)boost::json::parse(request.body(), json_ec);
  return 0;
}
