// Roles, what each may change on a site it sees, and the password rules (docs/contract.md §5), and
// the request bodies of users and sites (§6.1).
#include <gtest/gtest.h>

#include "ems/codec/site_codec.h"
#include "ems/codec/user_codec.h"
#include "ems/domain/user.h"

namespace ems {
namespace {

TEST(RoleTest, NamesRoundTrip) {
  for (const Role r : {Role::kAdmin, Role::kTechnician, Role::kViewer}) {
    EXPECT_EQ(ParseRole(ToString(r)), r);
  }
  EXPECT_FALSE(ParseRole("Admin"));
  EXPECT_FALSE(ParseRole(""));
}

TEST(RoleTest, WhatEachRoleMayChangeOnASiteItSees) {
  struct Row {
    SiteAction action;
    bool admin, technician, viewer;
  };
  for (const Row& r : {Row{SiteAction::kOperateEvs, true, true, true},
                       Row{SiteAction::kChangeDevices, true, true, false},
                       Row{SiteAction::kChangeContracts, true, true, false}}) {
    EXPECT_EQ(Allows(Role::kAdmin, r.action), r.admin);
    EXPECT_EQ(Allows(Role::kTechnician, r.action), r.technician);
    EXPECT_EQ(Allows(Role::kViewer, r.action), r.viewer);
  }
}

TEST(PasswordRuleTest, LongEnoughAndNotTheUsername) {
  EXPECT_TRUE(CheckPassword("rita", "twelve-chars"));
  EXPECT_EQ(CheckPassword("rita", "eleven-char").error().message,
            "A password needs at least 12 characters.");
  EXPECT_EQ(CheckPassword("rita", "eleven-char").error().code, ErrorCode::kInvalidUser);
  // Characters, not bytes: twelve umlauts are long enough, eleven are not.
  EXPECT_TRUE(CheckPassword("rita", "ääääääääääää"));
  EXPECT_FALSE(CheckPassword("rita", "äääääääääää"));
  EXPECT_FALSE(CheckPassword("rita", std::string(kMaxPasswordBytes + 1, 'x')));
  EXPECT_TRUE(CheckPassword("rita", std::string(kMaxPasswordBytes, 'x')));
  EXPECT_EQ(CheckPassword("rita", "hello-RiTa-2024").error().message,
            "A password must not contain the username.");
  EXPECT_FALSE(CheckPassword("a-long-username", "a-long-username"));
  // One or two letters are in most passwords: not looked for.
  EXPECT_TRUE(CheckPassword("al", "totally-alright"));
}

TEST(UserBodyTest, DecodesANewUser) {
  const auto body = codec::DecodeNewUser(
      R"({"username": "rita", "role": "technician", "site_ids": ["b", "a", "b"], "x": 1})");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(body->username, "rita");
  EXPECT_EQ(body->role, Role::kTechnician);
  EXPECT_EQ(body->site_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(body->password);
  const auto with_password =
      codec::DecodeNewUser(R"({"username": "rita", "role": "viewer", "password": "p"})");
  ASSERT_TRUE(with_password);
  EXPECT_EQ(with_password->password, "p");
  EXPECT_TRUE(with_password->site_ids.empty());
}

TEST(UserBodyTest, RejectsBrokenBodiesNamingTheField) {
  struct Row {
    const char* body;
    ErrorCode code;
    const char* message;
  };
  for (const Row& r : {
           Row{"[1]", ErrorCode::kInvalidJson, nullptr},
           Row{R"({"role": "viewer"})", ErrorCode::kInvalidUser, "Field 'username' is required."},
           Row{R"({"username": "a b", "role": "viewer"})", ErrorCode::kInvalidUser, nullptr},
           Row{R"({"username": "rita"})", ErrorCode::kInvalidUser, "Field 'role' is required."},
           Row{R"({"username": "rita", "role": "root"})", ErrorCode::kInvalidUser,
               "Field 'role' must be admin, technician or viewer."},
           Row{R"({"username": "rita", "role": "viewer", "site_ids": "home"})",
               ErrorCode::kInvalidUser, "Field 'site_ids' must be an array of site ids."},
           Row{R"({"username": "rita", "role": "viewer", "site_ids": ["a/b"]})",
               ErrorCode::kInvalidUser, "Field 'site_ids' must be an array of site ids."},
           Row{R"({"username": "rita", "role": "viewer", "password": 5})", ErrorCode::kInvalidUser,
               "Field 'password' must be a string."},
       }) {
    const auto body = codec::DecodeNewUser(r.body);
    ASSERT_FALSE(body) << r.body;
    EXPECT_EQ(body.error().code, r.code) << r.body;
    if (r.message) {
      EXPECT_EQ(body.error().message, r.message) << r.body;
    }
  }
}

TEST(UserBodyTest, AChangeNamesOnlyWhatChanges) {
  const auto none = codec::DecodeUserChange("{}");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->role || none->site_ids || none->password || none->username);
  const auto some = codec::DecodeUserChange(R"({"role": "admin", "site_ids": []})");
  ASSERT_TRUE(some);
  EXPECT_EQ(some->role, Role::kAdmin);
  ASSERT_TRUE(some->site_ids);
  EXPECT_TRUE(some->site_ids->empty());
  EXPECT_FALSE(codec::DecodeUserChange(R"({"role": 1})"));

  const auto change = codec::DecodePasswordChange(R"({"current": "a", "new": "b"})");
  ASSERT_TRUE(change);
  EXPECT_EQ(change->current, "a");
  EXPECT_EQ(change->replacement, "b");
  EXPECT_EQ(codec::DecodePasswordChange(R"({"current": "a"})").error().message,
            "Field 'new' is required.");
}

TEST(SiteBodyTest, DecodesAndChecksASite) {
  const auto site = codec::DecodeSiteBody(R"({"name": "Home", "timezone": "Europe/Berlin"})");
  ASSERT_TRUE(site) << site.error().message;
  EXPECT_FALSE(site->id);
  EXPECT_EQ(site->name, "Home");
  EXPECT_EQ(site->timezone, "Europe/Berlin");
  for (const char* bad :
       {R"({"id": "a/b", "name": "x"})", R"({"name": "  "})", R"({"id": "x"})",
        R"({"name": "x", "timezone": "Mars/Olympus"})", R"({"name": "x", "timezone": 1})"}) {
    const auto r = codec::DecodeSiteBody(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidSite) << bad;
  }
}

}  // namespace
}  // namespace ems
