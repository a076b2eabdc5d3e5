// POSTAL_ADDRESS (src/guardrails/pii/postal_address.cc): the three layouts,
// with and without context, exact spans, the traps that look like a street
// line, and how an address sits next to the other detectors' findings.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "guardrails/redactor.h"
#include "guardrails/scanner.h"
#include "scan_test_support.h"

namespace strata::guardrails {
namespace {

std::vector<Found> Address(std::string value) {
  return {Found{EntityType::kPostalAddress, std::move(value)}};
}

TEST(PostalAddressTest, FindsUsAddressesWithCityStateAndZip) {
  EXPECT_EQ(FindingsIn("The office is 1600 Pennsylvania Avenue NW, Washington, DC 20500 today."),
            Address("1600 Pennsylvania Avenue NW, Washington, DC 20500"));
  EXPECT_EQ(FindingsIn("Send it to 742 Evergreen Terrace, Springfield, IL 62704-1234 please"),
            Address("742 Evergreen Terrace, Springfield, IL 62704-1234"));
  EXPECT_EQ(FindingsIn("123 Main St., Apt 4B, New York, NY 10001"),
            Address("123 Main St., Apt 4B, New York, NY 10001"));
  EXPECT_EQ(FindingsIn("350 5th Ave Suite 200\nNew York NY 10118"),
            Address("350 5th Ave Suite 200\nNew York NY 10118"));
  EXPECT_EQ(FindingsIn("10 W 42nd St #12, St. Louis, MO 63101."),
            Address("10 W 42nd St #12, St. Louis, MO 63101"));
  EXPECT_EQ(FindingsIn("It went to 55 O'Farrell Street, San Francisco, CA 94102."),
            Address("55 O'Farrell Street, San Francisco, CA 94102"));
}

TEST(PostalAddressTest, FindsUkAddressesEndingInAPostcode) {
  EXPECT_EQ(FindingsIn("10 Downing Street, London SW1A 2AA"),
            Address("10 Downing Street, London SW1A 2AA"));
  EXPECT_EQ(FindingsIn("Visit 221B Baker Street, Marylebone, London NW1 6XE on Sunday"),
            Address("221B Baker Street, Marylebone, London NW1 6XE"));
  EXPECT_EQ(FindingsIn("Flat: 4 Jasmine Close, Manchester M1 1AE"),
            Address("4 Jasmine Close, Manchester M1 1AE"));
  // Not a postcode format: inward letters C, I, K, M, V are never used.
  EXPECT_TRUE(FindingsIn("4 Jasmine Close, Manchester M1 1AK").empty());
}

TEST(PostalAddressTest, FindsGermanAddressesWithPostcodeAndCity) {
  EXPECT_EQ(FindingsIn("Bitte an Hauptstraße 5, 10115 Berlin schicken."),
            Address("Hauptstraße 5, 10115 Berlin"));
  EXPECT_EQ(FindingsIn("Lieferung: Berliner Straße 12a\n60311 Frankfurt am Main"),
            Address("Berliner Straße 12a\n60311 Frankfurt am Main"));
  EXPECT_EQ(FindingsIn("Büro Goethestr. 7, 80336 München"), Address("Goethestr. 7, 80336 München"));
  EXPECT_EQ(FindingsIn("Bahnhofstrasse 1, 8001 Zürich"), Address("Bahnhofstrasse 1, 8001 Zürich"));
  EXPECT_EQ(FindingsIn("Am Lindenweg 3-5, 50667 Köln"), Address("Lindenweg 3-5, 50667 Köln"));
}

TEST(PostalAddressTest, AStreetLineAloneNeedsAContextWord) {
  EXPECT_TRUE(FindingsIn("We drove past 42 Mulholland Drive at night.").empty());
  EXPECT_TRUE(FindingsIn("Hauptstraße 5 war gesperrt.").empty());
  EXPECT_EQ(FindingsIn("Please ship to 42 Mulholland Drive, thanks."), Address("42 Mulholland Drive"));
  EXPECT_EQ(FindingsIn("I live at 10 Main St. Then I moved."), Address("10 Main St"));
  EXPECT_EQ(FindingsIn("My billing address is 77 Sunset Blvd Apt 3"), Address("77 Sunset Blvd Apt 3"));
  EXPECT_EQ(FindingsIn("Ich wohne in der Hauptstraße 5."), Address("Hauptstraße 5"));
  EXPECT_EQ(FindingsIn("Meine Adresse: Lindenallee 14"), Address("Lindenallee 14"));
  // A city and a state without a ZIP: enough when a comma sets the state off.
  EXPECT_EQ(FindingsIn("meet at 9 Elm Street, Portland, OR soon"), Address("9 Elm Street, Portland, OR"));
}

TEST(PostalAddressTest, ScoresFollowTheRule) {
  const Scanner lenient({.min_score = 0.1});
  const auto score_of = [&](std::string_view text) {
    const std::vector<Finding> findings = lenient.Scan(text);
    return findings.size() == 1 ? findings[0].score : -1.0;
  };
  EXPECT_NEAR(score_of("past 42 Mulholland Drive at night"), 0.4, 1e-9);
  EXPECT_NEAR(score_of("ship to 42 Mulholland Drive"), 0.75, 1e-9);
  EXPECT_NEAR(score_of("9 Elm Street, Portland, OR"), 0.65, 1e-9);
  EXPECT_NEAR(score_of("9 Elm Street, Portland, OR 97201"), 0.9, 1e-9);
  EXPECT_NEAR(score_of("Hauptstraße 5, 10115 Berlin"), 0.9, 1e-9);
}

TEST(PostalAddressTest, ReportsExactByteOffsets) {
  const std::string text = "Grüße — Lieferadresse: Hauptstraße 5, 10115 Berlin. Danke!";
  const std::vector<Finding> findings = SharedScanner().Scan(text);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].type, EntityType::kPostalAddress);
  EXPECT_EQ(findings[0].begin, text.find("Hauptstraße"));
  EXPECT_EQ(findings[0].end, text.find(". Danke"));

  const std::string us = "ship to 1 Infinite Loop Way, Cupertino, CA 95014";
  const std::vector<Finding> us_findings = SharedScanner().Scan(us);
  ASSERT_EQ(us_findings.size(), 1u);
  EXPECT_EQ(us_findings[0].begin, 8u);
  EXPECT_EQ(us_findings[0].end, us.size());
}

// The patterns run without SOM; the validator walks back to the house number
// (or the German street name), whatever stands before it.
TEST(PostalAddressTest, FindsTheStartByWalkingBackOverTheStreetLine) {
  EXPECT_EQ(FindingsIn("(742 Evergreen Terrace, Springfield, IL 62704)"),
            Address("742 Evergreen Terrace, Springfield, IL 62704"));
  EXPECT_EQ(FindingsIn("(Hauptstraße 5, 10115 Berlin)"), Address("Hauptstraße 5, 10115 Berlin"));
  EXPECT_EQ(FindingsIn("ship to: 12-14 N Old Mill Spring Valley Rd"),
            Address("12-14 N Old Mill Spring Valley Rd"));
  // Five name words are one too many; a name word can not be glued to the number.
  EXPECT_TRUE(FindingsIn("ship to 10 Old Mill Spring Valley Creek Rd").empty());
  EXPECT_TRUE(FindingsIn("ship to A10 Main Street").empty());
  // A street line longer than any real one is not an address.
  EXPECT_TRUE(FindingsIn("ship to 10 " + std::string("A") + std::string(60, 'a') + " B" +
                         std::string(60, 'b') + " Street")
                  .empty());
}

TEST(PostalAddressTest, ManyStreetLinesScanInLinearTime) {
  std::string text = "ship to ";
  for (int i = 0; i < 5000; ++i) text += "10 Main Street Street ";
  EXPECT_LE(SharedScanner().Scan(text).size(), 5000u);
}

TEST(PostalAddressTest, TextThatOnlyLooksLikeAStreetLineIsNotAnAddress) {
  const Scanner lenient({.min_score = 0.1});
  for (const char* text : {
           "Chapter 12 Street Fighter was the best level.",
           "This is version 2 Way forward for the team.",
           "There are 3 Main points to cover.",
           "Take 42 Drive and turn left.",
           "The meeting is on 12/03/2025 at 10:30.",
           "for (int i = 0; i < 10; ++i) { Street st = streets[i]; }",
           "| 12 | Main | St |\n| 14 | Oak | Rd |",
           "Released on 2024-05-01, build 42 passed.",
           "Room 101, floor 3, building B.",
           "We sold 300 Apple Watches and 20 Surface Pros.",
       }) {
    EXPECT_TRUE(FindingsIn(text, lenient).empty()) << text;
  }
  // Shaped like a street line, but with nothing to say it is one: below the default.
  for (const char* text : {"The 2 Towers Road trip was fun.", "Winners of 2023 Grand Prix Circle",
                           "Die Spring 2024 Kollektion", "Offering 5 Sales Place bonuses"}) {
    EXPECT_TRUE(FindingsIn(text).empty()) << text;
  }
}

TEST(PostalAddressTest, HouseNumbersJoinedToOtherNumbersAreNotAddresses) {
  // The digits belong to the SSN, the date, the phone number and the time.
  EXPECT_EQ(FindingsIn("SSN 536-22-1234 Main Street, Springfield, IL 62704"),
            (std::vector<Found>{{EntityType::kUsSsn, "536-22-1234"}}));
  EXPECT_TRUE(FindingsIn("due 12/03/1985 Oak Road, Leeds LS1 4AP").empty());
  EXPECT_TRUE(FindingsIn("at 10:30 Park Lane, London W1K 7TN").empty());
  EXPECT_EQ(FindingsIn("call 415-555-0132 Main Street, Springfield, IL 62704"),
            (std::vector<Found>{{EntityType::kPhone, "415-555-0132"}}));
}

TEST(PostalAddressTest, KeepsPhoneSsnAndBirthDateFindingsBesideIt) {
  const std::string text =
      "Born 12/03/1985. Address: 10 Main Street, Springfield, IL 62704, phone (217) 555-0132, "
      "SSN 536-22-1234 on file.";
  EXPECT_EQ(FindingsIn(text), (std::vector<Found>{
                                  {EntityType::kDateOfBirth, "12/03/1985"},
                                  {EntityType::kPostalAddress, "10 Main Street, Springfield, IL 62704"},
                                  {EntityType::kPhone, "(217) 555-0132"},
                                  {EntityType::kUsSsn, "536-22-1234"},
                              }));
  // A ZIP+4 is not a phone number nor an SSN, and stays inside the address.
  EXPECT_EQ(FindingsIn("ship to 5 Oak Lane, Dover, DE 19901-2345"),
            Address("5 Oak Lane, Dover, DE 19901-2345"));
  // A city after "Dr" is not a person ("Dr Springfield"): the address wins.
  EXPECT_EQ(FindingsIn("5 Oak Dr Springfield IL 62704"), Address("5 Oak Dr Springfield IL 62704"));
}

TEST(PostalAddressTest, RedactsToANumberedPlaceholder) {
  const std::string text = "Ship to 10 Downing Street, London SW1A 2AA and bill 221B Baker Street, London NW1 6XE.";
  Redactor redactor;
  EXPECT_EQ(redactor.Redact(text, SharedScanner().Scan(text)),
            "Ship to <POSTAL_ADDRESS_1> and bill <POSTAL_ADDRESS_2>.");
  EXPECT_EQ(redactor.Restore("<POSTAL_ADDRESS_2>"), "221B Baker Street, London NW1 6XE");
  EXPECT_EQ(EntityName(EntityType::kPostalAddress), "POSTAL_ADDRESS");
}

}  // namespace
}  // namespace strata::guardrails
