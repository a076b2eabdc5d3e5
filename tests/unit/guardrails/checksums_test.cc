#include "guardrails/internal/checksums.h"

#include <gtest/gtest.h>

namespace strata::guardrails::internal {
namespace {

TEST(ChecksumsTest, LuhnAcceptsKnownTestCardsAndRejectsAnOffByOne) {
  EXPECT_TRUE(LuhnValid("4111 1111 1111 1111"));
  EXPECT_TRUE(LuhnValid("378282246310005"));
  EXPECT_FALSE(LuhnValid("4111 1111 1111 1112"));
  EXPECT_FALSE(LuhnValid(""));
}

TEST(ChecksumsTest, IbanChecksMod97AndShape) {
  EXPECT_TRUE(IbanValid("DE89 3704 0044 0532 0130 00"));
  EXPECT_TRUE(IbanValid("GB29NWBK60161331926819"));
  EXPECT_TRUE(IbanValid("FR1420041010050500013M02606"));
  EXPECT_FALSE(IbanValid("DE89 3704 0044 0532 0130 01"));
  EXPECT_FALSE(IbanValid("DE89"));
  EXPECT_FALSE(IbanValid("de89 3704 0044 0532 0130 00"));
}

TEST(ChecksumsTest, SsnRejectsAreasAndGroupsNeverIssued) {
  EXPECT_TRUE(UsSsnValid("536-22-1234"));
  EXPECT_FALSE(UsSsnValid("000-22-1234"));
  EXPECT_FALSE(UsSsnValid("666-22-1234"));
  EXPECT_FALSE(UsSsnValid("901-22-1234"));
  EXPECT_FALSE(UsSsnValid("536-00-1234"));
  EXPECT_FALSE(UsSsnValid("536-22-0000"));
  EXPECT_FALSE(UsSsnValid("536-22-12345"));
}

TEST(ChecksumsTest, Ipv4RequiresFourOctetsInRangeWithoutLeadingZeros) {
  EXPECT_TRUE(Ipv4Valid("192.168.0.1"));
  EXPECT_TRUE(Ipv4Valid("255.255.255.255"));
  EXPECT_FALSE(Ipv4Valid("256.1.1.1"));
  EXPECT_FALSE(Ipv4Valid("1.2.3"));
  EXPECT_FALSE(Ipv4Valid("01.2.3.4"));
}

TEST(ChecksumsTest, Ipv6AcceptsCompressedForms) {
  EXPECT_TRUE(Ipv6Valid("2001:db8::1"));
  EXPECT_TRUE(Ipv6Valid("::ffff:192.0.2.1"));
  EXPECT_FALSE(Ipv6Valid("12:30:45"));
  EXPECT_FALSE(Ipv6Valid("2001:db8:::1"));
}

TEST(ChecksumsTest, JwtHeaderMustBeJsonWithAlg) {
  EXPECT_TRUE(JwtHeaderValid("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"));  // {"alg":"HS256","typ":"JWT"}
  EXPECT_FALSE(JwtHeaderValid("eyJ0eXAiOiJKV1QifQ"));                   // {"typ":"JWT"}
  EXPECT_FALSE(JwtHeaderValid("not*base64"));
}

TEST(ChecksumsTest, EntropySeparatesRandomFromRepetitive) {
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abab"), 1.0);
  EXPECT_GT(ShannonEntropy("q8Zr2LpX0vN4mT7wK1yB6cH3dF9sJ5gA"), 4.5);
}

}  // namespace
}  // namespace strata::guardrails::internal
