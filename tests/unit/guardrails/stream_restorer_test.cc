#include "guardrails/stream_restorer.h"

#include <gtest/gtest.h>

#include "guardrails/redactor.h"
#include "guardrails/scanner.h"

namespace strata::guardrails {
namespace {

TEST(StreamRestorerTest, RestoresPlaceholdersWhereverTheAnswerIsSplit) {
  const Scanner scanner;
  Redactor redactor;
  const std::string prompt = "Mail ann@example.com and bob@example.org about 4111 1111 1111 1111.";
  ASSERT_EQ(redactor.Redact(prompt, scanner.Scan(prompt)),
            "Mail <EMAIL_1> and <EMAIL_2> about <CREDIT_CARD_1>.");
  const std::vector<std::string> answers = {
      "Dear <EMAIL_1>, I wrote to <EMAIL_2> about card <CREDIT_CARD_1>.<EMAIL_1>",
      "a < b and <b>bold</b> <<EMAIL_1>> <EMAIL_9> <EMAIL_1 <" + std::string(40, 'x') + "> end <",
      "<EMAIL_2><EMAIL_2>",
  };
  for (const std::string& answer : answers) {
    const std::string expected = redactor.Restore(answer);
    for (std::size_t split = 0; split <= answer.size(); ++split) {
      StreamRestorer restorer(redactor);
      std::string out = restorer.Push(std::string_view(answer).substr(0, split));
      out += restorer.Push(std::string_view(answer).substr(split));
      out += restorer.Finish();
      ASSERT_EQ(out, expected) << "split at " << split;
    }
    StreamRestorer byte_by_byte(redactor);
    std::string out;
    for (char c : answer) out += byte_by_byte.Push(std::string_view(&c, 1));
    out += byte_by_byte.Finish();
    EXPECT_EQ(out, expected);
  }
  EXPECT_EQ(redactor.Restore(answers[0]),
            "Dear ann@example.com, I wrote to bob@example.org about card 4111 1111 1111 1111."
            "ann@example.com");
}

TEST(StreamRestorerTest, HoldsOnlyAPossiblePlaceholder) {
  Redactor redactor;
  StreamRestorer restorer(redactor);
  EXPECT_EQ(restorer.Push("hello <EMA"), "hello ");
  EXPECT_EQ(restorer.Push("IL_3> world"), "<EMAIL_3> world");
  EXPECT_EQ(restorer.Push("<" + std::string(40, 'y')), "<" + std::string(40, 'y'));
  EXPECT_EQ(restorer.Finish(), "");
}

}  // namespace
}  // namespace strata::guardrails
