#include "admin/pending_login.h"

#include <gtest/gtest.h>

#include "admin/sessions.h"
#include "oidc/base64url.h"

namespace strata::admin {
namespace {

LoginInProgress Example() {
  LoginInProgress login;
  login.pending.state = "state-value";
  login.pending.nonce = "nonce-value";
  login.pending.code_verifier = "verifier-value";
  login.pending.created_at = oidc::SystemClock::time_point(std::chrono::milliseconds(1'773'568'800'123));
  login.return_to = "/console/keys?tab=mine";
  return login;
}

TEST(PendingLoginTest, OpensWhatItSealedWithTheSameHandle) {
  const std::string handle = *RandomToken();
  core::Result<std::string> sealed = SealLogin(handle, Example());
  ASSERT_TRUE(sealed) << sealed.error().message();
  core::Result<LoginInProgress> opened = OpenLogin(handle, *sealed);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->pending.state, "state-value");
  EXPECT_EQ(opened->pending.nonce, "nonce-value");
  EXPECT_EQ(opened->pending.code_verifier, "verifier-value");
  EXPECT_EQ(opened->pending.created_at, Example().pending.created_at);
  EXPECT_EQ(opened->return_to, "/console/keys?tab=mine");
}

TEST(PendingLoginTest, TheSealedFormRevealsNoSecret) {
  const std::string handle = *RandomToken();
  const std::string sealed = *SealLogin(handle, Example());
  const std::string bytes = *oidc::Base64UrlDecode(sealed);
  for (const std::string_view secret : {"state-value", "nonce-value", "verifier-value"}) {
    EXPECT_EQ(sealed.find(secret), std::string::npos);
    EXPECT_EQ(bytes.find(secret), std::string::npos);
  }
  EXPECT_NE(sealed, *SealLogin(handle, Example())) << "a fresh IV each time";
}

TEST(PendingLoginTest, RefusesAnotherHandleOrATamperedSeal) {
  const std::string handle = *RandomToken();
  const std::string sealed = *SealLogin(handle, Example());
  EXPECT_FALSE(OpenLogin(*RandomToken(), sealed));
  for (std::size_t i = 0; i < sealed.size(); i += 7) {
    std::string tampered = sealed;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(OpenLogin(handle, tampered)) << "changed at " << i;
  }
  EXPECT_FALSE(OpenLogin(handle, sealed.substr(0, sealed.size() - 4)));
  EXPECT_FALSE(OpenLogin(handle, ""));
  EXPECT_FALSE(OpenLogin(handle, "not base64url!"));
}

TEST(PendingLoginTest, OnlyLocalPathsAreReturnTargets) {
  for (const std::string_view good : {"/", "/console", "/console/keys?tab=1#x"}) EXPECT_TRUE(IsLocalPath(good)) << good;
  for (const std::string_view bad : {"", "console", "//evil.example", "/\\evil.example", "https://evil.example",
                                     "/a\r\nSet-Cookie: x=1", "/a\\b"}) {
    EXPECT_FALSE(IsLocalPath(bad)) << bad;
  }
  EXPECT_FALSE(IsLocalPath("/" + std::string(600, 'a')));
}

}  // namespace
}  // namespace strata::admin
