#pragma once

#include <optional>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "core/error.h"
#include "http/options.h"

namespace strata::http::internal {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Applies the server's size limits to a fresh parser. Shared by the session and
// the fuzz target, so the fuzzer exercises exactly what the server runs.
void ConfigureParser(RequestParser& parser, const ServerOptions& options);

// The refusal a failed request read deserves (408, 413, 431, 400), or nothing
// when the client simply went away and the connection should just close.
std::optional<core::Error> RefusalFor(boost::system::error_code ec, bool timed_out);

}  // namespace strata::http::internal
