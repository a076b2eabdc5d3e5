#include "guardrails/redactor.h"

#include <gtest/gtest.h>

#include "guardrails/scanner.h"

namespace strata::guardrails {
namespace {

const Scanner& SharedScanner() {
  static const Scanner scanner;
  return scanner;
}

std::string RedactWith(Redactor& redactor, std::string_view text) {
  return redactor.Redact(text, SharedScanner().Scan(text));
}

TEST(RedactorTest, ReplacesFindingsWithNumberedTypedPlaceholders) {
  Redactor redactor;
  EXPECT_EQ(RedactWith(redactor, "Mail ann@example.com or bob@example.org, ip 203.0.113.9"),
            "Mail <EMAIL_1> or <EMAIL_2>, ip <IP_ADDRESS_1>");
}

TEST(RedactorTest, GivesTheSameValueTheSamePlaceholderAcrossTheRequest) {
  Redactor redactor;
  EXPECT_EQ(RedactWith(redactor, "from ann@example.com to bob@example.org"),
            "from <EMAIL_1> to <EMAIL_2>");
  // A later message of the same request, the address in another case.
  EXPECT_EQ(RedactWith(redactor, "cc Ann@Example.com"), "cc <EMAIL_1>");
  EXPECT_EQ(RedactWith(redactor, "card 4111 1111 1111 1111 = 4111111111111111"),
            "card <CREDIT_CARD_1> = <CREDIT_CARD_1>");
  EXPECT_EQ(redactor.placeholder_count(), 3u);
}

TEST(RedactorTest, MasksAllButTheLastFourWhenAskedTo) {
  RedactorOptions options;
  options.styles[static_cast<int>(EntityType::kCreditCard)] = RedactionStyle::kMask;
  Redactor redactor(options);
  EXPECT_EQ(RedactWith(redactor, "card 4111 1111 1111 1234 ok"), "card 4111 1111 1111 1234 ok")
      << "not Luhn-valid, so not a card";
  EXPECT_EQ(RedactWith(redactor, "card 4111-1111-1111-1111 ok"), "card ************1111 ok");
  EXPECT_EQ(RedactWith(redactor, "mail ann@example.com"), "mail <EMAIL_1>");
}

TEST(RedactorTest, RestorePutsBackTheValuesItIssued) {
  Redactor redactor;
  const std::string prompt = "Write to ann@example.com about card 5555555555554444.";
  const std::string redacted = RedactWith(redactor, prompt);
  EXPECT_EQ(redacted, "Write to <EMAIL_1> about card <CREDIT_CARD_1>.");
  EXPECT_EQ(redactor.Restore("Dear <EMAIL_1>, your card <CREDIT_CARD_1> is fine. <EMAIL_1>"),
            "Dear ann@example.com, your card 5555555555554444 is fine. ann@example.com");
}

TEST(RedactorTest, KeepStyleLeavesAFindingAsItIs) {
  RedactorOptions options;
  options.styles[static_cast<int>(EntityType::kEmail)] = RedactionStyle::kKeep;
  Redactor redactor(options);
  EXPECT_EQ(RedactWith(redactor, "mail ann@example.com, ip 203.0.113.9"), "mail ann@example.com, ip <IP_ADDRESS_1>");
  redactor.SetStyle(EntityType::kEmail, RedactionStyle::kMask);
  EXPECT_EQ(RedactWith(redactor, "mail ann@example.com"), "mail *********ecom");
}

TEST(RedactorTest, PlaceholdersIssuedAfterStopRestoringNewStayRedacted) {
  Redactor redactor;
  EXPECT_EQ(RedactWith(redactor, "I am ann@example.com"), "I am <EMAIL_1>");
  redactor.StopRestoringNew();
  // The model's answer names the caller's address and invents another one.
  EXPECT_EQ(RedactWith(redactor, "ann@example.com, see eve@example.net"), "<EMAIL_1>, see <EMAIL_2>");
  EXPECT_EQ(redactor.Restore("<EMAIL_1>, see <EMAIL_2>"), "ann@example.com, see <EMAIL_2>");
}

TEST(RedactorTest, RestoreLeavesUnknownPlaceholdersAndMarkupAlone) {
  Redactor redactor;
  RedactWith(redactor, "ann@example.com");
  EXPECT_EQ(redactor.Restore("<EMAIL_2> <PHONE_1> <b>bold</b> a < b > c <<EMAIL_1>>"),
            "<EMAIL_2> <PHONE_1> <b>bold</b> a < b > c <ann@example.com>");
  Redactor fresh;
  EXPECT_EQ(fresh.Restore("<EMAIL_1>"), "<EMAIL_1>");
}

}  // namespace
}  // namespace strata::guardrails
