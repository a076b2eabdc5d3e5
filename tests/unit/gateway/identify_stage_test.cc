#include "gateway/stages/identify_stage.h"

#include <gtest/gtest.h>

#include "support/run_coroutine.h"

namespace strata::gateway {
namespace {

StageOutcome Identify(IdentifyStage& stage, core::Exchange& exchange, std::string_view header,
                      std::string_view value) {
  http::Request request;
  if (!header.empty()) request.set(header, value);
  return testing::RunCoroutine(stage.OnRequest(exchange, request));
}

const core::Error* Refusal(const StageOutcome& outcome) { return std::get_if<core::Error>(&outcome); }

TEST(IdentifyStageTest, WithoutConfiguredKeysEveryoneIsLetIn) {
  IdentifyStage stage({}, nullptr);
  core::Exchange exchange;
  EXPECT_EQ(Refusal(Identify(stage, exchange, "", "")), nullptr);
  EXPECT_FALSE(exchange.principal.authenticated);
}

TEST(IdentifyStageTest, BearerAndXApiKeyAreAcceptedAndNamedWithoutTheSecret) {
  IdentifyStage stage({"sk-one", "sk-two"}, nullptr);
  core::Exchange bearer;
  EXPECT_EQ(Refusal(Identify(stage, bearer, "authorization", "Bearer sk-two")), nullptr);
  EXPECT_TRUE(bearer.principal.authenticated);
  EXPECT_EQ(bearer.principal.key_id, "static-key-2");
  core::Exchange anthropic_style;
  EXPECT_EQ(Refusal(Identify(stage, anthropic_style, "x-api-key", "sk-one")), nullptr);
  EXPECT_EQ(anthropic_style.principal.key_id, "static-key-1");
}

TEST(IdentifyStageTest, MissingAndWrongKeysAre401s) {
  IdentifyStage stage({"sk-one"}, nullptr);
  core::Exchange exchange;
  const StageOutcome missing = Identify(stage, exchange, "", "");
  ASSERT_NE(Refusal(missing), nullptr);
  EXPECT_EQ(Refusal(missing)->HttpStatus(), 401);
  for (std::string_view wrong : {"Bearer sk-on", "Bearer sk-one2", "Basic sk-one", "Bearer "}) {
    const StageOutcome refused = Identify(stage, exchange, "authorization", wrong);
    ASSERT_NE(Refusal(refused), nullptr) << wrong;
    EXPECT_EQ(Refusal(refused)->HttpStatus(), 401);
    EXPECT_EQ(Refusal(refused)->message().find("sk-one"), std::string::npos) << "the key is never echoed";
  }
}

}  // namespace
}  // namespace strata::gateway
