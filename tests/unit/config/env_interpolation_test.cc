#include "config/env_interpolation.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace strata::config {
namespace {

Environment FakeEnvironment(std::map<std::string, std::string, std::less<>> variables) {
  return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

TEST(InterpolateTest, LeavesTextWithoutReferencesAlone) {
  core::Result<Interpolated> result = Interpolate("plain $HOME and $ alone", FakeEnvironment({}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->text, "plain $HOME and $ alone");
  EXPECT_TRUE(result->variables.empty());
}

TEST(InterpolateTest, ReplacesEveryReferenceAndListsTheVariables) {
  core::Result<Interpolated> result =
      Interpolate("http://${HOST}:${PORT}/v1", FakeEnvironment({{"HOST", "example.com"}, {"PORT", "8443"}}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->text, "http://example.com:8443/v1");
  EXPECT_EQ(result->variables, (std::vector<std::string>{"HOST", "PORT"}));
}

TEST(InterpolateTest, UsesTheFallbackWhenUnsetOrEmpty) {
  const Environment environment = FakeEnvironment({{"EMPTY", ""}, {"SET", "value"}});
  EXPECT_EQ(Interpolate("${MISSING:-4100}", environment)->text, "4100");
  EXPECT_EQ(Interpolate("${EMPTY:-4100}", environment)->text, "4100");
  EXPECT_EQ(Interpolate("${SET:-4100}", environment)->text, "value");
  EXPECT_EQ(Interpolate("${MISSING:-}", environment)->text, "");
  EXPECT_EQ(Interpolate("${MISSING:-a:-b}", environment)->text, "a:-b");
}

TEST(InterpolateTest, KeepsASetButEmptyVariableWithoutFallback) {
  core::Result<Interpolated> result = Interpolate("[${EMPTY}]", FakeEnvironment({{"EMPTY", ""}}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->text, "[]");
}

TEST(InterpolateTest, DoubleDollarIsALiteralReference) {
  core::Result<Interpolated> result = Interpolate("$${HOME} and $${", FakeEnvironment({{"HOME", "/root"}}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->text, "${HOME} and ${");
  EXPECT_TRUE(result->variables.empty());
}

TEST(InterpolateTest, DoesNotExpandReferencesInsideValues) {
  core::Result<Interpolated> result = Interpolate("${A}", FakeEnvironment({{"A", "${B}"}, {"B", "secret"}}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->text, "${B}");
}

TEST(InterpolateTest, UnsetVariableIsAnErrorNamingIt) {
  core::Result<Interpolated> result = Interpolate("${PORT}", FakeEnvironment({}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), core::ErrorCode::kInvalidRequest);
  EXPECT_NE(result.error().message().find("'PORT'"), std::string::npos) << result.error().message();
}

TEST(InterpolateTest, ReportsEveryUnsetVariableOfAValue) {
  core::Result<Interpolated> result = Interpolate("${A}-${SET}-${B}", FakeEnvironment({{"SET", "hunter2"}}));
  ASSERT_FALSE(result);
  const std::string message = result.error().message();
  EXPECT_NE(message.find("'A' and 'B'"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(InterpolateTest, RefusesMalformedReferences) {
  for (const char* text : {"${", "${PORT", "${}", "${1X}", "${A B}", "${:-x}"}) {
    EXPECT_FALSE(Interpolate(text, FakeEnvironment({{"PORT", "1"}}))) << text;
  }
}

}  // namespace
}  // namespace strata::config
