#include "core/error.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/result.h"

namespace strata::core {
namespace {

TEST(ErrorTest, EnvelopeHasTheOpenAiShape) {
  const Error error = Error::InvalidRequest("'model' must be a string", "model");
  const boost::json::value envelope = boost::json::parse(error.ToJson());
  EXPECT_EQ(envelope.at("error").at("message"), "'model' must be a string");
  EXPECT_EQ(envelope.at("error").at("type"), "invalid_request_error");
  EXPECT_EQ(envelope.at("error").at("param"), "model");
  EXPECT_EQ(envelope.at("error").at("code"), "invalid_request");
}

TEST(ErrorTest, ParamIsNullWhenNoFieldIsToBlame) {
  const boost::json::value envelope = boost::json::parse(Error::Internal("boom").ToJson());
  EXPECT_TRUE(envelope.at("error").at("param").is_null());
}

TEST(ErrorTest, StatusAndRetryFollowTheCode) {
  EXPECT_EQ(Error(ErrorCode::kRateLimited, "slow down").HttpStatus(), 429);
  EXPECT_TRUE(Error(ErrorCode::kRateLimited, "slow down").Retryable());
  EXPECT_EQ(Error::UpstreamTimeout("t").HttpStatus(), 504);
  EXPECT_TRUE(Error::UpstreamUnavailable("u").Retryable());
  EXPECT_FALSE(Error::UpstreamRejected("r").Retryable());
  EXPECT_FALSE(Error::InvalidRequest("bad").Retryable());
  EXPECT_EQ(Error(ErrorCode::kPayloadTooLarge, "big").HttpStatus(), 413);
  EXPECT_EQ(Error(ErrorCode::kHeadersTooLarge, "big").HttpStatus(), 431);
}

TEST(ErrorTest, MessagesWithQuotesAndControlCharactersStayValidJson) {
  const Error error = Error::InvalidRequest("bad \"value\"\n\x01 here");
  const boost::json::value envelope = boost::json::parse(error.ToJson());
  EXPECT_EQ(envelope.at("error").at("message"), "bad \"value\"\n\x01 here");
}

TEST(ResultTest, ValueOnAnErrorThrowsTheError) {
  Result<int> failed = Error::NotFound("gone");
  EXPECT_FALSE(failed);
  try {
    (void)failed.value();
    FAIL() << "value() should throw";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error().code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace strata::core
