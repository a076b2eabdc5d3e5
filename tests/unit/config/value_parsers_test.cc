#include "config/value_parsers.h"

#include <gtest/gtest.h>

#include <optional>

namespace strata::config {
namespace {

using std::chrono::milliseconds;

TEST(ParseDurationTest, AcceptsEveryUnit) {
  EXPECT_EQ(ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(ParseDuration("10s"), milliseconds(10'000));
  EXPECT_EQ(ParseDuration("2m"), milliseconds(120'000));
  EXPECT_EQ(ParseDuration("1h"), milliseconds(3'600'000));
}

TEST(ParseDurationTest, AcceptsDecimalsExactly) {
  EXPECT_EQ(ParseDuration("1.5s"), milliseconds(1'500));
  // 1.1 has no exact binary form; the parser must not round to 1100.0000001.
  EXPECT_EQ(ParseDuration("1.1s"), milliseconds(1'100));
  EXPECT_EQ(ParseDuration("0.25m"), milliseconds(15'000));
  EXPECT_EQ(ParseDuration(".5s"), milliseconds(500));
}

TEST(ParseDurationTest, AddsUpCompoundDurations) {
  EXPECT_EQ(ParseDuration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(ParseDuration("1m 30s"), std::nullopt);  // a space between parts is not a unit
  EXPECT_EQ(ParseDuration("2s500ms"), milliseconds(2'500));
}

TEST(ParseDurationTest, AllowsSpaceBeforeTheUnit) { EXPECT_EQ(ParseDuration("10 s"), milliseconds(10'000)); }

TEST(ParseDurationTest, RefusesBareNumbers) {
  EXPECT_EQ(ParseDuration("10"), std::nullopt);
  EXPECT_EQ(ParseDuration("0"), std::nullopt);
  EXPECT_EQ(ParseDuration("1.5"), std::nullopt);
}

TEST(ParseDurationTest, RefusesMalformedText) {
  for (const char* text : {"", "s", "10x", "10sec", "-5s", "+5s", "1..5s", ".s", "10s ", " 10s", "1e3ms", "ten s"}) {
    EXPECT_EQ(ParseDuration(text), std::nullopt) << text;
  }
}

TEST(ParseDurationTest, RefusesFractionsOfAMillisecond) {
  EXPECT_EQ(ParseDuration("0.5ms"), std::nullopt);
  EXPECT_EQ(ParseDuration("1.0005s"), std::nullopt);
  EXPECT_EQ(ParseDuration("1.0010s"), milliseconds(1'001));
}

TEST(ParseDurationTest, RefusesOverflowInsteadOfWrapping) {
  EXPECT_EQ(ParseDuration("99999999999999999999h"), std::nullopt);
  EXPECT_EQ(ParseDuration("9223372036854775807s"), std::nullopt);
  EXPECT_EQ(ParseDuration("9223372036854775807ms"), milliseconds(9223372036854775807LL));
  EXPECT_EQ(ParseDuration("9223372036854775807ms1ms"), std::nullopt);
}

TEST(ParseByteSizeTest, AcceptsBareByteCounts) {
  EXPECT_EQ(ParseByteSize("0"), 0U);
  EXPECT_EQ(ParseByteSize("1048576"), 1048576U);
}

TEST(ParseByteSizeTest, BinaryUnitsArePowersOf1024) {
  EXPECT_EQ(ParseByteSize("64KiB"), 64U * 1024);
  EXPECT_EQ(ParseByteSize("16MiB"), 16U * 1024 * 1024);
  EXPECT_EQ(ParseByteSize("1GiB"), 1024ULL * 1024 * 1024);
  EXPECT_EQ(ParseByteSize("2TiB"), 2ULL << 40);
  EXPECT_EQ(ParseByteSize("1.5KiB"), 1536U);
}

TEST(ParseByteSizeTest, DecimalUnitsArePowersOf1000) {
  EXPECT_EQ(ParseByteSize("512B"), 512U);
  EXPECT_EQ(ParseByteSize("64KB"), 64'000U);
  EXPECT_EQ(ParseByteSize("64kB"), 64'000U);
  EXPECT_EQ(ParseByteSize("16MB"), 16'000'000U);
  EXPECT_EQ(ParseByteSize("1GB"), 1'000'000'000U);
  EXPECT_EQ(ParseByteSize("1 GB"), 1'000'000'000U);
}

TEST(ParseByteSizeTest, RefusesUnknownUnitsAndFractionalBytes) {
  for (const char* text : {"", "KiB", "64K", "64kib", "64 KiB!", "1.5", "0.5B", "-1", "64KiBs", "1,024", "0x10"}) {
    EXPECT_EQ(ParseByteSize(text), std::nullopt) << text;
  }
}

TEST(ParseByteSizeTest, RefusesOverflowInsteadOfWrapping) {
  EXPECT_EQ(ParseByteSize("18446744073709551615"), 18446744073709551615ULL);
  EXPECT_EQ(ParseByteSize("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseByteSize("17179869184GiB"), std::nullopt);
}

TEST(ParseIntegerTest, AcceptsSignedDecimalIntegersOnly) {
  EXPECT_EQ(ParseInteger("8080"), 8080);
  EXPECT_EQ(ParseInteger("-1"), -1);
  for (const char* text : {"", "+1", "1.0", "0x10", "1e3", "12abc", " 1", "99999999999999999999"}) {
    EXPECT_EQ(ParseInteger(text), std::nullopt) << text;
  }
}

TEST(ParseBoolTest, AcceptsTrueAndFalseInAnyCase) {
  EXPECT_EQ(ParseBool("true"), true);
  EXPECT_EQ(ParseBool("False"), false);
  EXPECT_EQ(ParseBool("TRUE"), true);
  for (const char* text : {"yes", "no", "on", "off", "1", "0", ""}) {
    EXPECT_EQ(ParseBool(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace strata::config
